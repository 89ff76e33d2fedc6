"""Many SDK processes at once, and a sandbox that throttles, fails or is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys


from tests.support.sso import DEV, assert_no_secrets, caller_identity, cli_login

PARALLEL = 30


def test_parallel_processes_share_one_refresh_and_one_fetch(sandbox, sso_config, isolated_home):
    """30 credential-process runs, token expired but refreshable: one refresh, one fetch, same output."""
    old = cli_login(isolated_home, expires_in=-120)
    sandbox.reset_counts()
    cmd = [sys.executable, "-m", "rolecall", "credential-process", "--profile", "dev-admin"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                              env=dict(os.environ), text=True) for _ in range(PARALLEL)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    assert [code for code, _, _ in results] == [0] * PARALLEL, [err for _, _, err in results if err][:3]
    outputs = {out for _, out, _ in results}
    assert len(outputs) == 1
    doc = json.loads(outputs.pop())
    assert caller_identity(doc)["Account"] == DEV
    assert sandbox.count("CreateToken:refresh_token") == 1
    assert sandbox.count("GetRoleCredentials") == 1
    for _, _, err in results:
        assert err == ""
        assert_no_secrets(err, doc["SecretAccessKey"], old["refreshToken"])


def test_throttled_get_role_credentials_is_retried(rolecall, sandbox, logged_in):
    sandbox.inject_fault("GetRoleCredentials", "throttle", count=2)
    result = rolecall("credential-process", "--profile", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert caller_identity(json.loads(result.stdout))["Account"] == DEV
    assert sandbox.count("GetRoleCredentials") == 3


def test_server_errors_are_retried(rolecall, sandbox, logged_in):
    sandbox.inject_fault("GetRoleCredentials", "error500", count=2)
    result = rolecall("credential-process", "--profile", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert sandbox.count("GetRoleCredentials") == 3


def test_persistent_failures_are_one_line_errors(sandbox, logged_in, isolated_home):
    """Retries exhausted on a failing service (exit 5) and on a sandbox that is down (exit 6).

    Both runs go at once: each spends its whole retry budget (exponential backoff) first.
    """
    from rolecall.sandbox.server import Sandbox

    down = Sandbox().start()
    down_url = down.url
    down.stop()
    sandbox.inject_fault("GetRoleCredentials", "error500", count=50)
    cmd = [sys.executable, "-m", "rolecall", "credential-process", "--profile"]
    failing = subprocess.Popen(cmd + ["dev-admin"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, env=dict(os.environ))
    unreachable = subprocess.Popen(cmd + ["dev-ro"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   stdin=subprocess.DEVNULL, env={**os.environ, "AWS_ENDPOINT_URL_SSO": down_url})
    out5, err5 = failing.communicate(timeout=120)
    out6, err6 = unreachable.communicate(timeout=120)

    assert failing.returncode == 5 and out5 == ""
    lines = err5.splitlines()
    assert len(lines) == 2 and "Traceback" not in err5
    assert lines[0].startswith("rolecall: error: sso get_role_credentials failed: InternalServerException")
    assert f"HTTP 500 from {sandbox.url}, after retries" in lines[0]
    assert lines[1].startswith("hint: ")
    assert sandbox.count("GetRoleCredentials") >= 3  # retried, then given up

    assert unreachable.returncode == 6 and out6 == ""
    lines = err6.splitlines()
    assert len(lines) == 2 and "Traceback" not in err6
    assert lines[0] == f"rolecall: error: cannot reach {down_url} (get_role_credentials): connection failed"
    assert lines[1].startswith("hint: ")

    for err in (err5, err6):
        assert_no_secrets(err, logged_in["accessToken"], logged_in["refreshToken"])
    # a failure caches nothing; once the service is back the next run works
    assert not list((isolated_home / ".aws" / "cli" / "cache").glob("*.json"))
    sandbox.clear_faults()
    again = subprocess.run(cmd + ["dev-admin"], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           env=dict(os.environ), timeout=60)
    assert again.returncode == 0, again.stderr


def test_garbage_response_is_an_endpoint_error(rolecall, sandbox, logged_in):
    sandbox.inject_fault("AssumeRole", "invalid_json", count=20)
    result = rolecall("credential-process", "--profile", "staging-deploy")
    assert result.returncode == 6
    assert result.stderr.startswith(f"rolecall: error: invalid response from {sandbox.url} (assume_role)")




def test_garbage_role_credentials_answer_is_an_endpoint_error(rolecall, sandbox, logged_in, isolated_home):
    sandbox.inject_fault("GetRoleCredentials", "invalid_json", count=20)
    result = rolecall("credential-process", "--profile", "dev-admin")
    assert result.returncode == 6, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"rolecall: error: invalid response from {sandbox.url} (get_role_credentials): no role credentials in it")
    assert not list((isolated_home / ".aws" / "cli" / "cache").glob("*.json"))
