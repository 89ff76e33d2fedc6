"""Corrupt token and role-credential cache files: treated as absent, with one warning line, never a crash."""

from __future__ import annotations

import json
import stat

import pytest

from rolecall.credentials import role_cache
from tests.support.faults import SESSION, assert_clean_error
from tests.support.sso import cache_files, token_path

TOKEN_CORRUPTIONS = {
    "binary": b"\x00\xff\xfe garbage \x80",
    "empty": b"",
    "truncated": b'{"startUrl": "https://rolecall-sandbox.invalid/start", "accessToken": "aoa',
    "json-array": b"[1, 2, 3]",
    "json-string": b'"accessToken"',
    "no-access-token": b'{"expiresAt": "2099-01-01T00:00:00Z"}',
    "access-token-not-a-string": b'{"accessToken": 12, "expiresAt": "2099-01-01T00:00:00Z"}',
    "no-expiry": b'{"accessToken": "aoa-x"}',
    "expiry-garbage": b'{"accessToken": "aoa-x", "expiresAt": "tomorrow-ish"}',
    "expiry-a-number": b'{"accessToken": "aoa-x", "expiresAt": 1700000000}',
}
ENTRY_CORRUPTIONS = {
    "binary": b"\x00\xff\xfe garbage",
    "truncated": b'{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA',
    "no-credentials": b'{"ProviderType": "sso"}',
    "credentials-a-list": b'{"ProviderType": "sso", "Credentials": []}',
    "missing-secret": b'{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SessionToken": "T", '
                      b'"Expiration": "2099-01-01T00:00:00Z"}}',
    "expiration-garbage": b'{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", '
                          b'"SessionToken": "T", "Expiration": "not a date"}}',
}


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("rolecall: WARNING:")]


@pytest.mark.parametrize("name", list(TOKEN_CORRUPTIONS))
def test_a_corrupt_token_file_is_a_login_required_with_one_warning(name, sso_home, zygote):
    home, names, _ = sso_home
    path = token_path(home, SESSION)
    path.write_bytes(TOKEN_CORRUPTIONS[name])
    cp, status, doctor = zygote.run([
        {"argv": ["credential-process", "--profile", names[0]]},
        {"argv": ["status", "--json"]},
        {"argv": ["doctor", "--offline", "--json"]},
    ])
    assert_clean_error(cp, 4, "login required for sso-session rel", "hint: run: rolecall login --sso-session rel")
    warned = warnings_of(cp.stderr)
    assert len(warned) == 1 and str(path) in warned[0], cp.stderr
    assert cp.stdout == ""
    for run in (status, doctor):
        assert "Traceback" not in run.stderr and run.returncode in (0, 1), run.stderr
        assert len(warnings_of(run.stderr)) <= 1, run.stderr
    rows = json.loads(status.stdout)["tokens"]
    assert [r["state"] for r in rows] == ["absent"]
    assert path.read_bytes() == TOKEN_CORRUPTIONS[name]  # reading never rewrites it


@pytest.mark.parametrize("name", list(ENTRY_CORRUPTIONS))
def test_a_corrupt_role_credential_entry_is_fetched_again_with_one_warning(name, sso_home, sandbox, zygote):
    home, names, _ = sso_home
    key = role_cache.sso_key("111111111111", "AdministratorAccess", session_name="rel", start_url=None)
    path = home / ".aws" / "cli" / "cache" / f"{key}.json"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(ENTRY_CORRUPTIONS[name])
    sandbox.reset_counts()
    (cp,) = zygote.run([{"argv": ["credential-process", "--profile", names[0]]}])
    assert cp.returncode == 0, cp.stderr
    assert "Traceback" not in cp.stderr
    lines = cp.stderr.splitlines()
    assert lines and all(str(path) in line and "ignoring corrupt cache file" in line for line in lines), lines
    doc = json.loads(cp.stdout)
    assert sandbox.count("GetRoleCredentials") == 1
    entry = json.loads(path.read_bytes())  # replaced by a complete entry
    assert entry["Credentials"]["AccessKeyId"] == doc["AccessKeyId"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_corrupt_client_registration_is_replaced_by_a_new_one(sandbox, aws_config, isolated_home, zygote):
    from tests.support.faults import SESSION, sandbox_config

    text, names = sandbox_config(sandbox.org, session=SESSION)
    aws_config(text)
    (first,) = zygote.run([{"argv": ["login", "--profile", names[0], "--device-code", "--no-browser"]}])
    assert first.returncode == 0, first.stderr
    registrations = [p for p in cache_files(isolated_home)
                     if "/sso/cache/" in str(p) and p != token_path(isolated_home, SESSION)]
    assert len(registrations) == 1
    registrations[0].write_bytes(b'{"clientId": "x", "clientSec')
    sandbox.reset_counts()
    # (--force: the token is still valid, and a plain `login` would only say so)
    (again,) = zygote.run([{"argv": ["login", "--profile", names[0], "--device-code", "--no-browser", "--force"]}])
    assert again.returncode == 0, again.stderr
    assert len(warnings_of(again.stderr)) == 1 and str(registrations[0]) in again.stderr
    assert sandbox.count("RegisterClient") == 1
    json.loads(registrations[0].read_bytes())  # a complete new registration


def test_a_corrupt_role_credential_entry_warns_once_with_the_rolecall_prefix(sso_home, zygote):
    home, names, _ = sso_home
    key = role_cache.sso_key("111111111111", "AdministratorAccess", session_name="rel", start_url=None)
    path = home / ".aws" / "cli" / "cache" / f"{key}.json"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(ENTRY_CORRUPTIONS["truncated"])
    (cp,) = zygote.run([{"argv": ["credential-process", "--profile", names[0]]}])
    assert cp.returncode == 0, cp.stderr
    assert warnings_of(cp.stderr) == cp.stderr.splitlines() and len(warnings_of(cp.stderr)) == 1, cp.stderr
