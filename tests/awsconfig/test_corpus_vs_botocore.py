"""rolecall's config reader and botocore's must agree on every corpus file."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import ConfigParseError

from rolecall import awsconfig
from rolecall.errors import ConfigError

from .corpus import CORPUS


def _botocore_view(config_path, credentials_path):
    session = botocore.session.Session()
    session.set_config_variable("config_file", str(config_path))
    session.set_config_variable("credentials_file", str(credentials_path))
    full = session.full_config
    return full["profiles"], full.get("sso_sessions", {}), full.get("services", {})


def _write(home, config_text, credentials_text):
    config_path = home / ".aws" / "config"
    credentials_path = home / ".aws" / "credentials"
    config_path.write_bytes(config_text.encode("utf-8"))
    if credentials_text is not None:
        credentials_path.write_bytes(credentials_text.encode("utf-8"))
    return config_path, credentials_path


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("case", sorted(CORPUS), ids=sorted(CORPUS))
def test_same_profiles_and_values_or_same_rejection(case, isolated_home):
    config_path, credentials_path = _write(isolated_home, *CORPUS[case])
    try:
        expected = _botocore_view(config_path, credentials_path)
    except ConfigParseError:
        expected = None
    try:
        got = awsconfig.load(config_path, credentials_path)
    except ConfigError as exc:
        assert expected is None, f"rolecall rejected what botocore accepts: {exc}"
        # The rejection names the file.
        assert str(config_path) in str(exc) or str(credentials_path) in str(exc)
        return
    assert expected is not None, "botocore rejects this file but rolecall accepted it"
    profiles, sessions, services = expected
    assert {k: dict(v) for k, v in got.raw_profiles.items()} == profiles
    assert {k: dict(v) for k, v in got.raw_sessions.items()} == sessions
    assert {k: dict(v) for k, v in got.services.items()} == services
    assert set(got.profiles) == set(profiles)
