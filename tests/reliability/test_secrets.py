"""Secrets: never on stderr or in logs (even with --debug), never in a child's argv.

Every command this suite runs lands in a transcript, and after each test that
used a sandbox, conftest._secret_watch checks every stderr against every secret
that sandbox issued (access and refresh tokens, client secrets, secret keys,
session tokens, sign-in tokens), read from its backend state. This module adds
the flows with the most secrets in flight, under --debug, and the argv checks.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.support.faults import ROLECALL, SESSION, assert_no_secret_in, cli, issued_secrets, sandbox_config, transcript
from tests.support.sso import token_path

CHAIN = """
[profile chain]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = p0
region = us-east-1
"""


def test_the_watch_catches_a_leak(sandbox, sso_home):
    """The checker is not vacuous: the sandbox's secrets are found, and a leaked one is caught."""
    secrets = issued_secrets(sandbox)
    _, _, token = sso_home
    assert token["accessToken"] in secrets and token["refreshToken"] in secrets and token["clientSecret"] in secrets
    with pytest.raises(AssertionError):
        assert_no_secret_in(f"rolecall: error: bad token {token['refreshToken']}\n", secrets, "a fake stderr")


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_no_secret_on_stderr_across_every_flow(sandbox, aws_config, isolated_home, debug):
    text, names = sandbox_config(sandbox.org, session=SESSION, limit=3)
    aws_config(text + CHAIN)
    env = {"ROLECALL_DEBUG": "1", "_ROLECALL_INIT": "bash"} if debug else {"_ROLECALL_INIT": "bash"}
    runs = [
        cli("login", "--sso-session", "rel", "--device-code", "--no-browser", env=env),
        cli("credential-process", "--profile", names[0], env=env),
        cli("credential-process", "--profile", "chain", env=env),
        cli("export", names[1], env=env),
        cli("export", names[1], "--format", "json", env=env),
        cli("exec", names[2], "--", sys.executable, "-c", "pass", env=env),
        cli("console", names[0], "--url", env=env),
        cli("status", env=env),
        cli("status", "--json", env=env),
        cli("doctor", "--json", env=env),
    ]
    # force a refresh too: backdate the token
    path = token_path(isolated_home, SESSION)
    doc = json.loads(path.read_text())
    doc["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(doc))
    for f in (isolated_home / ".aws" / "cli" / "cache").glob("*.json"):
        f.unlink()
    runs.append(cli("credential-process", "--profile", names[1], "--window", "0", env=env))
    runs.append(cli("logout", "--all", env=env))
    for run in runs:
        assert run.returncode == 0, (run.args, run.stderr)
    assert sandbox.count("CreateToken:refresh_token") == 1
    secrets = issued_secrets(sandbox)
    assert len(secrets) >= 10
    for run in runs:
        assert_no_secret_in(run.stderr, secrets, f"stderr of {run.args[3:6]}")
    if debug:
        assert any("rolecall: DEBUG:" in run.stderr for run in runs)  # --debug did log something
    # the machine-readable status never carries a secret either
    for run in runs[7:10]:
        assert_no_secret_in(run.stdout, secrets, "status/doctor stdout")


def test_exec_passes_secrets_in_the_environment_not_in_argv(sso_home):
    _, names, _ = sso_home
    probe = "import json, os, sys; print(json.dumps({'argv': sys.argv, 'token': os.environ.get('AWS_SESSION_TOKEN'), " \
            "'secret': os.environ.get('AWS_SECRET_ACCESS_KEY')}))"
    run = cli("exec", names[0], "--", sys.executable, "-c", probe)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)
    assert seen["token"] and seen["secret"]
    assert all(seen["token"] not in arg and seen["secret"] not in arg for arg in seen["argv"])


def test_a_running_exec_child_has_no_secret_in_its_proc_cmdline(sso_home, sandbox, tmp_path):
    import subprocess

    _, names, _ = sso_home
    ready = tmp_path / "ready"
    # the child writes its pid, then sleeps until we have looked at it
    child = f"import os, time; open({str(ready)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    proc = subprocess.Popen([*ROLECALL, "exec", names[0], "--", sys.executable, "-c", child],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=dict(os.environ))
    pid = None
    try:
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        pid = int(ready.read_text())
        cmdlines = {pid: Path(f"/proc/{pid}/cmdline").read_bytes(),
                    proc.pid: Path(f"/proc/{proc.pid}/cmdline").read_bytes()}
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    finally:
        if pid is not None:
            os.kill(pid, 9)  # the sleeping child first: it holds our pipes open
        proc.kill()
        out, err = proc.communicate(timeout=30)
        transcript().add(proc.args, proc.returncode, out.decode(), err.decode())
    secrets = issued_secrets(sandbox)
    env_secrets = [s for s in secrets if s.encode() in environ]
    assert len(env_secrets) >= 2  # the secret key and session token are in the child's environment …
    for which, cmdline in cmdlines.items():
        for secret in secrets:
            assert secret.encode() not in cmdline, f"a secret is in /proc/{which}/cmdline"  # … never in argv


def test_credential_process_sources_get_no_secret_in_argv(sso_home, aws_config, tmp_path):
    """A credential_process profile that chains through rolecall: each process's argv is recorded, secret-free."""
    home, names, _ = sso_home
    log = tmp_path / "argv.log"
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(
        "import json, os, subprocess, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv) + '\\n')\n"
        f"sys.exit(subprocess.run([{sys.executable!r}, '-m', 'rolecall'] + sys.argv[1:]).returncode)\n")
    text = (home / ".aws" / "config").read_text()
    aws_config(text + f"\n[profile via]\ncredential_process = {sys.executable} {wrapper} credential-process "
                      f"--profile {names[0]}\n\n[profile via-chain]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"
                      "source_profile = via\n")
    run = cli("credential-process", "--profile", "via-chain")
    assert run.returncode == 0, run.stderr
    issued = json.loads(run.stdout)
    recorded = log.read_text()
    assert recorded.count("\n") == 1
    for value in (issued["SecretAccessKey"], issued["SessionToken"]):
        assert value not in recorded
