"""SSO profiles end to end: rolecall credential-process against the sandbox over HTTP."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from rolecall import awsconfig
from rolecall.credentials import Resolver
from rolecall.credentials import role_cache
from rolecall.errors import LoginRequired

from tests.support.sso import (
    BASE_CONFIG, DEV, REGION, SESSION, STAGING, START_URL, assert_no_secrets, caller_identity, cli_cache_files, cli_login,
    token_path,
)


def _process_json(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("\n")  # payload only
    return doc


def test_credential_process_prints_version1_json_for_a_role(rolecall, sandbox, logged_in):
    result = rolecall("credential-process", "--profile", "dev-admin")
    doc = _process_json(result)
    assert set(doc) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert doc["Version"] == 1
    assert doc["Expiration"].endswith("Z")
    expires = datetime.strptime(doc["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(minutes=50) < expires - datetime.now(timezone.utc) <= timedelta(hours=1)
    ident = caller_identity(doc)
    assert ident["Account"] == DEV
    assert ":assumed-role/AdministratorAccess/" in ident["Arn"]
    assert result.stderr == ""
    assert sandbox.count("GetRoleCredentials") == 1


def test_boto3_uses_rolecall_as_its_credential_process(sandbox, logged_in, aws_config):
    """A config `credential_process = … rolecall credential-process --profile P` works in boto3."""
    import boto3

    aws_config(BASE_CONFIG + f"""
[profile app]
credential_process = {sys.executable} -m rolecall credential-process --profile dev-ro
region = {REGION}
""")
    ident = boto3.Session(profile_name="app").client("sts").get_caller_identity()
    assert ident["Account"] == DEV
    assert ":assumed-role/ReadOnlyAccess/" in ident["Arn"]
    assert sandbox.count("GetRoleCredentials") == 1


def test_cache_entry_is_the_cli_format_under_the_cli_key(rolecall, sandbox, logged_in, isolated_home):
    doc = _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    key = role_cache.sso_key(DEV, "AdministratorAccess", session_name=SESSION, start_url=None)
    path = isolated_home / ".aws" / "cli" / "cache" / f"{key}.json"
    assert cli_cache_files(isolated_home) == [path]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    entry = json.loads(path.read_text())
    assert entry == {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": doc["AccessKeyId"], "SecretAccessKey": doc["SecretAccessKey"],
            "SessionToken": doc["SessionToken"], "Expiration": doc["Expiration"], "AccountId": DEV,
        },
    }
    # byte-for-byte what botocore's JSONFileCache writes (json.dumps defaults)
    assert path.read_text() == json.dumps(entry)


def test_second_call_is_a_cache_hit(rolecall, sandbox, logged_in):
    first = _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    second = _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    assert first == second
    assert sandbox.count("GetRoleCredentials") == 1


def test_legacy_profile_uses_start_url_key(rolecall, sandbox, logged_in, isolated_home):
    cli_login(isolated_home, session=None)
    doc = _process_json(rolecall("credential-process", "--profile", "legacy-staging"))
    assert caller_identity(doc)["Account"] == STAGING
    key = role_cache.sso_key(STAGING, "ReadOnlyAccess", session_name=None, start_url=START_URL)
    assert (isolated_home / ".aws" / "cli" / "cache" / f"{key}.json").exists()


def test_window_refetches_credentials_with_less_time_left(rolecall, sandbox, logged_in, isolated_home):
    first = _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    (path,) = cli_cache_files(isolated_home)
    entry = json.loads(path.read_text())
    soon = datetime.now(timezone.utc) + timedelta(minutes=10)
    entry["Credentials"]["Expiration"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(entry))
    # 10 min left ≥ a 5 min window: reused
    kept = Resolver(awsconfig.load(), window_seconds=5 * 60).resolve("dev-admin")
    assert kept.access_key_id == first["AccessKeyId"]
    assert sandbox.count("GetRoleCredentials") == 1
    # 10 min left < the 15 min default, and < --window 12: fetched again and the cache rewritten
    fresh = _process_json(rolecall("credential-process", "--profile", "dev-admin", "--window", "12"))
    assert fresh["AccessKeyId"] != first["AccessKeyId"]
    assert sandbox.count("GetRoleCredentials") == 2
    assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == fresh["AccessKeyId"]


def test_corrupt_cache_file_is_ignored_with_a_warning(rolecall, sandbox, logged_in, isolated_home):
    _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    (path,) = cli_cache_files(isolated_home)
    path.write_text('{"ProviderType": "sso", "Credentials": ')
    result = rolecall("credential-process", "--profile", "dev-admin")
    doc = _process_json(result)
    assert "corrupt cache file" in result.stderr and str(path) in result.stderr
    assert sandbox.count("GetRoleCredentials") == 2
    assert json.loads(path.read_text())["Credentials"]["AccessKeyId"] == doc["AccessKeyId"]


def test_no_token_is_login_required_exit_4(rolecall, sandbox, sso_config):
    result = rolecall("credential-process", "--profile", "dev-admin")
    assert result.returncode == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"rolecall: error: login required for sso-session {SESSION} ")
    assert lines[1] == f"hint: run: rolecall login --sso-session {SESSION}"
    assert len(lines) == 2
    assert sandbox.count("GetRoleCredentials") == 0


def test_rejected_token_is_login_required(rolecall, sandbox, logged_in):
    sandbox.expire_access_tokens()  # revoked server-side, still "valid" in the file
    result = rolecall("credential-process", "--profile", "dev-admin")
    assert result.returncode == 4, result.stderr
    assert "login required for sso-session sandbox (the SSO access token was rejected" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secrets(result.stderr, logged_in["accessToken"], logged_in["refreshToken"])


def test_auto_login_without_a_terminal_fails_fast(rolecall, sandbox, sso_config):
    """No /dev/tty (new session, no controlling terminal): the login-required error, no hang."""
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-m", "rolecall", "credential-process", "--profile", "dev-admin", "--auto-login"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, start_new_session=True, timeout=60,
    )
    assert result.returncode == 4, result.stderr
    assert "login required for sso-session sandbox (no terminal for --auto-login)" in result.stderr
    assert "hint: run: rolecall login --sso-session sandbox" in result.stderr
    assert sandbox.count("RegisterClient") == 0


def test_resolver_login_handler_is_called_then_used(sandbox, sso_config, isolated_home):
    calls = []

    def handler(target):
        calls.append(target.session_name)
        cli_login(isolated_home)

    creds = Resolver(awsconfig.load(), login_handler=handler).resolve("dev-ro")
    assert calls == [SESSION]
    assert creds.account_id == DEV and creds.role_name == "ReadOnlyAccess" and creds.profile == "dev-ro"
    assert caller_identity(creds.process_json())["Account"] == DEV


def test_resolver_without_handler_raises_login_required(sandbox, sso_config):
    with pytest.raises(LoginRequired) as info:
        Resolver(awsconfig.load()).resolve("dev-ro")
    assert info.value.session == SESSION
    assert info.value.hint == f"run: rolecall login --sso-session {SESSION}"


def test_expired_but_refreshable_token_is_refreshed(rolecall, sandbox, isolated_home, sso_config):
    old = cli_login(isolated_home, expires_in=-60)
    sandbox.reset_counts()
    doc = _process_json(rolecall("credential-process", "--profile", "dev-admin"))
    assert caller_identity(doc)["Account"] == DEV
    assert sandbox.count("CreateToken:refresh_token") == 1
    new = json.loads(token_path(isolated_home).read_text())
    assert new["accessToken"] != old["accessToken"]


def test_secrets_never_reach_stderr_even_with_debug(rolecall, sandbox, logged_in):
    result = rolecall("--debug", "credential-process", "--profile", "dev-admin")
    doc = _process_json(result)
    assert_no_secrets(result.stderr, doc["SecretAccessKey"], doc["SessionToken"], doc["AccessKeyId"],
                      logged_in["accessToken"], logged_in["refreshToken"], logged_in["clientSecret"])
