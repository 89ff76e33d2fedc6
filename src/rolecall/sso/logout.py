"""Log out: revoke SSO tokens (Logout API), delete them and the role credentials they produced.

As `aws sso logout`: every token file gets a Logout call in its own region
(failures are warnings: the token may already be dead), then the file is
deleted, then `~/.aws/cli/cache` entries with ProviderType "sso" go.

For one target only that target's role credentials are deleted: the entries
whose cache key is one of its profiles' (account, role) pairs, and any other
"sso" entry for one of those profiles' accounts. `--all` deletes every "sso"
entry, as the AWS CLI does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rolecall import fileio, hot, paths
from rolecall.awsconfig import AwsConfig
from rolecall.credentials import role_cache
from rolecall.errors import AwsError, EndpointError
from rolecall.log import log
from rolecall.sso.target import SsoTarget
from rolecall.sso.tokens import token_info


@dataclass
class LogoutResult:
    tokens_deleted: list[str] = field(default_factory=list)     # labels / file names
    revoked: list[str] = field(default_factory=list)            # labels whose Logout call succeeded
    warnings: list[str] = field(default_factory=list)
    credentials_deleted: list[str] = field(default_factory=list)  # cli-cache file names


def profiles_of(config: AwsConfig, target: SsoTarget) -> list[tuple[str, str, str]]:
    """(profile, account, role) of every SSO profile that logs in through `target`."""
    found = []
    for name in sorted(config.profiles):
        p = config.profiles[name]
        if not p.is_sso or not p.account_id or not p.role_name:
            continue
        if target.session_name is not None and p.sso_session == target.session_name:
            found.append((name, p.account_id, p.role_name))
        elif target.session_name is None and p.sso_session is None and p.start_url == target.start_url:
            found.append((name, p.account_id, p.role_name))
    return found


def _revoke_and_delete(path: Path, label: str, result: LogoutResult, profile: str | None) -> None:
    info = token_info(fileio.read_json(path), str(path))
    if info is not None and info.remaining() > 0 and isinstance(info.data.get("region"), str):
        _revoke(info.data["region"], info.access_token, label, result, profile)
    try:
        path.unlink()
        result.tokens_deleted.append(label)
    except FileNotFoundError:
        pass


def _revoke(region: str, access_token: str, label: str, result: LogoutResult, profile: str | None) -> None:
    from rolecall import aws

    try:
        client = aws.client("sso", region, profile=profile)
        aws.call(client, "logout", accessToken=access_token)
        result.revoked.append(label)
    except (AwsError, EndpointError) as exc:
        message = f"could not revoke the token of {label} ({exc.message}); deleting it anyway"
        log.warning("%s", message)
        result.warnings.append(message)


def logout_target(config: AwsConfig, target: SsoTarget) -> LogoutResult:
    # Under the state lock, then the generation bumps: a resolve in flight stores
    # neither a memo nor a CLI cache entry from before the logout (rolecall.hot).
    with hot.forgetting():
        return _logout_target(config, target)


def _logout_target(config: AwsConfig, target: SsoTarget) -> LogoutResult:
    result = LogoutResult()
    _revoke_and_delete(target.token_path, target.label, result, target.profile_name or _any_profile(config))
    pairs = profiles_of(config, target)
    names = {
        role_cache.sso_key(account, role, session_name=target.session_name, start_url=target.start_url) + ".json"
        for _, account, role in pairs
    }
    accounts = {account for _, account, _ in pairs}
    for path in role_cache.cache_files():
        entry = fileio.read_json(path)
        if entry is None or entry.get("ProviderType") != "sso":
            continue
        raw = entry.get("Credentials")
        creds = raw if isinstance(raw, dict) else {}
        if path.name in names or creds.get("AccountId") in accounts:
            _delete(path, result)
    return result


def logout_all(config: AwsConfig) -> LogoutResult:
    """Every token file in the cache (whatever wrote it), then every "sso" role credential."""
    with hot.forgetting():
        return _logout_all(config)


def _logout_all(config: AwsConfig) -> LogoutResult:
    result = LogoutResult()
    known = {t.cache_key + ".json": t for t in _known_targets(config)}
    cache_dir = paths.sso_cache_dir()
    if cache_dir.is_dir():
        for path in sorted(cache_dir.glob("*.json")):
            data = fileio.read_json(path)
            if data is None or "accessToken" not in data:
                continue  # client registrations and strangers stay
            target = known.get(path.name)
            label = target.label if target else str(data.get("startUrl") or path.name)
            profile = target.profile_name if target and target.profile_name else _any_profile(config)
            _revoke_and_delete(path, label, result, profile)
    for path in role_cache.cache_files():
        entry = fileio.read_json(path)
        if entry is not None and entry.get("ProviderType") == "sso":
            _delete(path, result)
    return result


def _any_profile(config: AwsConfig) -> str | None:
    """Some existing profile whose settings the sso client may use (rolecall.aws.client needs
    one that exists when the config has no [default])."""
    if "default" in config.profiles or not config.profiles:
        return None
    return sorted(config.profiles)[0]


def _known_targets(config: AwsConfig) -> list[SsoTarget]:
    from rolecall.sso.target import all_targets

    return all_targets(config)


def _delete(path: Path, result: LogoutResult) -> None:
    try:
        os.unlink(path)
        result.credentials_deleted.append(path.name)
    except FileNotFoundError:
        pass


__all__ = ["LogoutResult", "logout_target", "logout_all", "profiles_of"]
