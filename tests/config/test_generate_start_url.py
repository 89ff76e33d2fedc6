"""`config generate --start-url URL --sso-region R`: from an empty config to every profile in one command."""

from __future__ import annotations

import configparser

from tests.support.cli import run_rolecall
from tests.support.sandboxes import fake_browser
from tests.support.sso import BASE_CONFIG, START_URL


def _sections(path) -> dict:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return {name: dict(parser[name]) for name in parser.sections()}


def test_from_nothing_to_every_profile(sandbox, isolated_home):
    config = isolated_home / ".aws" / "config"
    assert not config.exists()
    done = run_rolecall("config", "generate", "--start-url", START_URL, "--sso-region", "us-east-1",
                        env={"BROWSER": fake_browser()})
    assert done.returncode == 0, done.stderr
    sections = _sections(config)
    assert sections["sso-session rolecall-sandbox"]["sso_start_url"] == START_URL
    assert sections["sso-session rolecall-sandbox"]["sso_region"] == "us-east-1"
    profiles = [name for name in sections if name.startswith("profile ")]
    assert len(profiles) == sum(len(a.roles) for a in sandbox.org.accounts)
    assert sandbox.count("CreateToken:authorization_code") == 1  # signed in, as `rolecall login` does
    assert "logged in to sso-session rolecall-sandbox" in done.stderr
    listed = run_rolecall("list", "--names")
    assert "sandbox-dev/AdministratorAccess" in listed.stdout.split()
    # again: the token is valid and the session is reused, nothing is duplicated
    again = run_rolecall("config", "generate", "--start-url", START_URL, "--sso-region", "us-east-1")
    assert again.returncode == 0, again.stderr
    assert sandbox.count("CreateToken:authorization_code") == 1
    assert config.read_text().count("[sso-session") == 1


def test_no_login_fails_and_writes_nothing(sandbox, isolated_home):
    done = run_rolecall("config", "generate", "--start-url", START_URL, "--sso-region", "us-east-1", "--no-login")
    assert done.returncode == 4, done.stderr
    assert "rolecall login" in done.stderr and "hint:" in done.stderr
    assert not (isolated_home / ".aws" / "config").exists()


def test_the_session_name_can_be_given(sandbox, isolated_home):
    done = run_rolecall("config", "generate", "--start-url", START_URL, "--sso-region", "us-east-1",
                        "--sso-session", "corp", "--template", "{account_id}-{role_name}",
                        env={"BROWSER": fake_browser()})
    assert done.returncode == 0, done.stderr
    sections = _sections(isolated_home / ".aws" / "config")
    assert "sso-session corp" in sections and "profile 111111111111-AdministratorAccess" in sections


def test_the_only_session_is_the_default(sandbox, aws_config, isolated_home):
    from tests.support.sso import cli_login

    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    done = run_rolecall("config", "generate")
    assert done.returncode == 0, done.stderr
    assert "sso-session sandbox" in done.stderr


def test_two_sessions_need_a_choice(aws_config):
    aws_config(BASE_CONFIG + "\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
                             "sso_region = eu-west-1\n")
    done = run_rolecall("config", "generate")
    assert done.returncode == 2, done.stderr
    assert "--sso-session" in done.stderr and "other" in done.stderr and "sandbox" in done.stderr
