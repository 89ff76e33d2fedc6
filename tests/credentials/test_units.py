"""Pure pieces: cache keys against botocore's own fetchers, strict Version 1 parsing, the model."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from rolecall import awsconfig
from rolecall.credentials import PROFILE_CHAIN_ENV, Credentials, ProcessError, Resolver
from rolecall.credentials import assume_role, process_source, role_cache
from rolecall.errors import ConfigError


# --------------------------------------------------------------------------- cache keys

SSO_CASES = [
    pytest.param("111111111111", "AdministratorAccess", "sandbox", None, id="session"),
    pytest.param("222222222222", "ReadOnlyAccess", None, "https://example.awsapps.com/start", id="legacy"),
    pytest.param("222222222222", "ReadOnlyAccess", None, "https://example.awsapps.com/start/", id="legacy-slash"),
    pytest.param("333333333333", "Rôle-ünicode", "my session", None, id="unicode-and-space"),
    # botocore tests the session name for truth: an empty one keys by start URL (logout once disagreed)
    pytest.param("444444444444", "R", "", "https://example.awsapps.com/start", id="empty-session-name"),
]


@pytest.mark.parametrize(("account", "role", "session", "start_url"), SSO_CASES)
def test_sso_key_is_botocores(account, role, session, start_url):
    from botocore.credentials import SSOCredentialFetcher

    fetcher = SSOCredentialFetcher(start_url or "https://unused.example/start", "us-east-1", role, account,
                                   client_creator=None, sso_session_name=session)
    assert role_cache.sso_key(account, role, session_name=session, start_url=start_url) == fetcher._cache_key


ASSUME_CASES = [
    pytest.param({}, id="arn-only"),
    pytest.param({"RoleSessionName": "mine"}, id="session-name"),
    pytest.param({"ExternalId": "ext:1/2", "SerialNumber": "arn:aws:iam::111111111111:mfa/u",
                  "DurationSeconds": 900}, id="all"),
    pytest.param({"Policy": json.dumps({"Version": "2012-10-17", "Statement": []})}, id="policy"),
]


@pytest.mark.parametrize("extra", ASSUME_CASES)
def test_assume_role_key_is_botocores(extra):
    from botocore.credentials import AssumeRoleCredentialFetcher

    arn = "arn:aws:iam::222222222222:role/path/deploy"
    fetcher = AssumeRoleCredentialFetcher(client_creator=None, source_credentials=None, role_arn=arn,
                                          extra_args=dict(extra))
    key_args = {"RoleArn": arn, **extra}
    assert role_cache.assume_role_key(key_args) == fetcher._cache_key


def test_request_for_profile_builds_botocores_kwargs(aws_config):
    aws_config("[profile r]\nrole_arn = arn:aws:iam::222222222222:role/deploy\nsource_profile = s\n"
               "external_id = ext\nmfa_serial = arn:aws:iam::111111111111:mfa/u\nduration_seconds = 1200\n\n"
               "[profile s]\naws_access_key_id = A\naws_secret_access_key = B\n")
    config = awsconfig.load()
    request = assume_role.request_for(config, config.profile("r"))
    assert request.kwargs == {"RoleArn": "arn:aws:iam::222222222222:role/deploy", "ExternalId": "ext",
                              "SerialNumber": "arn:aws:iam::111111111111:mfa/u", "DurationSeconds": 1200}
    assert request.auto_session_name
    call = request.call_kwargs("123456")
    assert call["TokenCode"] == "123456" and call["RoleSessionName"].startswith("botocore-session-")
    assert "RoleSessionName" not in request.kwargs  # not in the key
    override = assume_role.request_for(config, config.profile("r"), duration_seconds=3600)
    assert override.kwargs["DurationSeconds"] == 3600 and override.cache_key != request.cache_key


@pytest.mark.parametrize(("arn", "role", "account"), [
    ("arn:aws:iam::222222222222:role/deploy", "deploy", "222222222222"),
    ("arn:aws:iam::222222222222:role/a/b/deploy", "deploy", "222222222222"),
    ("arn:aws-us-gov:iam::123456789012:role/x", "x", "123456789012"),
    ("not-an-arn", None, None),
])
def test_role_arn_parts(arn, role, account):
    assert assume_role.role_name_of(arn) == role
    assert assume_role.account_of(arn) == account


# --------------------------------------------------------------------------- Version 1 parsing

GOOD = {"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "SECRET", "SessionToken": "TOKEN",
        "Expiration": "2030-01-02T03:04:05Z"}


@pytest.mark.parametrize(("expiration", "expected"), [
    ("2030-01-02T03:04:05Z", datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    ("2030-01-02T04:04:05+01:00", datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
    ("2030-01-02T03:04:05.123000Z", datetime(2030, 1, 2, 3, 4, 5, 123000, tzinfo=timezone.utc)),
    ("2030-01-02T03:04:05UTC", datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
])
def test_parse_accepts_zoned_iso_timestamps(expiration, expected):
    creds = process_source.parse(json.dumps({**GOOD, "Expiration": expiration}), profile="p")
    assert creds.expiration == expected
    assert (creds.access_key_id, creds.secret_access_key, creds.session_token) == ("AKID", "SECRET", "TOKEN")


def test_parse_long_term_keys_without_token_or_expiration():
    creds = process_source.parse(b'{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"}', profile="p")
    assert creds.session_token is None and creds.expiration is None
    assert creds.process_json() == {"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S"}


@pytest.mark.parametrize(("stdout", "reason"), [
    pytest.param(b"", "not JSON", id="empty"),
    pytest.param(b"\xff\xfe", "not JSON", id="not-utf8"),
    pytest.param(b"AccessKeyId=SECRET", "not JSON", id="text"),
    pytest.param(b"[1]", "not an object", id="array"),
    pytest.param(json.dumps({**GOOD, "Version": 2}), "Version 2", id="version-2"),
    pytest.param(json.dumps({**GOOD, "Version": "1"}), 'Version "1"', id="version-string"),
    pytest.param(json.dumps({**GOOD, "Version": True}), "Version true", id="version-bool"),
    pytest.param(json.dumps({**GOOD, "Version": 1.0}), "Version 1.0", id="version-float"),
    pytest.param(json.dumps({k: v for k, v in GOOD.items() if k != "Version"}), "Version null", id="no-version"),
    pytest.param(json.dumps({k: v for k, v in GOOD.items() if k != "AccessKeyId"}), "no AccessKeyId",
                 id="no-akid"),
    pytest.param(json.dumps({**GOOD, "SecretAccessKey": ""}), "no SecretAccessKey", id="empty-secret"),
    pytest.param(json.dumps({**GOOD, "SessionToken": 5}), "SessionToken that is not a string", id="token-int"),
    pytest.param(json.dumps({**GOOD, "Expiration": "2030-01-02T03:04:05"}), "without a time zone",
                 id="naive-expiration"),
    pytest.param(json.dumps({**GOOD, "Expiration": "tomorrow"}), "not ISO 8601", id="bad-expiration"),
    pytest.param(json.dumps({**GOOD, "Expiration": 1893456000}), "not a string", id="epoch-expiration"),
])
def test_parse_rejects(stdout, reason):
    with pytest.raises(ProcessError) as info:
        process_source.parse(stdout, profile="p")
    assert reason in info.value.message
    assert "credential_process of profile 'p' printed" in info.value.message
    assert "SECRET" not in info.value.message  # stdout is never echoed


# --------------------------------------------------------------------------- model

def test_credentials_repr_hides_secrets():
    creds = Credentials("AKIDX", "SECRETX", "TOKENX", datetime(2030, 1, 1, tzinfo=timezone.utc), "1", "r", "p")
    assert "SECRETX" not in repr(creds) and "TOKENX" not in repr(creds)
    assert creds.process_json() == {"Version": 1, "AccessKeyId": "AKIDX", "SecretAccessKey": "SECRETX",
                                    "SessionToken": "TOKENX", "Expiration": "2030-01-01T00:00:00Z"}


def test_seconds_left():
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    creds = Credentials("A", "S", "T", now + timedelta(minutes=20))
    assert creds.seconds_left(now) == 1200
    assert Credentials("A", "S").seconds_left(now) is None


# --------------------------------------------------------------------------- cache behaviour

def _write_entry(home, key, expiration: datetime, **extra):
    path = home / ".aws" / "cli" / "cache" / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"ProviderType": "sso", "Credentials": {
        "AccessKeyId": "AKIDCACHED", "SecretAccessKey": "S", "SessionToken": "T",
        "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"), "AccountId": "111111111111", **extra}}
    path.write_text(json.dumps(entry))
    return path


@pytest.mark.parametrize(("minutes_left", "window", "hit"), [
    (60, 15 * 60, True), (16, 15 * 60, True), (14, 15 * 60, False), (14, 5 * 60, True), (-1, 0, False),
])
def test_role_cache_freshness(isolated_home, minutes_left, window, hit):
    key = role_cache.sso_key("111111111111", "R", session_name="s", start_url=None)
    _write_entry(isolated_home, key, datetime.now(timezone.utc) + timedelta(minutes=minutes_left))
    found = role_cache.RoleCache().fresh(key, window)
    assert (found is not None) == hit
    if hit:
        assert found.access_key_id == "AKIDCACHED" and found.account_id == "111111111111"


def test_incomplete_entry_is_ignored_with_warning(isolated_home, caplog):
    key = "k"
    path = _write_entry(isolated_home, key, datetime.now(timezone.utc) + timedelta(hours=1), SessionToken="")
    assert role_cache.RoleCache().load(key) is None
    assert str(path) in caplog.text and "corrupt" in caplog.text


def test_sso_cache_hit_needs_no_token(aws_config, isolated_home):
    """A cached role answer is used even with no SSO token at all (as the AWS CLI does)."""
    aws_config("[sso-session s]\nsso_start_url = https://x.invalid/start\nsso_region = us-east-1\n\n"
               "[profile p]\nsso_session = s\nsso_account_id = 111111111111\nsso_role_name = R\n")
    key = role_cache.sso_key("111111111111", "R", session_name="s", start_url=None)
    _write_entry(isolated_home, key, datetime.now(timezone.utc) + timedelta(hours=1))
    creds = Resolver(awsconfig.load()).resolve("p")
    assert (creds.access_key_id, creds.role_name, creds.profile) == ("AKIDCACHED", "R", "p")


def test_inherited_profile_chain_is_a_loop(aws_config, monkeypatch):
    aws_config("[profile p]\naws_access_key_id = A\naws_secret_access_key = B\n")
    monkeypatch.setenv(PROFILE_CHAIN_ENV, json.dumps(["outer", "p"]))
    with pytest.raises(ConfigError) as info:
        Resolver(awsconfig.load()).resolve("p")
    assert "credential_process loop: outer -> p -> p" in info.value.message
    monkeypatch.setenv(PROFILE_CHAIN_ENV, json.dumps(["outer"]))
    assert Resolver(awsconfig.load()).resolve("p").access_key_id == "A"


@pytest.mark.parametrize("raw", ["", "not json", '{"a": 1}', "[1, 2]"])
def test_malformed_chain_env_is_ignored(monkeypatch, raw):
    monkeypatch.setenv(PROFILE_CHAIN_ENV, raw)
    assert process_source.inherited_chain() == []


def test_process_source_gets_the_chain(aws_config, tmp_path):
    import sys

    script = tmp_path / "show.py"
    script.write_text("import json, os, sys\n"
                      f"chain = json.loads(os.environ[{PROFILE_CHAIN_ENV!r}])\n"
                      "print(json.dumps({'Version': 1, 'AccessKeyId': '|'.join(chain), 'SecretAccessKey': 's'}))\n")
    aws_config(f"[profile proc]\ncredential_process = {sys.executable} {script}\n")
    assert Resolver(awsconfig.load()).resolve("proc").access_key_id == "proc"


def test_process_command_not_found(aws_config):
    aws_config("[profile proc]\ncredential_process = /nonexistent/helper --flag\n")
    with pytest.raises(ConfigError) as info:
        Resolver(awsconfig.load()).resolve("proc")
    assert "[profile proc] credential_process: command not found: /nonexistent/helper" in info.value.message


def test_process_command_is_not_run_through_a_shell(aws_config, tmp_path):
    import sys

    marker = tmp_path / "pwned"
    script = tmp_path / "args.py"
    script.write_text("import json, sys\nprint(json.dumps({'Version': 1, 'AccessKeyId': json.dumps(sys.argv[1:]),"
                      " 'SecretAccessKey': 's'}))\n")
    aws_config(f"[profile proc]\ncredential_process = {sys.executable} {script} '$HOME' ~ \"a b\" ;touch {marker}\n")
    creds = Resolver(awsconfig.load()).resolve("proc")
    assert json.loads(creds.access_key_id) == ["$HOME", "~", "a b", ";touch", str(marker)]
    assert not marker.exists()
