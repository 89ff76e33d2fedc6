"""`assume` end to end against the sandbox (IAM Identity Center + STS + federation on 127.0.0.1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from tests.support.sandboxes import fake_browser
from tests.support.sso_flows import CORP_SESSION
from tests.support.shells import MANAGED, SHELLS, in_shell, init_output, parse_env_dump

CONFIG = CORP_SESSION + """
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-central-1
rolecall_account_name = sandbox-dev

[profile chained]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = dev
region = eu-central-1

[profile static]
region = us-west-2
"""

CREDENTIALS = """\
[static]
aws_access_key_id = AKIASTATIC
aws_secret_access_key = static-secret
"""

FAKE_BROWSER = fake_browser()


@pytest.fixture
def box(sandbox, aws_config, monkeypatch):
    aws_config(CONFIG, CREDENTIALS)
    monkeypatch.setenv("BROWSER", FAKE_BROWSER)
    return sandbox


def _login():
    """Log in to the sandbox in-process (PKCE, the fake browser approves); `rolecall login` has its own tests."""
    import io

    from rolecall import awsconfig
    from rolecall.sso.login import login
    from rolecall.sso.target import target_for_profile
    from rolecall.sso.ui import TerminalLoginUI

    login(target_for_profile(awsconfig.load(), "dev"), ui=TerminalLoginUI(io.StringIO()))


def _caller_identity(env: dict[str, str]) -> dict:
    """GetCallerIdentity with botocore's own provider chain reading exactly `env`."""
    import botocore.session

    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name not in env:
                patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        client = botocore.session.Session().create_client("sts", region_name="us-east-1")
        return client.get_caller_identity()


_in_shell = in_shell


@pytest.mark.parametrize("shell", SHELLS)
def test_assume_sso_profile(box, rolecall, tmp_path, shell):
    _login()
    result, env = _in_shell(shell, tmp_path, "assume dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert env["AWS_PROFILE"] == env["ROLECALL_PROFILE"] == "dev"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA") and env["AWS_SESSION_TOKEN"]
    expires = datetime.fromisoformat(env["AWS_CREDENTIAL_EXPIRATION"])
    assert expires.utcoffset().total_seconds() == 0 and expires > datetime.now(timezone.utc)
    assert env["ROLECALL_EXPIRATION"] == env["AWS_CREDENTIAL_EXPIRATION"]
    # the confirmation: profile, account (+ name), role, region, expiry; no secret
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("rolecall: assumed dev: account 111111111111 (sandbox-dev), role AdministratorAccess, "
                           f"region {env['AWS_REGION']}, expires ")
    for secret in (env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]):
        assert secret not in result.stderr
    # the credentials work, read by botocore from the environment
    identity = _caller_identity(env)
    assert identity["Account"] == "111111111111"
    assert "AdministratorAccess" in identity["Arn"]


def test_assume_cache_hit_imports_nothing_heavy(box, rolecall):
    """`assume` on a cache hit: config + role-credential cache + emitter; no click/boto3/botocore."""
    _login()
    first = rolecall("assume", "--shell", "bash", "dev")
    assert first.returncode == 0, first.stderr
    calls = box.count("GetRoleCredentials")
    code = ("import sys\n"
            "from rolecall.entry import main\n"
            "rc = main(sys.argv[1:])\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'click'))\n"
            "sys.stderr.write('HEAVY=' + repr(heavy) + '\\n')\n"
            "sys.exit(rc)\n")
    for profile in ("dev", "static"):
        result = subprocess.run([sys.executable, "-c", code, "assume", "--shell", "bash", profile],
                                capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        assert "HEAVY=[]" in result.stderr
        assert f"builtin export AWS_PROFILE='{profile}'" in result.stdout
    assert box.count("GetRoleCredentials") == calls  # served from ~/.aws/cli/cache
    assert first.stdout.split("AWS_PROFILE")[0] == subprocess.run(
        [sys.executable, "-m", "rolecall", "assume", "--shell", "bash", "dev"], capture_output=True, text=True,
        timeout=60).stdout.split("AWS_PROFILE")[0]


def test_profile_only_checks_the_login_and_sdks_resolve_themselves(box, rolecall, tmp_path):
    # without a login, -p fails (it resolves once to make sure the login is valid)
    result, env = _in_shell("bash", tmp_path, "assume -p --no-login dev")
    assert result.returncode == 4
    assert "login required" in result.stderr and "hint: run: rolecall login" in result.stderr
    assert "AWS_PROFILE" not in env
    _login()
    result, env = _in_shell("bash", tmp_path, "assume -p dev")
    assert result.returncode == 0, result.stderr
    assert {k: env[k] for k in MANAGED if k in env} == {
        "AWS_PROFILE": "dev", "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-central-1",
        "ROLECALL_PROFILE": "dev",
    }
    # botocore resolves the SSO profile by itself from AWS_PROFILE
    assert _caller_identity(env)["Account"] == "111111111111"


def test_no_login_and_no_terminal_fail_with_the_login_hint(box, tmp_path):
    for command in ("assume dev", "assume --no-login dev"):
        result, env = _in_shell("bash", tmp_path, command)
        assert result.returncode == 4
        assert "rolecall: error: login required for sso-session corp" in result.stderr
        assert "hint: run: rolecall login --sso-session corp" in result.stderr
        assert "AWS_PROFILE" not in env
    assert box.count("CreateToken") == 0  # no terminal: no login was attempted


def test_duration_reaches_the_role_chain(box, rolecall, tmp_path):
    _login()
    result, env = _in_shell("bash", tmp_path, "assume -d 20m chained")
    assert result.returncode == 0, result.stderr
    left = (datetime.fromisoformat(env["AWS_CREDENTIAL_EXPIRATION"]) - datetime.now(timezone.utc)).total_seconds()
    assert 1100 < left <= 1200
    assert _caller_identity(env)["Arn"].startswith("arn:aws:sts::111111111111:assumed-role/deploy/")
    result = subprocess.run([sys.executable, "-m", "rolecall", "assume", "--shell", "bash", "-d", "20m", "dev"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "warning: --duration applies to role_arn profiles only; dev is a sso profile" in result.stderr


def test_exec_with_an_sso_profile(box, rolecall, tmp_path):
    _login()
    out = tmp_path / "id.json"
    code = ("import json, sys, botocore.session\n"
            "c = botocore.session.Session().create_client('sts', region_name='us-east-1')\n"
            f"json.dump(c.get_caller_identity()['Account'], open({str(out)!r}, 'w'))\n")
    result = rolecall("exec", "dev", "--", sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == "111111111111"


def test_export_expiry_is_the_cli_format(box, rolecall):
    _login()
    result = rolecall("export", "dev", "--format", "env")
    lines = result.stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY", "export AWS_SESSION_TOKEN",
        "export AWS_CREDENTIAL_EXPIRATION"]
    expiry = lines[3].split("=", 1)[1]
    # what `aws configure export-credentials` prints: datetime.isoformat() of an aware UTC time
    assert expiry == datetime.fromisoformat(expiry).astimezone(timezone.utc).isoformat()
    assert expiry.endswith("+00:00")
    process = json.loads(rolecall("export", "dev", "--format", "process").stdout)
    assert process["Expiration"] == expiry and process["Version"] == 1


@pytest.mark.parametrize("shell", SHELLS)
def test_console_url_reaches_stdout_not_eval(box, rolecall, tmp_path, shell):
    _login()
    result, env = _in_shell(shell, tmp_path, "assume -c --url dev")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(box.url + "/federation?Action=login&")
    assert "SigninToken=" in lines[0]
    assert "AWS_PROFILE" not in env  # -c changes nothing in the shell


def test_console_without_profile_uses_the_assumed_credentials(box, rolecall, tmp_path):
    _login()
    result, env = _in_shell("bash", tmp_path, "assume dev 2>/dev/null; assume -c --url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(box.url + "/federation?Action=login&")
    assert env["AWS_PROFILE"] == "dev"  # still the assumed profile
    assert box.count("GetRoleCredentials") == 1  # no second resolve: the shell's keys were used


def test_inline_login_in_a_terminal(box, tmp_path):
    """No token, a terminal: `assume` logs in (fake browser, PKCE) and carries on."""
    from tests.support.tools import require_tool
    from tests.shell.tmux import Tmux

    integration = tmp_path / "init.bash"
    integration.write_text(init_output("bash"), encoding="utf-8")
    log = tmp_path / "browser.log"
    env = dict(os.environ, ROLECALL_FAKE_BROWSER_LOG=str(log))
    term = Tmux([require_tool("bash"), "--noprofile", "--norc"], env, tmp_path)
    dump = tmp_path / "env.bin"
    try:
        term.type(f"source '{integration}'; assume dev; env -0 > '{dump}.tmp'; mv '{dump}.tmp' '{dump}'")
        term.send("Enter")
        term.wait_for_file(dump)
        screen = term.screen()
    finally:
        term.close()
    env_after = parse_env_dump(dump)
    assert env_after["AWS_PROFILE"] == "dev" and env_after["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert box.count("CreateToken:authorization_code") == 1
    assert "rolecall: assumed dev" in screen
    assert env_after["AWS_SECRET_ACCESS_KEY"] not in screen
