"""access_token: cache hit without botocore, refresh once under a lock, clear failures."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest

from rolecall import clock
from rolecall.errors import AwsError, EndpointError, LoginRequired
from rolecall.sso.login import login
from rolecall.sso.tokens import access_token, read_token

from tests.support.sso_flows import run_python


def expire_in(target, seconds: float) -> dict:
    """Shift the cached token's expiresAt to now + seconds; returns the new content."""
    data = json.loads(target.token_path.read_text())
    data["expiresAt"] = clock.format_timestamp(clock.utcnow() + timedelta(seconds=seconds))
    target.token_path.write_text(json.dumps(data))
    return data


@pytest.fixture
def few_retries(monkeypatch):
    """Failures are retried with backoff (~14 s for 6 attempts); what is under test here
    is the translation of the final failure, so retry less."""
    monkeypatch.setattr("rolecall.aws.MAX_ATTEMPTS", 1)


@pytest.fixture
def logged_in(sandbox, corp):
    login(corp, device_code=True)
    sandbox.reset_counts()
    return corp


def test_cache_hit_makes_no_call_and_imports_no_botocore(logged_in, sandbox):
    code = (
        "import sys\n"
        "from rolecall import awsconfig\n"
        "from rolecall.sso import tokens\n"
        "t = tokens.target_for_session(awsconfig.load(), 'corp')\n"
        "tok = tokens.access_token(t)\n"
        "heavy = [m for m in ('botocore', 'boto3', 'click', 'filelock') if m in sys.modules]\n"
        "print(len(tok), heavy)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[1].strip() == "[]"
    assert sandbox.counts == {}


def test_near_expiry_is_refreshed_and_written(logged_in, sandbox):
    old = expire_in(logged_in, 600)  # < 15 min left
    new_token = access_token(logged_in)
    assert sandbox.count("CreateToken:refresh_token") == 1
    new = read_token(logged_in)
    assert new_token == new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]  # the sandbox rotates refresh tokens
    assert new["registrationExpiresAt"] == old["registrationExpiresAt"]
    assert clock.parse_timestamp(new["expiresAt"]) > clock.utcnow() + timedelta(hours=7)
    assert list(new) == list(old)
    assert access_token(logged_in) == new_token and sandbox.count("CreateToken") == 1


def test_window_is_respected(logged_in, sandbox):
    expire_in(logged_in, 1200)  # 20 min left: outside the 15 min window
    access_token(logged_in)
    assert sandbox.count("CreateToken") == 0
    access_token(logged_in, window_seconds=1800)
    assert sandbox.count("CreateToken:refresh_token") == 1


def test_thirty_processes_refresh_once(logged_in, sandbox):
    expire_in(logged_in, -60)  # expired but refreshable
    code = (
        "from rolecall import awsconfig\n"
        "from rolecall.sso import tokens\n"
        "print(tokens.access_token(tokens.target_for_session(awsconfig.load(), 'corp')))\n"
    )
    import os
    import subprocess
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=dict(os.environ), stdin=subprocess.DEVNULL) for _ in range(30)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 30, [err for _, err in outputs if err][:1]
    tokens = {out.strip() for out, _ in outputs}
    assert tokens == {read_token(logged_in)["accessToken"]}
    assert sandbox.count("CreateToken:refresh_token") == 1


def test_revoked_refresh_token_needs_login(logged_in, sandbox):
    expire_in(logged_in, -60)
    sandbox.revoke_refresh_tokens()
    with pytest.raises(LoginRequired) as info:
        access_token(logged_in)
    assert info.value.hint == "run: rolecall login --sso-session corp"
    assert "InvalidGrantException" in info.value.message and info.value.exit_code == 4


def test_revoked_refresh_via_cli_exit_4_no_traceback(logged_in, sandbox, rolecall):
    expire_in(logged_in, -60)
    sandbox.revoke_refresh_tokens()
    result = rolecall("status", "--sso-session", "corp", "--check")
    assert result.returncode == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        "rolecall: error: login required for sso-session corp "
        "(token expired and its refresh was refused: InvalidGrantException)",
        "hint: run: rolecall login --sso-session corp",
    ]


def test_failed_refresh_keeps_a_still_valid_token(logged_in, sandbox):
    old = expire_in(logged_in, 300)
    sandbox.revoke_refresh_tokens()
    assert access_token(logged_in) == old["accessToken"]
    assert sandbox.count("CreateToken:refresh_token") == 1
    assert read_token(logged_in) == old


@pytest.mark.parametrize("drop", ["refreshToken", "clientId", "clientSecret", "registrationExpiresAt"])
def test_unrefreshable_expired_token(logged_in, sandbox, drop):
    data = expire_in(logged_in, -60)
    del data[drop]
    logged_in.token_path.write_text(json.dumps(data))
    with pytest.raises(LoginRequired, match=f"no {drop}"):
        access_token(logged_in)
    assert sandbox.count("CreateToken") == 0


def test_expired_registration_needs_login(logged_in, sandbox):
    data = expire_in(logged_in, -60)
    data["registrationExpiresAt"] = "2001-01-01T00:00:00Z"
    logged_in.token_path.write_text(json.dumps(data))
    with pytest.raises(LoginRequired, match="registration has expired"):
        access_token(logged_in)


def test_unrefreshable_but_still_valid_is_used(logged_in, sandbox):
    data = expire_in(logged_in, 120)
    del data["refreshToken"]
    logged_in.token_path.write_text(json.dumps(data))
    assert access_token(logged_in) == data["accessToken"] and sandbox.count("CreateToken") == 0


def test_throttled_refresh_is_retried(logged_in, sandbox):
    expire_in(logged_in, -60)
    sandbox.inject_fault("CreateToken", "throttle", count=2)
    token = access_token(logged_in)
    assert sandbox.count("CreateToken:refresh_token") == 3
    assert token == read_token(logged_in)["accessToken"]


def test_service_failure_is_an_aws_error(logged_in, sandbox, few_retries):
    expire_in(logged_in, -60)
    sandbox.inject_fault("CreateToken", "error500", count=10)
    with pytest.raises(AwsError, match="HTTP 500"):
        access_token(logged_in)


def test_sandbox_down_is_one_line_endpoint_error(logged_in, sandbox, few_retries):
    expire_in(logged_in, -60)
    sandbox.stop()
    with pytest.raises(EndpointError) as info:
        access_token(logged_in)
    message = info.value.message
    assert "\n" not in message and sandbox.url in message and "create_token" in message


def test_sandbox_down_but_token_still_valid(logged_in, sandbox, few_retries):
    old = expire_in(logged_in, 300)
    sandbox.stop()
    assert access_token(logged_in) == old["accessToken"]
