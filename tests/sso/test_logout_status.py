"""logout (Logout API + files) and status (states, never secrets)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from rolecall import awsconfig, clock, paths
from rolecall.sso.login import login
from rolecall.credentials.role_cache import sso_key as sso_role_cache_key
from rolecall.sso.logout import logout_target
from rolecall.sso.target import target_for_session

from tests.support.sso_flows import CONFIG, LEGACY, OTHER_SESSION


def role_cache_entry(account: str, role: str, session: str | None = None, start_url: str | None = None,
                     minutes: int = 60) -> str:
    """Write a CLI-format SSO role-credential entry; returns its file name."""
    key = sso_role_cache_key(account, role, session_name=session, start_url=start_url or "")
    entry = {"ProviderType": "sso", "Credentials": {
        "AccessKeyId": "ASIASECRETKEYID00001", "SecretAccessKey": "TOP-SECRET-ACCESS-KEY",
        "SessionToken": "TOP-SECRET-SESSION-TOKEN",
        "Expiration": clock.format_timestamp(clock.utcnow() + timedelta(minutes=minutes)), "AccountId": account}}
    directory = paths.cli_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{key}.json").write_text(json.dumps(entry))
    return f"{key}.json"


def assume_role_entry() -> str:
    entry = {"Credentials": {"AccessKeyId": "ASIAASSUMED", "SecretAccessKey": "TOP-SECRET-ACCESS-KEY",
                             "SessionToken": "TOP-SECRET-SESSION-TOKEN", "Expiration": "2999-01-01T00:00:00Z"},
             "AssumedRoleUser": {"AssumedRoleId": "AROAX:me",
                                 "Arn": "arn:aws:sts::111111111111:assumed-role/deploy/me"}}
    directory = paths.cli_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "assumed.json").write_text(json.dumps(entry))
    return "assumed.json"


def test_sso_role_cache_key_is_the_cli_formula():
    import hashlib
    expected = hashlib.sha1(b'{"accountId":"111111111111","roleName":"R","sessionName":"s"}').hexdigest()
    assert sso_role_cache_key("111111111111", "R", session_name="s", start_url="u") == expected
    legacy = hashlib.sha1(b'{"accountId":"111111111111","roleName":"R","startUrl":"u"}').hexdigest()
    assert sso_role_cache_key("111111111111", "R", session_name=None, start_url="u") == legacy


def test_logout_one_session(sandbox, aws_config, browser):
    aws_config(CONFIG + OTHER_SESSION)
    config = awsconfig.load()
    corp, other = target_for_session(config, "corp"), target_for_session(config, "other")
    token = login(corp)["accessToken"]
    login(other)
    mine = role_cache_entry("111111111111", "AdministratorAccess", session="corp")
    mine_too = role_cache_entry("222222222222", "ReadOnlyAccess", session="corp")
    theirs = role_cache_entry("444444444444", "AdministratorAccess", session="other")
    assumed = assume_role_entry()
    result = logout_target(config, corp)
    assert sandbox.count("Logout") == 1 and result.revoked == ["sso-session corp"]
    assert not corp.token_path.exists() and other.token_path.exists()
    assert sorted(result.credentials_deleted) == sorted([mine, mine_too])
    left = sorted(p.name for p in paths.cli_cache_dir().iterdir())
    assert left == sorted([theirs, assumed])
    from rolecall import aws
    from rolecall.errors import AwsError
    with pytest.raises(AwsError, match="UnauthorizedException"):  # revoked at the service
        aws.call(aws.client("sso", "us-east-1", profile="dev"), "list_accounts", accessToken=token)


def test_logout_expired_token_skips_the_api(sandbox, corp, browser, config):
    login(corp)
    data = json.loads(corp.token_path.read_text())
    data["expiresAt"] = "2001-01-01T00:00:00Z"
    corp.token_path.write_text(json.dumps(data))
    result = logout_target(config(), corp)
    assert sandbox.count("Logout") == 0 and result.tokens_deleted == ["sso-session corp"]
    assert not corp.token_path.exists()


def test_logout_api_failure_is_a_warning(sandbox, corp, browser, config, caplog, monkeypatch):
    monkeypatch.setattr("rolecall.aws.MAX_ATTEMPTS", 1)
    login(corp)
    sandbox.inject_fault("Logout", "error500", count=10)
    result = logout_target(config(), corp)
    assert not corp.token_path.exists()
    assert result.revoked == [] and len(result.warnings) == 1
    assert "could not revoke the token of sso-session corp" in result.warnings[0]
    assert result.warnings[0] in caplog.text


def test_logout_all_via_cli(sandbox, aws_config, browser, rolecall):
    aws_config(CONFIG + OTHER_SESSION + LEGACY)
    config = awsconfig.load()
    for name in ("corp", "other"):
        login(target_for_session(config, name))
    registrations = sorted(p.name for p in paths.sso_cache_dir().glob("*.json"))
    role_cache_entry("111111111111", "AdministratorAccess", session="corp")
    role_cache_entry("333333333333", "ReadOnlyAccess", start_url=LEGACY)
    assumed = assume_role_entry()
    result = rolecall("logout", "--all")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "logged out: 2 tokens deleted (2 revoked), 2 cached role credentials deleted\n"
    assert sandbox.count("Logout") == 2
    left = sorted(p.name for p in paths.sso_cache_dir().glob("*.json"))
    assert len(left) == len(registrations) - 2  # client registrations stay, as with `aws sso logout`
    assert [p.name for p in paths.cli_cache_dir().glob("*.json")] == [assumed]


def test_logout_cli_one_session(sandbox, corp, browser, rolecall):
    login(corp)
    role_cache_entry("111111111111", "AdministratorAccess", session="corp")
    result = rolecall("logout", "--sso-session", "corp")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ("logged out of sso-session corp (token revoked and deleted; "
                             "1 cached role credential deleted)\n")
    assert not corp.token_path.exists()


# -- status -------------------------------------------------------------------------------------

def test_status_json(sandbox, aws_config, browser, rolecall):
    aws_config(CONFIG + OTHER_SESSION + LEGACY)
    config = awsconfig.load()
    corp, other = target_for_session(config, "corp"), target_for_session(config, "other")
    secrets = [login(corp)["accessToken"], login(other)["accessToken"]]
    data = json.loads(other.token_path.read_text())
    data["expiresAt"] = "2001-01-01T00:00:00Z"
    other.token_path.write_text(json.dumps(data))
    secrets += [data["refreshToken"], data["clientSecret"]]
    role_cache_entry("111111111111", "AdministratorAccess", session="corp")
    role_cache_entry("222222222222", "ReadOnlyAccess", session="corp", minutes=-5)
    assume_role_entry()

    result = rolecall("status", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    tokens = {(t["sso_session"] or t["profile"]): t for t in report["tokens"]}
    assert set(tokens) == {"corp", "other", "legacy"}
    assert tokens["corp"]["state"] == "valid" and tokens["corp"]["refreshable"] is True
    assert tokens["other"]["state"] == "refreshable" and tokens["other"]["expires_at"] == "2001-01-01T00:00:00Z"
    assert tokens["legacy"]["state"] == "absent" and tokens["legacy"]["login_command"] == \
        "rolecall login --profile legacy"
    creds = sorted((c["profile"] or "-", c["account_id"], c["role"], c["provider"], c["state"])
                   for c in report["role_credentials"])
    assert creds == [
        ("-", "111111111111", "deploy", "assume-role", "valid"),
        ("dev", "111111111111", "AdministratorAccess", "sso", "valid"),
        ("staging-ro", "222222222222", "ReadOnlyAccess", "sso", "expired"),
    ]
    for secret in secrets + ["TOP-SECRET-ACCESS-KEY", "TOP-SECRET-SESSION-TOKEN"]:
        assert secret not in result.stdout and secret not in result.stderr
    table = rolecall("status")
    assert table.returncode == 0 and "refreshable" in table.stdout and "AdministratorAccess" in table.stdout
    for secret in secrets + ["TOP-SECRET-ACCESS-KEY", "TOP-SECRET-SESSION-TOKEN"]:
        assert secret not in table.stdout


def test_status_check_refreshes(sandbox, corp, browser, rolecall):
    login(corp)
    data = json.loads(corp.token_path.read_text())
    data["expiresAt"] = clock.format_timestamp(clock.utcnow() + timedelta(minutes=2))
    corp.token_path.write_text(json.dumps(data))
    result = rolecall("status", "--sso-session", "corp", "--check", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["tokens"][0]["seconds_left"] > 7 * 3600
    assert sandbox.count("CreateToken:refresh_token") == 1
