"""Long work: `exec --serve` / `serve` (a renewing credential endpoint) and `--refresh`.

Against the sandbox with role credentials that live 9 s and a refresh window
of 4.8 s, so three credential lifetimes pass in well under a minute.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from rolecall.credential_server import PATH, CredentialServer, document
from rolecall.credentials.model import Credentials
from rolecall.errors import RolecallError
from tests.support.cli import ROLECALL
from tests.support.sso import BASE_CONFIG, cli_cache_files, cli_login

LIFETIME = 9
WINDOW_MINUTES = "0.08"  # 4.8 s

# A child job: GetCallerIdentity through boto3 every 0.5 s; one line per new key, then a summary.
JOB = r"""
import json, os, sys, time
import boto3
sts = boto3.client("sts", region_name="us-east-1")
seen, failures = [], []
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    try:
        sts.get_caller_identity()
        key = sts._request_signer._credentials.get_frozen_credentials().access_key
        if not seen or seen[-1] != key:
            seen.append(key)
            print("KEY", key, flush=True)
    except Exception as exc:
        failures.append(repr(exc))
    time.sleep(0.5)
env = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                      "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_REGION")}
print("SUMMARY", json.dumps({"keys": seen, "failures": failures, "env": env}), flush=True)
"""


@pytest.fixture
def short_lived(sandbox, aws_config, isolated_home, monkeypatch):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    sandbox.configure(credential_ttl=LIFETIME)
    monkeypatch.setenv("ROLECALL_REFRESH_WINDOW", WINDOW_MINUTES)
    return sandbox


def _run_job(argv: list[str], sandbox, seconds: float) -> dict:
    """Run a JOB under `argv`, revoking every key as soon as the next one is in use."""
    proc = subprocess.Popen([*argv, sys.executable, "-c", JOB, str(seconds)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    keys = []
    summary = None
    for line in proc.stdout:
        if line.startswith("KEY "):
            keys.append(line.split()[1])
            if len(keys) > 1:
                assert sandbox.revoke_credentials(keys[:-1]) == len(keys) - 1
        elif line.startswith("SUMMARY "):
            summary = json.loads(line[len("SUMMARY "):])
    err = proc.stderr.read()
    assert proc.wait(timeout=30) == 0, err
    assert summary is not None, err
    summary["stderr"] = err
    return summary


def test_exec_serve_outlives_two_credential_lifetimes(short_lived):
    summary = _run_job([*ROLECALL, "exec", "--serve", "dev-admin", "--"], short_lived, 2 * LIFETIME + 2)
    assert summary["failures"] == []
    assert len(set(summary["keys"])) >= 3, summary["keys"]
    env = summary["env"]
    # no static keys and no AWS_PROFILE (botocore would try the profile first): only the endpoint
    assert env["AWS_ACCESS_KEY_ID"] is None and env["AWS_SECRET_ACCESS_KEY"] is None
    assert env["AWS_SESSION_TOKEN"] is None and env["AWS_PROFILE"] is None
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://127.0.0.1:")
    assert env["AWS_REGION"] == "eu-west-1"  # the profile's region
    for key in summary["keys"]:
        assert key not in summary["stderr"]


def test_renewal_goes_through_the_sso_refresh_token_when_the_access_token_ages_out(
        aws_config, isolated_home, monkeypatch):
    from tests.support.sandboxes import start_sandbox

    box = start_sandbox(monkeypatch, auto_approve=True, token_ttl=12, credential_ttl=LIFETIME)
    try:
        aws_config(BASE_CONFIG)
        cli_login(isolated_home)  # an access token the sandbox refuses after 12 s
        monkeypatch.setenv("ROLECALL_REFRESH_WINDOW", WINDOW_MINUTES)
        before = box.count("CreateToken")
        summary = _run_job([*ROLECALL, "exec", "--serve", "dev-admin", "--"], box, 2 * LIFETIME + 8)
    finally:
        box.stop()
    assert summary["failures"] == []
    assert len(set(summary["keys"])) >= 3
    assert box.count("CreateToken") > before  # the refresh-token grant renewed the access token


def test_assume_exec_serve_is_the_same(short_lived):
    summary = _run_job([*ROLECALL, "assume", "dev-admin", "--exec", "--serve", "--"], short_lived, LIFETIME + 2)
    assert summary["failures"] == []
    assert len(set(summary["keys"])) >= 2


def test_botocore_reads_the_endpoint_with_its_container_provider(sandbox, aws_config, isolated_home):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    code = ("import botocore.session; s = botocore.session.Session(); c = s.get_credentials(); "
            "print(c.method); print(s.create_client('sts', region_name='us-east-1').get_caller_identity()['Arn'])")
    result = subprocess.run([*ROLECALL, "exec", "--serve", "dev-admin", "--", sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    method, arn = result.stdout.split()
    assert method == "container-role"
    assert arn.endswith(":assumed-role/AdministratorAccess/botocore-session") or "AdministratorAccess" in arn


def _serve(*args: str) -> tuple[subprocess.Popen, dict[str, str]]:
    proc = subprocess.Popen([*ROLECALL, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)
    exports = {}
    for _ in range(4):
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("export "):
            name, _, value = line[len("export "):].strip().partition("=")
            exports[name] = value.strip("'")
        if len(exports) == 4:
            break
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in exports, proc.stderr.read() if proc.poll() is not None else ""
    return proc, exports


def _get(url: str, token: str | None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={} if token is None else {"Authorization": token})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_serve_answers_only_with_the_token(logged_in, sandbox):
    proc, exports = _serve("dev-admin")
    try:
        url, token = exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"], exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        assert len(token) >= 43  # 256 bits, base64url
        assert exports["AWS_REGION"] == "eu-west-1"
        for wrong in (None, "", token[:-1], token + "x", "Bearer " + token):
            status, body = _get(url, wrong)
            assert status == 401 and "AccessKeyId" not in body and "SecretAccessKey" not in body
        status, body = _get(url, token)
        assert status == 200
        assert body["AccessKeyId"].startswith("ASIA") and body["SecretAccessKey"] and body["Token"]
        assert datetime.strptime(body["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
        assert body["AccountId"] == "111111111111"
        assert _get(url.replace(PATH, "/other"), token)[0] == 404
        # loopback only: the port is not open on any other address of this machine
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        for address in _non_loopback_addresses():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                assert s.connect_ex((address, port)) != 0, address
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "stopped" in err
    assert token not in err


def _non_loopback_addresses() -> list[str]:
    found = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing address
            found.add(s.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in found if not a.startswith("127."))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_serve_stops_on_signals(logged_in, sandbox, signum):
    proc, exports = _serve("dev-admin")
    proc.send_signal(signum)
    proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert _gone(proc.pid)
    with pytest.raises(OSError):
        _get(exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"], exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"])


def test_serve_never_outlives_its_parent(logged_in, sandbox, tmp_path):
    # The parent starts `rolecall serve` (stdout to a file), reports its pid, and dies.
    out = tmp_path / "vars"
    parent = ("import subprocess, sys, os\n"
              f"p = subprocess.Popen({[*ROLECALL, 'serve', 'dev-admin']!r}, stdout=open({str(out)!r}, 'w'),"
              " stdin=subprocess.DEVNULL)\n"
              "print(p.pid, flush=True)\n"
              f"import time\n"
              f"while 'TOKEN' not in open({str(out)!r}).read(): time.sleep(0.1)\n"
              "os._exit(0)\n")
    result = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True, timeout=60)
    pid = int(result.stdout.split()[0])
    assert _gone(pid), "rolecall serve outlived its parent"


def test_exec_serve_stops_with_the_child(logged_in, sandbox, tmp_path):
    code = "import os; print(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'])"
    result = subprocess.run([*ROLECALL, "exec", "--serve", "dev-admin", "--", sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    with pytest.raises(OSError):
        _get(result.stdout.strip(), "whatever")
    status = subprocess.run([*ROLECALL, "exec", "--serve", "dev-admin", "--", sys.executable, "-c",
                             "raise SystemExit(7)"], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    assert status.returncode == 7  # the child's status, as plain exec


def test_serve_refuses_bad_combinations(rolecall, logged_in):
    for argv, needle in ((["assume", "dev-admin", "--serve"], "--serve goes with --exec"),
                         (["exec", "-p", "--serve", "dev-admin", "--", "true"], "--serve does not go with -p")):
        result = rolecall(*argv)
        assert result.returncode == 2 and needle in result.stderr and "Traceback" not in result.stderr
    bad = rolecall("exec", "--serve", "dev-admin", "--", "true", env={"ROLECALL_REFRESH_WINDOW": "soon"})
    assert bad.returncode == 2 and "ROLECALL_REFRESH_WINDOW" in bad.stderr and "hint:" in bad.stderr


# ---------------------------------------------------------------------------- the server itself


def _creds(seconds_left: float, key: str = "ASIAOLD") -> Credentials:
    return Credentials(key, "secret", "token", datetime.now(timezone.utc) + timedelta(seconds=seconds_left),
                       "111111111111", "R", "p")


def test_renewal_happens_inside_the_window_only():
    issued = iter([_creds(100, "ASIA1"), _creds(100, "ASIA2")])
    server = CredentialServer(lambda: next(issued), window_seconds=30)
    assert server.credentials().access_key_id == "ASIA1"
    assert server.credentials().access_key_id == "ASIA1"  # 100 s left > 30 s window: kept
    server._current = _creds(20, "ASIA1")  # now inside the window
    assert server.credentials().access_key_id == "ASIA2"
    assert server.fetches == 2


def test_a_failed_renewal_serves_valid_keys_and_reports_once():
    calls = []

    def fetch():
        calls.append(1)
        if len(calls) == 1:
            return _creds(20, "ASIA1")
        raise RolecallError("login required for sso-session s")

    problems = []
    server = CredentialServer(fetch, window_seconds=30, on_problem=problems.append)
    assert server.credentials().access_key_id == "ASIA1"
    assert server.credentials().access_key_id == "ASIA1"  # renewal failed; the keys still work
    assert server.credentials().access_key_id == "ASIA1"
    assert problems == ["login required for sso-session s"]
    assert len(calls) == 2  # after a failure the held keys answer without a new attempt each time
    server._quiet_until = 0.0  # the quiet period is over: the next request tries again
    server.credentials()
    assert len(calls) == 3
    server._current = _creds(-1, "ASIA1")  # expired: never handed out
    with pytest.raises(RolecallError):
        server.credentials()


def test_an_expired_key_is_answered_with_503_not_credentials():
    state = {"n": 0}

    def fetch():
        state["n"] += 1
        if state["n"] == 1:
            return _creds(-5, "ASIAEXPIRED")
        raise RolecallError("login required")

    with CredentialServer(fetch, window_seconds=30) as server:
        status, body = _get(server.url, server.token)
    assert status == 503 and "AccessKeyId" not in body and "login required" in body["message"]


def test_document_is_the_container_format():
    doc = document(_creds(100, "ASIAX"))
    assert set(doc) == {"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}
    assert doc["Expiration"].endswith("Z")


# ---------------------------------------------------------------------------- --refresh


def _key(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["AccessKeyId"]


def test_refresh_fetches_new_credentials_and_replaces_the_cache_entry(logged_in, sandbox, rolecall,
                                                                      isolated_home):
    first = _key(rolecall("credential-process", "--profile", "dev-admin"))
    assert _key(rolecall("credential-process", "--profile", "dev-admin")) == first  # memo / cache hit
    fresh = _key(rolecall("credential-process", "--profile", "dev-admin", "--refresh"))
    assert fresh != first
    (entry,) = cli_cache_files(isolated_home)
    assert json.loads(entry.read_text())["Credentials"]["AccessKeyId"] == fresh  # the CLI's entry, replaced
    assert _key(rolecall("credential-process", "--profile", "dev-admin")) == fresh
    exported = _key(rolecall("export", "dev-admin", "--format", "process", "--refresh"))
    assert exported not in (first, fresh)
    assert _key(rolecall("export", "dev-admin", "--format", "process")) == exported


def test_refresh_on_a_chain_fetches_the_top_role_anew(logged_in, sandbox, rolecall):
    first = _key(rolecall("export", "staging-deploy", "--format", "process"))
    assert _key(rolecall("export", "staging-deploy", "--format", "process")) == first
    assert _key(rolecall("export", "staging-deploy", "--format", "process", "--refresh")) != first


def test_refresh_is_offered_everywhere(rolecall):
    for argv in (["assume", "--help"], ["exec", "--help"], ["export", "--help"], ["credential-process", "--help"],
                 ["console", "--help"]):
        result = rolecall(*argv)
        assert "--refresh" in (result.stdout + result.stderr), argv

