"""The AWS CLI's role-credential cache, `~/.aws/cli/cache/<key>.json`, shared both ways.

Keys and file format are botocore's (credentials.py `SSOCredentialFetcher` /
`BaseAssumeRoleCredentialFetcher._create_cache_key`, written through
`botocore.utils.JSONFileCache`), so an entry rolecall writes is a cache hit for
the AWS CLI and the reverse:

- SSO: sha1 of the minified, sorted JSON of accountId + roleName + sessionName
  (startUrl for legacy profiles); the file is
  {"ProviderType": "sso", "Credentials": {…, "Expiration": "%Y-%m-%dT%H:%M:%SZ", "AccountId"}}.
- AssumeRole: sha1 of json.dumps(assume_role_kwargs, sort_keys=True) with
  default separators and an auto-generated RoleSessionName left out; the file is
  the AssumeRole response, datetimes as JSONFileCache writes them (`%Y-%m-%dT%H:%M:%S%Z`).

Stdlib only: a cache hit is the hot path of `credential-process`.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from hashlib import sha1
from pathlib import Path
from typing import Any

from rolecall import clock, fileio, hot, paths
from rolecall.credentials.model import Credentials
from rolecall.log import log

# botocore's CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS, defined once in rolecall.hot
DEFAULT_WINDOW_SECONDS = hot.WINDOW_SECONDS


def _file_safe(name: str) -> str:
    # botocore's _make_file_safe (a no-op on a hex digest, kept for fidelity).
    name = name.replace(":", "_").replace(os.sep, "_")
    return name.replace("/", "_")


def sso_key(account_id: str, role_name: str, *, session_name: str | None, start_url: str | None) -> str:
    args: dict[str, Any] = {"roleName": role_name, "accountId": account_id}
    if session_name:
        args["sessionName"] = session_name
    else:
        args["startUrl"] = start_url
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return _file_safe(sha1(text.encode("utf-8")).hexdigest())


def cache_files(directory: Path | None = None) -> list[Path]:
    """Every entry file of the cache, sorted (the directory is read here only)."""
    directory = directory if directory is not None else paths.cli_cache_dir()
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.json"))


def assume_role_key(key_args: dict[str, Any]) -> str:
    """`key_args`: the AssumeRole kwargs without an auto-generated RoleSessionName."""
    args = dict(key_args)
    if "Policy" in args:  # botocore sorts the policy's keys by loading it
        args["Policy"] = json.loads(args["Policy"])
    text = json.dumps(args, sort_keys=True)
    return _file_safe(sha1(text.encode("utf-8")).hexdigest())


def _jsonfilecache_default(value: Any) -> Any:
    # JSONFileCache._serialize_if_needed (iso=False): tz name, so UTC → "…UTC".
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S%Z")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(entry: dict) -> str:
    """The bytes JSONFileCache would write for `entry`."""
    return json.dumps(entry, default=_jsonfilecache_default)


def sso_entry(access_key_id: str, secret: str, token: str, expiration_ms: int | float, account_id: str) -> dict:
    """The entry SSOCredentialFetcher caches for a GetRoleCredentials answer."""
    from datetime import timezone

    expires = datetime.fromtimestamp(expiration_ms / 1000.0, timezone.utc)
    return {
        "ProviderType": "sso",
        "Credentials": {
            "AccessKeyId": access_key_id,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "AccountId": account_id,
        },
    }


class RoleCache:
    """`~/.aws/cli/cache` as a keyed store of botocore-format entries."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else paths.cli_cache_dir()

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict | None:
        """The entry under `key`; None when absent or unusable (with a warning)."""
        path = self.path(key)
        entry = fileio.read_json(path)
        if entry is None:
            return None
        creds = entry.get("Credentials")
        if not isinstance(creds, dict) or not all(
            isinstance(creds.get(k), str) and creds.get(k)
            for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
        ):
            log.warning("ignoring corrupt cache file %s (no complete Credentials)", path)
            return None
        try:
            clock.parse_timestamp(creds["Expiration"])
        except ValueError:
            log.warning("ignoring corrupt cache file %s (bad Expiration)", path)
            return None
        return entry

    def store(self, key: str, entry: dict) -> None:
        fileio.atomic_write(self.path(key), dumps(entry), mode=0o600)

    def lock(self, key: str) -> Any:
        """Cross-process lock for fetching `key` (a sidecar `<key>.json.lock`)."""
        return fileio.file_lock(self.path(key))

    def fresh(self, key: str, window_seconds: float, *, profile: str | None = None,
              role_name: str | None = None) -> Credentials | None:
        """Cached credentials with at least `window_seconds` left, else None."""
        entry = self.load(key)
        if entry is None:
            return None
        creds = entry_credentials(entry, profile=profile, role_name=role_name)
        left = creds.seconds_left()
        if left is None or left < window_seconds:
            return None
        return creds


def entry_credentials(entry: dict, *, profile: str | None = None, role_name: str | None = None) -> Credentials:
    creds = entry["Credentials"]
    account_id = creds.get("AccountId") if isinstance(creds.get("AccountId"), str) else None
    return Credentials(
        access_key_id=creds["AccessKeyId"],
        secret_access_key=creds["SecretAccessKey"],
        session_token=creds["SessionToken"],
        expiration=clock.parse_timestamp(creds["Expiration"]),
        account_id=account_id,
        role_name=role_name,
        profile=profile,
    )
