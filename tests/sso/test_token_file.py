"""The token file, byte for byte the AWS CLI's, and read by botocore itself."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import timedelta

import pytest

from rolecall import clock
from rolecall.errors import LoginRequired
from rolecall.sso.login import login
from rolecall.sso.tokens import STATE_ABSENT, STATE_EXPIRED, STATE_REFRESHABLE, STATE_VALID, access_token, read_token, state_of

TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def test_file_bytes_modes_and_fields(sandbox, corp):
    token = login(corp, device_code=True)
    raw = corp.token_path.read_bytes()
    assert list(json.loads(raw)) == ["startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                                     "registrationExpiresAt", "refreshToken"]
    # botocore's JSONFileCache: json.dumps with default separators, no trailing newline
    assert raw == json.dumps(token).encode()
    import re
    assert re.fullmatch(TIMESTAMP, token["expiresAt"]) and re.fullmatch(TIMESTAMP, token["registrationExpiresAt"])
    left = (clock.parse_timestamp(token["expiresAt"]) - clock.utcnow()).total_seconds()
    assert 8 * 3600 - 60 < left <= 8 * 3600  # the sandbox's token_ttl
    assert stat.S_IMODE(os.stat(corp.token_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(corp.token_path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(corp.registration_path).st_mode) == 0o600
    leftovers = [p.name for p in corp.token_path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_loose_cache_dir_is_tightened(sandbox, corp, isolated_home):
    cache = isolated_home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True, mode=0o755)
    os.chmod(cache, 0o755)
    login(corp, device_code=True)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700


def test_no_refresh_token_field_when_none_returned(sandbox, corp, monkeypatch):
    from rolecall.sso import tokens

    target = corp
    response = {"accessToken": "a", "expiresIn": 3600}
    built = tokens.build_token(target, response, {"clientId": "c", "clientSecret": "s",
                                                   "expiresAt": "2030-01-01T00:00:00Z"}, clock.utcnow())
    assert "refreshToken" not in built


def test_botocore_loader_reads_it(sandbox, corp):
    from botocore.utils import JSONFileCache, SSOTokenLoader

    token = login(corp, device_code=True)
    loader = SSOTokenLoader(cache=JSONFileCache(str(corp.token_path.parent)))
    loaded = loader(corp.start_url, session_name="corp")
    assert loaded == token


@pytest.mark.parametrize("expires", ["2999-01-01T00:00:00UTC", "2999-01-01T00:00:00+00:00",
                                     "2999-01-01T00:00:00.123456Z", "2999-01-01T00:00:00Z"])
def test_other_iso_forms_are_read(corp, expires):
    corp.token_path.parent.mkdir(parents=True, exist_ok=True)
    corp.token_path.write_text(json.dumps({"startUrl": corp.start_url, "region": "us-east-1",
                                           "accessToken": "tok", "expiresAt": expires}))
    assert access_token(corp) == "tok"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", json.dumps({"accessToken": "x"}),
                                     json.dumps({"accessToken": "x", "expiresAt": "soon"})])
def test_corrupt_file_is_absent_with_a_warning(corp, caplog, content):
    corp.token_path.parent.mkdir(parents=True, exist_ok=True)
    corp.token_path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="rolecall"):
        assert read_token(corp) is None
        with pytest.raises(LoginRequired) as info:
            access_token(corp)
    assert info.value.hint == "run: rolecall login --sso-session corp"
    assert any(str(corp.token_path) in record.getMessage() for record in caplog.records)


def _write(corp, **fields):
    corp.token_path.parent.mkdir(parents=True, exist_ok=True)
    data = {"startUrl": corp.start_url, "region": "us-east-1", "accessToken": "tok"}
    data.update(fields)
    corp.token_path.write_text(json.dumps(data))


def _at(seconds):
    return clock.format_timestamp(clock.utcnow() + timedelta(seconds=seconds))


@pytest.mark.parametrize("fields, state, refreshable", [
    pytest.param(None, STATE_ABSENT, False, id="absent"),
    pytest.param({"expiresAt": _at(3600)}, STATE_VALID, False, id="valid-no-refresh"),
    pytest.param({"expiresAt": _at(-60), "refreshToken": "r", "clientId": "c", "clientSecret": "s",
                  "registrationExpiresAt": _at(86400)}, STATE_REFRESHABLE, True, id="refreshable"),
    pytest.param({"expiresAt": _at(-60), "refreshToken": "r", "clientId": "c", "clientSecret": "s",
                  "registrationExpiresAt": _at(-1)}, STATE_EXPIRED, False, id="registration-expired"),
    pytest.param({"expiresAt": _at(-60)}, STATE_EXPIRED, False, id="expired"),
])
def test_states(corp, fields, state, refreshable):
    if fields is not None:
        _write(corp, **fields)
    got, info = state_of(corp)
    assert got == state
    assert bool(info and info.refreshable()) is refreshable


def test_token_for_another_start_url_needs_login(corp):
    _write(corp, expiresAt=_at(3600), startUrl="https://elsewhere.invalid/start")
    with pytest.raises(LoginRequired, match="elsewhere.invalid"):
        access_token(corp)
