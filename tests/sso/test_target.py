"""Which login a profile / session / command line means, and the cache keys of each."""

from __future__ import annotations

import hashlib
import json

import pytest

from rolecall import awsconfig
from rolecall.errors import ConfigError, UsageError
from rolecall.sandbox.org import DEFAULT_START_URL
from rolecall.sso.target import SsoTarget, all_targets, select_targets, target_for_profile, target_for_session

from tests.support.sso_flows import CONFIG, LEGACY, OTHER_SESSION


def test_session_target_keys_match_botocore(config):
    from botocore.utils import SSOTokenLoader

    target = target_for_profile(config(), "dev")
    assert target == SsoTarget("corp", DEFAULT_START_URL, "us-east-1", ("sso:account:access",), "dev")
    assert target.cache_key == SSOTokenLoader()._generate_cache_key(DEFAULT_START_URL, "corp")
    assert target.token_path.name == hashlib.sha1(b"corp").hexdigest() + ".json"
    assert target.login_command == "rolecall login --sso-session corp"


def test_legacy_target_is_keyed_by_the_start_url_as_written(aws_config):
    from botocore.utils import SSOTokenLoader

    aws_config(CONFIG + LEGACY)
    target = target_for_profile(awsconfig.load(), "legacy")
    assert target.session_name is None and target.profile_name == "legacy"
    assert target.cache_key == SSOTokenLoader()._generate_cache_key(f"{DEFAULT_START_URL}/legacy", None)
    assert target.login_command == "rolecall login --profile legacy"
    err = target.login_required("no cached token")
    assert err.hint == "run: rolecall login --profile legacy" and err.exit_code == 4


def test_registration_key_is_the_aws_cli_formula(config):
    target = target_for_session(config(), "corp")
    expected = {"tool": "botocore", "startUrl": DEFAULT_START_URL, "region": "us-east-1",
                "scopes": ["sso:account:access"], "session_name": "corp"}
    assert target.registration_key == hashlib.sha1(json.dumps(expected, sort_keys=True).encode()).hexdigest()
    no_scopes = SsoTarget("corp", DEFAULT_START_URL, "us-east-1")
    expected["scopes"] = None
    assert no_scopes.registration_key == hashlib.sha1(json.dumps(expected, sort_keys=True).encode()).hexdigest()


def test_role_chain_logs_in_through_its_sso_source(config):
    assert target_for_profile(config(), "chained").session_name == "corp"


@pytest.mark.parametrize("profile, kind", [("static", "static"), ("other", "other")])
def test_non_sso_profile_is_a_clear_error(aws_config, profile, kind):
    aws_config(CONFIG + "\n[profile other]\nregion = eu-west-1\n")
    with pytest.raises(ConfigError) as info:
        target_for_profile(awsconfig.load(), profile)
    assert f"profile {profile!r} is a {kind} profile, not an SSO profile" in info.value.message
    assert "rolecall login --sso-session" in info.value.hint


def test_missing_session_is_named(aws_config):
    aws_config("[profile p]\nsso_session = nope\nsso_account_id = 111111111111\nsso_role_name = R\n")
    with pytest.raises(ConfigError, match="sso_session 'nope' does not exist"):
        target_for_profile(awsconfig.load(), "p")


def _select(text, **kwargs):
    return [t.session_name or t.profile_name for t in select_targets(awsconfig.load(), **kwargs)]


@pytest.mark.parametrize("text, kwargs, expected", [
    pytest.param(CONFIG, {}, ["corp"], id="only-session-is-default"),
    pytest.param(CONFIG + OTHER_SESSION, {"environ_profile": "other-admin"}, ["other"], id="aws-profile-wins"),
    pytest.param(CONFIG + OTHER_SESSION, {"session": "other"}, ["other"], id="explicit-session"),
    pytest.param(CONFIG + OTHER_SESSION + LEGACY, {"every": True}, ["corp", "other", "legacy"], id="all"),
    pytest.param(CONFIG + LEGACY, {"profile": "legacy"}, ["legacy"], id="legacy-profile"),
])
def test_select_targets(aws_config, text, kwargs, expected):
    aws_config(text)
    assert _select(text, **kwargs) == expected


def test_select_ambiguous_default_names_the_choices(aws_config):
    aws_config(CONFIG + OTHER_SESSION)
    with pytest.raises(UsageError) as info:
        _select("", )
    assert "corp" in info.value.message and "other" in info.value.message
    assert info.value.hint.startswith("run: rolecall login --sso-session corp")


def test_select_rejects_two_selectors(config):
    with pytest.raises(UsageError, match="--profile and --all cannot be used together"):
        select_targets(config(), profile="dev", every=True)


def test_all_targets_lists_each_legacy_start_url_once(aws_config):
    aws_config(CONFIG + LEGACY + LEGACY.replace("[profile legacy]", "[profile legacy2]"))
    legacy = [t for t in all_targets(awsconfig.load()) if t.is_legacy]
    assert [(t.start_url, t.profile_name) for t in legacy] == [(f"{DEFAULT_START_URL}/legacy", "legacy")]
