"""The Profile/SsoSession model and validation errors (file, section, key, line)."""

from __future__ import annotations

import pytest

from rolecall import awsconfig
from rolecall.errors import ConfigError, ProfileNotFound

from .corpus import SSO_CLI


def test_aws_configure_sso_output_models(aws_config):
    aws_config(SSO_CLI)
    cfg = awsconfig.load()
    p = cfg.profile("AdministratorAccess-123456789012")
    assert (p.kind, p.account_id, p.role_name, p.region, p.output) == (
        "sso", "123456789012", "AdministratorAccess", "us-west-2", "json")
    assert (p.sso_session, p.start_url, p.sso_region) == (
        "test", "https://my-sso-portal.awsapps.com/start", "us-east-1")
    s = cfg.session("test")
    assert s.scopes == ("sso:account:access",)
    assert cfg.profile("default").kind == "other"
    assert cfg.problems() == []


@pytest.mark.parametrize(
    "text, creds, name, kind",
    [
        ("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = b\n[profile b]\naws_access_key_id=A\naws_secret_access_key=B\n", None, "a", "role-chain"),
        ("[profile b]\naws_access_key_id=A\naws_secret_access_key=B\n", None, "b", "static"),
        ("[profile p]\ncredential_process = tool\n", None, "p", "process"),
        # Keys in the credentials file beat credential_process in config (botocore's order).
        ("[profile p]\ncredential_process = tool\n", "[p]\naws_access_key_id=A\naws_secret_access_key=B\n", "p", "static"),
        ("[profile l]\nsso_start_url=https://x/start\nsso_region=us-east-1\nsso_account_id=123456789012\nsso_role_name=R\n", None, "l", "sso-legacy"),
        ("[profile o]\nregion = us-east-1\n", None, "o", "other"),
    ],
    ids=["role-chain", "static", "process", "creds-file-beats-process", "legacy", "other"],
)
def test_kind_follows_botocore_provider_order(aws_config, text, creds, name, kind):
    aws_config(text, creds)
    assert awsconfig.load().profile(name).kind == kind


def test_missing_profile_error_has_hint(aws_config):
    aws_config("[profile a]\n")
    with pytest.raises(ProfileNotFound) as info:
        awsconfig.load().profile("nope")
    assert "nope" in str(info.value) and "rolecall list" in info.value.hint


def _problem(aws_config, text, name):
    path = aws_config(text)
    problems = awsconfig.load().profile_problems(name)
    assert problems, "expected a validation problem"
    return path, problems[0]


def test_missing_session_names_file_section_key_line(aws_config):
    path, err = _problem(aws_config, "[profile a]\nsso_session = nope\nsso_account_id = 123456789012\nsso_role_name = R\n", "a")
    assert err.path == str(path) and err.section == "profile a" and err.key == "sso_session" and err.line == 2
    assert f"{path}:2" in str(err) and "rolecall config add-session" in err.hint


def test_account_id_must_be_12_digits(aws_config):
    _, err = _problem(aws_config, "[sso-session s]\nsso_start_url=https://x\nsso_region=us-east-1\n[profile a]\nsso_session = s\nsso_account_id = 12345\nsso_role_name = R\n", "a")
    assert err.key == "sso_account_id" and err.line == 6 and "12 digits" in str(err)


def test_profile_value_contradicting_session(aws_config):
    _, err = _problem(aws_config, "[sso-session s]\nsso_start_url=https://x\nsso_region=us-east-1\n[profile a]\nsso_session = s\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = R\n", "a")
    assert err.key == "sso_region" and "contradicts" in str(err)


def test_session_without_start_url(aws_config):
    _, err = _problem(aws_config, "[sso-session s]\nsso_region=us-east-1\n[profile a]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n", "a")
    assert err.section == "sso-session s" and err.line == 1 and "sso_start_url" in str(err)


def test_source_profile_cycle_names_the_chain(aws_config):
    text = ("[profile a]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = b\n"
            "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = c\n"
            "[profile c]\nrole_arn = arn:aws:iam::123456789012:role/z\nsource_profile = a\n")
    aws_config(text)
    with pytest.raises(ConfigError) as info:
        awsconfig.load().source_chain("a")
    assert "a -> b -> c -> a" in str(info.value)


def test_credential_source_with_source_profile(aws_config):
    _, err = _problem(aws_config, "[profile b]\naws_access_key_id=A\naws_secret_access_key=B\n[profile a]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = b\ncredential_source = Environment\n", "a")
    assert err.key == "credential_source" and "mutually exclusive" in str(err)


def test_duplicate_key_is_rejected_with_line(aws_config):
    path = aws_config("[profile a]\nregion = x\nregion = y\n")
    with pytest.raises(ConfigError) as info:
        awsconfig.load()
    assert info.value.line == 3 and info.value.section == "profile a" and str(path) in str(info.value)


def test_directory_instead_of_file(isolated_home, monkeypatch):
    d = isolated_home / "dir"
    d.mkdir()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(d))
    with pytest.raises(ConfigError) as info:
        awsconfig.load()
    assert "directory" in str(info.value) and "AWS_CONFIG_FILE" in info.value.hint


def test_binary_garbage_is_a_config_error(aws_config, isolated_home):
    (isolated_home / ".aws" / "config").write_bytes(b"\xff\xfe\x00garbage\x80")
    with pytest.raises(ConfigError) as info:
        awsconfig.load()
    assert "UTF-8" in str(info.value)


def test_missing_files_mean_no_profiles(isolated_home):
    cfg = awsconfig.load()
    assert cfg.profiles == {} and cfg.sessions == {}
