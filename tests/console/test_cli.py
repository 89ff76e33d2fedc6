"""`rolecall console` through the real CLI in a child process."""

from __future__ import annotations

import socket
import sys

import pytest

from tests.support.console import ACCOUNT, ROLE, creds_env, path_with, query_of


def _no_secrets(text: str, creds) -> None:
    assert creds.secret_access_key not in text
    assert creds.session_token not in text
    assert "SigninToken" not in text


def _one_line_error(proc, exit_code: int, needle: str) -> list[str]:
    assert proc.returncode == exit_code, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("rolecall: error: ") and needle in lines[0], proc.stderr
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines


def test_url_prints_exactly_the_url(sandbox, sso_creds, rolecall):
    proc = rolecall("console", "--url", "-s", "ec2", "-r", "eu-west-1", env=creds_env(sso_creds))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and proc.stdout == lines[0] + "\n"
    query = query_of(lines[0])
    assert lines[0].startswith(f"{sandbox.url}/federation?")
    assert query["Action"] == "login" and query["Issuer"] == "rolecall"
    assert query["Destination"] == "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    _no_secrets(proc.stderr, sso_creds)
    assert query["SigninToken"] not in proc.stderr


def test_region_from_environment(sandbox, sso_creds, rolecall):
    env = {**creds_env(sso_creds), "AWS_REGION": "us-gov-west-1", "AWS_DEFAULT_REGION": "eu-west-1"}
    proc = rolecall("console", "--url", "-s", "route53", env=env)
    assert proc.returncode == 0, proc.stderr
    # the sandbox stands in for the GovCloud signin host; the Destination is GovCloud's, no region (global)
    assert query_of(proc.stdout.strip())["Destination"] == "https://console.amazonaws-us-gov.com/route53/v2/home"


def test_opens_rolecall_browser_with_one_argument(sandbox, sso_creds, recorder, rolecall):
    env = {**creds_env(sso_creds), "ROLECALL_BROWSER": str(recorder.path)}
    proc = rolecall("console", "-s", "s3", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # the browser's chatter on stdout never reaches ours
    assert "opened the AWS console" in proc.stderr
    _no_secrets(proc.stderr, sso_creds)
    calls = recorder.calls()
    assert len(calls) == 1 and len(calls[0]) == 1
    url = calls[0][0]
    assert query_of(url)["Destination"] == "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1"
    assert query_of(url)["SigninToken"] not in proc.stderr


@pytest.mark.parametrize("template", ["{script} %s", "{script}"], ids=["with-%s", "appended"])
def test_opens_browser_variable(sandbox, sso_creds, recorder, rolecall, template):
    env = {**creds_env(sso_creds), "BROWSER": template.format(script=recorder.path)}
    proc = rolecall("console", "-s", "iam", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    calls = recorder.calls()
    assert len(calls) == 1 and len(calls[0]) == 1
    assert query_of(calls[0][0])["Destination"] == "https://console.aws.amazon.com/iam/home"


def test_copy_with_fake_xclip(sandbox, sso_creds, fake_xclip, recorder, rolecall):
    bindir, clip = fake_xclip
    env = {**creds_env(sso_creds), "DISPLAY": ":99", "PATH": path_with(bindir),
           "ROLECALL_BROWSER": str(recorder.path)}
    proc = rolecall("console", "--copy", "-s", "sqs", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "copied to the clipboard" in proc.stderr
    url = clip.read_text()
    assert query_of(url)["Destination"] == "https://us-east-1.console.aws.amazon.com/sqs/v3/home?region=us-east-1"
    assert url not in clip.with_name(clip.name + ".argv").read_text()  # via stdin, not argv
    assert recorder.calls() == []
    _no_secrets(proc.stderr, sso_creds)


def test_copy_and_url_together(sandbox, sso_creds, fake_xclip, rolecall):
    bindir, clip = fake_xclip
    env = {**creds_env(sso_creds), "DISPLAY": ":99", "PATH": path_with(bindir)}
    proc = rolecall("console", "--copy", "--url", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == clip.read_text() + "\n"


def test_no_clipboard(sandbox, sso_creds, rolecall):
    proc = rolecall("console", "--copy", env=creds_env(sso_creds))  # no DISPLAY / WAYLAND_DISPLAY
    lines = _one_line_error(proc, 1, "cannot copy to the clipboard")
    assert "xclip" in lines[1] and "--url" in lines[1]


def test_endpoint_down(sso_creds, rolecall):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**creds_env(sso_creds), "AWS_ENDPOINT_URL_SIGNIN": f"http://127.0.0.1:{port}"}
    _one_line_error(rolecall("console", "--url", env=env), 6, f"cannot reach http://127.0.0.1:{port}/federation")


def test_federation_400(sandbox, sso_creds, rolecall):
    env = {**creds_env(sso_creds), "AWS_SECRET_ACCESS_KEY": "forged"}
    proc = rolecall("console", "--url", env=env)
    _one_line_error(proc, 5, "rejected the credentials in this shell (HTTP 400")
    assert "forged" not in proc.stderr


def test_duration_out_of_range(sandbox, sso_creds, rolecall):
    proc = rolecall("console", "--url", "--duration", "60", env=creds_env(sso_creds))
    _one_line_error(proc, 2, "--duration must be between 900 and 43200 seconds")
    assert sandbox.count("GetSigninToken") == 0


def test_chained_role_duration(sandbox, chained_creds, rolecall):
    proc = rolecall("console", "--url", "--duration", "3600", env=creds_env(chained_creds))
    lines = _one_line_error(proc, 5, "credentials from a chained role")
    assert lines[1] == "hint: run the same command without --duration"
    _no_secrets(proc.stderr, chained_creds)


def test_no_session_token(sandbox, rolecall):
    env = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "long-term-secret"}
    proc = rolecall("console", "--url", env=env)
    _one_line_error(proc, 1, "no session token")
    assert "long-term-secret" not in proc.stderr
    assert sandbox.count("GetSigninToken") == 0


def test_nothing_to_sign_in_with(rolecall):
    lines = _one_line_error(rolecall("console", "--url"), 1, "no profile given and no AWS credentials")
    assert "rolecall console PROFILE" in lines[1]


def test_help(rolecall):
    proc = rolecall("console", "--help")
    assert proc.returncode == 0
    for option in ("--service", "--region", "--url", "--copy", "--duration"):
        assert option in proc.stdout


def test_fast_import():
    """`rolecall.console` itself pulls in neither botocore nor boto3 (assume -c imports it)."""
    import subprocess

    code = ("import sys, rolecall.console, rolecall.console_services; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3', 'click')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- profiles (rolecall.credentials resolves them) --------------------------------

SANDBOX_PROFILES = """\
[sso-session sandbox]
sso_start_url = https://rolecall-sandbox.invalid/start
sso_region = us-east-1

[profile dev]
sso_session = sandbox
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = eu-west-1

[profile deploy]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = dev
region = ap-northeast-1
"""


def write_cli_token(home, session: str, token: dict) -> None:
    """The token file as the AWS CLI writes it (botocore SSOTokenProvider): sha1(session name), UTC `Z` timestamps."""
    import hashlib
    import json
    from datetime import datetime, timedelta, timezone

    expires = datetime.now(timezone.utc) + timedelta(seconds=token["expiresIn"])
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    (cache / (hashlib.sha1(session.encode()).hexdigest() + ".json")).write_text(json.dumps({
        "startUrl": "https://rolecall-sandbox.invalid/start", "region": "us-east-1",
        "accessToken": token["accessToken"], "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }))


@pytest.fixture
def logged_in(sandbox, sso_token, aws_config, isolated_home):
    aws_config(SANDBOX_PROFILES)
    write_cli_token(isolated_home, "sandbox", sso_token)
    return sandbox


def test_sso_profile_url(logged_in, rolecall):
    proc = rolecall("console", "dev", "--url", "-s", "s3")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 1
    url = proc.stdout.strip()
    # the profile's region (eu-west-1) beats AWS_DEFAULT_REGION (us-east-1, set by the test fixture)
    assert query_of(url)["Destination"] == "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
    assert logged_in.count("GetRoleCredentials") == 1 and logged_in.count("GetSigninToken") == 1
    from tests.support.sandbox_clients import raw_get

    status, _, page = raw_get(url)
    assert status == 200 and f"signed in to sandbox-dev ({ACCOUNT})/{ROLE}" in page
    # the -r option beats the profile
    proc = rolecall("console", "dev", "--url", "-r", "eu-central-1", "--duration", "43200")
    assert proc.returncode == 0, proc.stderr
    assert query_of(proc.stdout.strip())["Destination"].endswith("?region=eu-central-1")


def test_aws_profile_when_no_profile_given(logged_in, rolecall):
    proc = rolecall("console", "--url", env={"AWS_PROFILE": "dev"})
    assert proc.returncode == 0, proc.stderr
    assert "region=eu-west-1" in query_of(proc.stdout.strip())["Destination"]


def test_chained_profile(logged_in, rolecall):
    proc = rolecall("console", "deploy", "--url", "--duration", "3600")
    lines = _one_line_error(proc, 2, "profile deploy gets its credentials by role chaining (deploy → dev)")
    assert lines[1] == "hint: run without --duration: rolecall console deploy"
    assert logged_in.count("GetSigninToken") == 0
    proc = rolecall("console", "deploy", "--url")
    assert proc.returncode == 0, proc.stderr
    from tests.support.sandbox_clients import raw_get

    status, _, page = raw_get(proc.stdout.strip())
    assert status == 200 and f"({ACCOUNT})/deploy" in page
    assert "ap-northeast-1" in query_of(proc.stdout.strip())["Destination"]


def test_login_required(sandbox, aws_config, rolecall):
    aws_config(SANDBOX_PROFILES)
    lines = _one_line_error(rolecall("console", "dev", "--url"), 4, "login required")
    assert "rolecall login" in lines[1]
    assert sandbox.count("GetSigninToken") == 0


def test_unknown_profile(sandbox, aws_config, rolecall):
    aws_config(SANDBOX_PROFILES)
    _one_line_error(rolecall("console", "nope", "--url"), 3, "profile 'nope' not found")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display-less Linux behaviour")
def test_no_browser_available(sandbox, sso_creds, rolecall):
    # no DISPLAY, no BROWSER, no ROLECALL_BROWSER: nothing to open, and no lynx taking over the terminal
    lines = _one_line_error(rolecall("console", env=creds_env(sso_creds)), 1, "no web browser could be opened")
    assert "--url" in lines[1]


def test_every_kind_of_profile_in_the_sandbox_config(sandbox, sso_token, aws_config, isolated_home, rolecall):
    """The config `rolecall sandbox start` writes: SSO, role-chain and credential_process profiles."""
    from rolecall.sandbox.profiles import SSO_SESSION, render_config
    from tests.support.sandbox_clients import raw_get

    text = aws_config(render_config(sandbox.org, url=sandbox.url)).read_text()
    write_cli_token(isolated_home, SSO_SESSION, sso_token)
    names = [line[len("[profile "):-1] for line in text.splitlines() if line.startswith("[profile ")]
    picks = [names[0], next(n for n in names if n.endswith("-chain")), next(n for n in names if n.endswith("-process"))]
    for name in picks:
        proc = rolecall("console", name, "--url", "-s", "cloudformation")
        assert proc.returncode == 0, (name, proc.stderr)
        url = proc.stdout.strip()
        assert query_of(url)["Destination"] == (
            f"https://{sandbox.org.region}.console.aws.amazon.com/cloudformation/home?region={sandbox.org.region}")
        status, _, page = raw_get(url)
        assert status == 200 and "signed in to" in page, name


def test_expired_shell_credentials(sandbox, sso_creds, rolecall):
    env = {**creds_env(sso_creds), "AWS_CREDENTIAL_EXPIRATION": "2020-01-01T00:00:00Z"}
    lines = _one_line_error(rolecall("console", "--url", env=env), 1,
                            "the credentials in this shell expired at 2020-01-01T00:00:00Z")
    assert lines[1] == "hint: get fresh ones: assume PROFILE"
    assert sandbox.count("GetSigninToken") == 0


def test_debug_output_keeps_secrets(sandbox, sso_creds, rolecall):
    env = {**creds_env(sso_creds), "AWS_CREDENTIAL_EXPIRATION": "2999-01-01T00:00:00Z"}
    proc = rolecall("--debug", "console", "--url", "--duration", "3600", "-s", "s3", env=env)
    assert proc.returncode == 0, proc.stderr
    _no_secrets(proc.stderr, sso_creds)
    assert query_of(proc.stdout.strip())["SigninToken"] not in proc.stderr
    # a failure traceback under --debug holds no secret either
    env["AWS_SECRET_ACCESS_KEY"] = "forged-secret-value"
    proc = rolecall("--debug", "console", "--url", env=env)
    assert proc.returncode == 5
    assert "forged-secret-value" not in proc.stderr and sso_creds.session_token not in proc.stderr
