"""Roles without a profile: `assume --account-id A --role-name R`, `--chain ROLE_ARN`, `--save-as NAME`.

Each one is checked in a real shell against the sandbox, and its credentials
against botocore: the SSO role cache an ad-hoc role writes is the one the AWS
CLI (botocore's SSOProvider) reads for a profile with the same keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sso import (
    BASE_CONFIG, DEV, SESSION, STAGING, START_URL, aws_cli_credentials, botocore_session, cli_login,
)
from tests.support.shells import in_shell

ROLE = f"arn:aws:iam::{STAGING}:role/deploy"


@pytest.fixture
def signed_in(sandbox, aws_config, isolated_home):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    return sandbox


def _identity(env: dict[str, str]) -> dict:
    """GetCallerIdentity with the keys a shell holds (botocore's env provider)."""
    client = botocore_session().create_client(
        "sts", region_name="us-east-1", aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], aws_session_token=env["AWS_SESSION_TOKEN"])
    return client.get_caller_identity()


def _botocore_keys(profile: str) -> str:
    return aws_cli_credentials(Path(os.environ["HOME"]), profile).access_key


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_account_and_role_without_a_profile(signed_in, tmp_path, shell):
    result, env = in_shell(shell, tmp_path, f"assume --account-id {DEV} --role-name ReadOnlyAccess")
    assert result.returncode == 0, result.stderr
    assert "AWS_PROFILE" not in env  # there is no such profile: botocore would raise ProfileNotFound
    assert env["ROLECALL_PROFILE"] == f"{DEV}/ReadOnlyAccess"
    identity = _identity(env)
    assert identity["Account"] == DEV and "/ReadOnlyAccess/" in identity["Arn"]
    assert result.stderr.strip().splitlines()[-1].startswith(
        f"rolecall: assumed {DEV}/ReadOnlyAccess: account {DEV}, role ReadOnlyAccess, expires ")
    # the AWS CLI's role cache was used: botocore gives a profile with the same keys the same keys
    assert _botocore_keys("dev-ro") == env["AWS_ACCESS_KEY_ID"]
    assert signed_in.count("GetRoleCredentials") == 1


def test_the_shell_hook_renews_it_and_unset_forgets_it(signed_in, rolecall, tmp_path):
    result, env = in_shell("bash", tmp_path, f"assume --account-id {DEV} --role-name ReadOnlyAccess")
    assert result.returncode == 0, result.stderr
    request = json.loads(env["_ROLECALL_AD_HOC"])
    assert request == {"account_id": DEV, "role_name": "ReadOnlyAccess"}
    renewed = rolecall("assume", "--shell", "bash", "--renew", "--", env["ROLECALL_PROFILE"],
                       env={**env, "ROLECALL_REFRESH_WINDOW": "720"})  # wider than the keys live: new ones
    assert renewed.returncode == 0, renewed.stderr
    assert f"builtin export ROLECALL_PROFILE='{DEV}/ReadOnlyAccess'" in renewed.stdout
    assert "builtin unset AWS_PROFILE" in renewed.stdout or "AWS_PROFILE=" not in renewed.stdout
    assert signed_in.count("GetRoleCredentials") == 2
    result, after = in_shell("bash", tmp_path, "assume --unset", env=env)
    assert result.returncode == 0, result.stderr
    assert "_ROLECALL_AD_HOC" not in after and "ROLECALL_PROFILE" not in after


def test_the_session_must_be_named_when_there_are_two(signed_in, aws_config, rolecall):
    aws_config(BASE_CONFIG + f"\n[sso-session other]\nsso_start_url = {START_URL}2\nsso_region = us-east-1\n")
    result = rolecall("assume", "--shell", "bash", "--account-id", DEV, "--role-name", "ReadOnlyAccess")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rolecall: error: 2 sso-sessions in {os.environ['AWS_CONFIG_FILE']}: say which one has account {DEV}",
        "hint: add --sso-session other   (all: other, sandbox)"]
    named = rolecall("assume", "--shell", "bash", "--account-id", DEV, "--role-name", "ReadOnlyAccess",
                     "--sso-session", SESSION)
    assert named.returncode == 0, named.stderr


def test_a_start_url_instead_of_a_session(sandbox, aws_config, isolated_home, rolecall):
    aws_config("[profile other]\nregion = us-east-1\n")
    cli_login(isolated_home, session=None)  # the legacy token, keyed by the start URL
    result = rolecall("assume", "--shell", "bash", "--account-id", STAGING, "--role-name", "ReadOnlyAccess",
                      "--sso-start-url", START_URL, "--sso-region", "us-east-1")
    assert result.returncode == 0, result.stderr
    assert f"ROLECALL_PROFILE='{STAGING}/ReadOnlyAccess'" in result.stdout
    assert "rolecall: assumed" in result.stderr


def test_not_signed_in_says_the_command_that_signs_in(sandbox, aws_config, rolecall):
    aws_config(BASE_CONFIG)
    session = rolecall("assume", "--shell", "bash", "--no-login", "--account-id", DEV, "--role-name", "R")
    assert session.returncode == 4
    assert session.stderr.splitlines()[1] == f"hint: run: rolecall login --sso-session {SESSION}"
    portal = rolecall("assume", "--shell", "bash", "--no-login", "--account-id", DEV, "--role-name", "R",
                      "--sso-start-url", START_URL, "--sso-region", "us-east-1")
    assert portal.returncode == 4
    assert portal.stderr.splitlines()[1] == (f"hint: run: assume --account-id {DEV} --role-name R "
                                             f"--sso-start-url {START_URL} --sso-region us-east-1")


def test_chain_from_a_profile(signed_in, tmp_path):
    result, env = in_shell("bash", tmp_path, f"assume dev-admin --chain {ROLE}")
    assert result.returncode == 0, result.stderr
    identity = _identity(env)
    assert identity["Account"] == STAGING and ":assumed-role/deploy/" in identity["Arn"]
    assert env["ROLECALL_PROFILE"] == f"{STAGING}/deploy" and "AWS_PROFILE" not in env
    assert env["AWS_REGION"] == "eu-west-1"  # dev-admin's region
    # the same role as the profile that says so: botocore's AssumeRoleProvider finds it in the CLI cache
    assert _botocore_keys("staging-deploy") == env["AWS_ACCESS_KEY_ID"]


def test_chain_from_an_ad_hoc_role_and_the_one_hour_cap(signed_in, rolecall):
    result = rolecall("assume", "--shell", "bash", "--account-id", DEV, "--role-name", "AdministratorAccess",
                      "--chain", ROLE)
    assert result.returncode == 0, result.stderr
    assert f"ROLECALL_PROFILE='{STAGING}/deploy'" in result.stdout
    calls = signed_in.count("AssumeRole")
    capped = rolecall("assume", "--shell", "bash", "dev-admin", "--chain", ROLE, "-d", "2h")
    assert capped.returncode == 2
    assert f"by role chaining ({STAGING}/deploy → dev-admin)" in capped.stderr.splitlines()[0]
    assert signed_in.count("AssumeRole") == calls  # refused before the call


def test_save_as_writes_the_profile_and_uses_it(signed_in, rolecall, tmp_path, isolated_home):
    config = isolated_home / ".aws" / "config"
    before = config.read_text()
    result, env = in_shell("bash", tmp_path,
                           f"assume --account-id {STAGING} --role-name ReadOnlyAccess --save-as stg-ro -r eu-west-2")
    assert result.returncode == 0, result.stderr
    assert env["AWS_PROFILE"] == env["ROLECALL_PROFILE"] == "stg-ro" and "_ROLECALL_AD_HOC" not in env
    text = config.read_text()
    assert text.startswith(before)
    assert text[len(before):].strip().splitlines() == [
        "[profile stg-ro]", f"sso_session = {SESSION}", f"sso_account_id = {STAGING}",
        "sso_role_name = ReadOnlyAccess", "region = eu-west-2"]
    assert _botocore_keys("stg-ro") == env["AWS_ACCESS_KEY_ID"]
    # the same again is fine; another role under that name is refused, the file untouched
    again = rolecall("assume", "--shell", "bash", "--account-id", STAGING, "--role-name", "ReadOnlyAccess",
                     "--save-as", "stg-ro", "-r", "eu-west-2")
    assert again.returncode == 0, again.stderr
    clash = rolecall("assume", "--shell", "bash", "--account-id", DEV, "--role-name", "ReadOnlyAccess",
                     "--save-as", "stg-ro")
    assert clash.returncode == 2
    assert clash.stderr.splitlines()[0].startswith("rolecall: error: profile 'stg-ro' already exists in ")
    assert config.read_text() == text
    chained = rolecall("assume", "--shell", "bash", "stg-ro", "--chain", ROLE, "--save-as", "stg-deploy")
    assert chained.returncode == 0, chained.stderr
    assert "[profile stg-deploy]\nrole_arn = " + ROLE + "\nsource_profile = stg-ro\n" in config.read_text()


@pytest.mark.parametrize("args, message", [
    (["--account-id", DEV], "rolecall: error: a role without a profile also needs --role-name"),
    (["--account-id", "12", "--role-name", "R"], "rolecall: error: account id '12' is not 12 digits"),
    (["dev-admin", "--account-id", DEV, "--role-name", "R"],
     "rolecall: error: give a PROFILE or --account-id/--role-name, not both"),
    (["--chain", "arn:aws:iam::1:role/x", "dev-admin"], "rolecall: error: role ARN 'arn:aws:iam::1:role/x' is not"),
    (["-p", "--account-id", DEV, "--role-name", "R"],
     "rolecall: error: -p/--profile-only exports AWS_PROFILE, and a role without a profile has none"),
    (["--save-as", "x", "dev-admin"], "rolecall: error: --save-as goes with --account-id/--role-name or --chain"),
    (["--account-id", DEV, "--role-name", "R", "--chain", ROLE, "--save-as", "x"],
     "rolecall: error: --save-as saves one profile: save the SSO role first, then the chain"),
])
def test_bad_requests_are_one_line_errors(signed_in, rolecall, args, message):
    result = rolecall("assume", "--shell", "bash", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(message) and lines[1].startswith("hint: ") and len(lines) == 2
    assert signed_in.count("GetRoleCredentials") == 0


def test_exec_child_gets_the_keys_and_the_label(signed_in, rolecall, tmp_path):
    code = "import json, os; print(json.dumps({k: os.environ.get(k) for k in " \
           "('AWS_PROFILE', 'ROLECALL_PROFILE', 'AWS_ACCESS_KEY_ID')}))"
    result = rolecall("assume", "--account-id", DEV, "--role-name", "ReadOnlyAccess", "--exec", "--",
                      sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    child = json.loads(result.stdout)
    assert child["AWS_PROFILE"] is None and child["ROLECALL_PROFILE"] == f"{DEV}/ReadOnlyAccess"
    assert child["AWS_ACCESS_KEY_ID"] == _botocore_keys("dev-ro")


def test_completion_offers_what_config_generate_listed(signed_in, rolecall):
    listed = rolecall("config", "generate", "--sso-session", SESSION, "--dry-run")
    assert listed.returncode == 0, listed.stderr

    def offered(*words: str) -> list[str]:
        result = subprocess.run([sys.executable, "-m", "rolecall", "__complete", "fish", "--", "assume", *words],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    org = {account.id: account for account in signed_in.org.accounts}
    assert offered("--account-id", "") == [f"{a.id}\t{a.name}" for a in sorted(org.values(), key=lambda a: a.id)]
    assert offered("--account-id", DEV, "--role-name", "") == sorted(org[DEV].roles)
    assert set(offered("--role-name", "")) == {role for account in org.values() for role in account.roles}


def test_console_for_a_role_without_a_profile(signed_in, rolecall):
    result = rolecall("assume", "-c", "--url", "--account-id", DEV, "--role-name", "ReadOnlyAccess")
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert "SigninToken=" in url and url.startswith(os.environ["AWS_ENDPOINT_URL_SIGNIN"])
    assert signed_in.count("GetRoleCredentials") == 1
