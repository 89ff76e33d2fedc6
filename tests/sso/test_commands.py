"""`rolecall login` / `status` through the real CLI: streams, exit codes, messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from rolecall import awsconfig, entry
from rolecall.sandbox.server import Sandbox
from rolecall.sso.tokens import read_token

from tests.support.sso_flows import CONFIG, LEGACY, OTHER_SESSION

LOGGED_IN = re.compile(r"logged in to sso-session (\S+) \(token valid until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)")


def _secrets(target) -> list[str]:
    token = read_token(target)
    return [token["accessToken"], token["refreshToken"], token["clientSecret"]]


def test_login_default_target_pkce(sandbox, corp, browser, rolecall):
    result = rolecall("login")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert LOGGED_IN.fullmatch(result.stderr.splitlines()[-1]).group(1) == "corp"
    assert sandbox.count("CreateToken:authorization_code") == 1
    for secret in _secrets(corp):
        assert secret not in result.stderr


def test_login_uses_aws_profile(sandbox, aws_config, browser, rolecall):
    aws_config(CONFIG + OTHER_SESSION)
    result = rolecall("login", env={"AWS_PROFILE": "other-admin"})
    assert result.returncode == 0, result.stderr
    assert LOGGED_IN.fullmatch(result.stderr.splitlines()[-1]).group(1) == "other"


def test_login_all_logs_in_once_per_session(sandbox, aws_config, browser, rolecall):
    aws_config(CONFIG + OTHER_SESSION + LEGACY)
    result = rolecall("login", "--all", "--device-code")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert [LOGGED_IN.fullmatch(line).group(1) for line in lines[:2]] == ["corp", "other"]
    assert lines[2].startswith(f"logged in to {sandbox.org.start_url}/legacy (profile legacy) (token valid until")
    assert sandbox.count("CreateToken:device_code") == 3


def test_login_no_browser_prints_url_and_code(aws_config, tmp_path, monkeypatch):
    aws_config(CONFIG)
    box = Sandbox(auto_approve=False).start()
    log = tmp_path / "browser.log"
    env = dict(os.environ, **box.env(), BROWSER=f"{sys.executable} -m rolecall.sandbox.browser %s",
               ROLECALL_FAKE_BROWSER_LOG=str(log))
    try:
        proc = subprocess.Popen([sys.executable, "-m", "rolecall", "login", "--device-code", "--no-browser"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                text=True, env=env)
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "confirm that the code shown is" in line:
                box.approve_all()
                break
        out, rest = proc.communicate(timeout=60)
        seen.append(rest)
    finally:
        box.stop()
    stderr = "".join(seen)
    assert proc.returncode == 0, stderr
    assert out == ""
    assert "open this URL in a browser" in stderr and f"{box.url}/device?user_code=" in stderr
    assert re.search(r"the code shown is: [A-Z]{4}-[A-Z]{4}", stderr)
    assert not log.exists() or log.read_text() == ""  # never opened


def test_login_ambiguous_is_a_usage_error(aws_config, rolecall):
    aws_config(CONFIG + OTHER_SESSION)
    result = rolecall("login")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rolecall: error: which login? {awsconfig.load().config_path} has several: corp, other",
        "hint: run: rolecall login --sso-session corp   (or --all, or set AWS_PROFILE)",
    ]


def test_login_non_sso_profile(config, rolecall):
    result = rolecall("login", "--profile", "static")
    assert result.returncode == 3
    assert "profile 'static' is a static profile, not an SSO profile" in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_login_access_denied_cli(sandbox, corp, browser, rolecall):
    sandbox.set_auto_approve(False)
    result = rolecall("login", env={"ROLECALL_FAKE_BROWSER_DENY": "1"})
    assert result.returncode == 1
    assert "rolecall: error: sign-in was denied in the browser (access_denied)" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.fixture
def rolecall_logger_restored():
    """entry.main configures the "rolecall" logger (handler, propagate=False); undo it afterwards."""
    import logging

    logger = logging.getLogger("rolecall")
    saved = (list(logger.handlers), logger.propagate, logger.level)
    yield
    logger.handlers[:], logger.propagate, logger.level = saved[0], saved[1], saved[2]


def test_sandbox_down_is_one_line(sandbox, corp, browser, capsys, monkeypatch, rolecall_logger_restored):
    monkeypatch.setattr("rolecall.aws.MAX_ATTEMPTS", 1)  # the translation is under test, not the backoff
    from rolecall.sso.login import login

    login(corp, device_code=True)
    data = json.loads(corp.token_path.read_text())
    data["expiresAt"] = "2001-01-01T00:00:00Z"
    corp.token_path.write_text(json.dumps(data))
    sandbox.stop()
    capsys.readouterr()
    code = entry.main(["status", "--sso-session", "corp", "--check"])
    err = capsys.readouterr().err.splitlines()
    assert code == 6
    assert err[0] == f"rolecall: error: cannot reach {sandbox.url} (create_token): connection failed"
    assert err[1].startswith("hint: ") and len(err) == 2


@pytest.mark.parametrize("args", [["login", "--profile", "dev", "--all"], ["logout", "--sso-session", "corp",
                                                                          "--profile", "dev"]])
def test_conflicting_selectors(config, rolecall, args):
    result = rolecall(*args)
    assert result.returncode == 2 and "cannot be used together" in result.stderr


def test_logout_without_token(config, rolecall):
    result = rolecall("logout")
    assert result.returncode == 0
    assert result.stderr == "logged out of sso-session corp (no cached token; 0 cached role credentials deleted)\n"
