"""What `rolecall status` reports: SSO tokens and cached role credentials, never secrets.

Everything here is built from whitelisted fields; a token or key never enters
the returned dictionaries.
"""

from __future__ import annotations

from datetime import datetime

from rolecall import clock, fileio
from rolecall.awsconfig import AwsConfig
from rolecall.credentials import role_cache
from rolecall.sso.logout import profiles_of
from rolecall.sso.target import SsoTarget, all_targets
from rolecall.sso.tokens import STATE_ABSENT, state_of


def token_rows(targets: list[SsoTarget], now: datetime | None = None) -> list[dict]:
    now = now or clock.utcnow()
    rows = []
    for target in targets:
        state, info = state_of(target, now)
        rows.append({
            "sso_session": target.session_name,
            "profile": target.profile_name if target.is_legacy else None,
            "start_url": target.start_url,
            "region": target.region,
            "state": state,
            "expires_at": clock.format_timestamp(info.expires_at) if info else None,
            "seconds_left": max(0, int(info.remaining(now))) if info else None,
            "refreshable": bool(info and info.refreshable(now)),
            "login_command": target.login_command,
            "token_file": str(target.token_path) if state != STATE_ABSENT else None,
        })
    return sorted(rows, key=lambda row: (row["sso_session"] or "\uffff", row["profile"] or ""))


def _role_index(config: AwsConfig) -> dict[str, tuple[str, str, str, str]]:
    """cli-cache file name → (profile, account, role, sso-session or start URL) for every SSO profile."""
    index: dict[str, tuple[str, str, str, str]] = {}
    for target in all_targets(config):
        for profile, account, role in profiles_of(config, target):
            key = role_cache.sso_key(account, role, session_name=target.session_name, start_url=target.start_url)
            index.setdefault(key + ".json", (profile, account, role, target.session_name or target.start_url))
    return index


def credential_rows(config: AwsConfig, now: datetime | None = None) -> list[dict]:
    now = now or clock.utcnow()
    files = role_cache.cache_files()
    if not files:
        return []
    index = _role_index(config)
    rows = []
    for path in files:
        entry = fileio.read_json(path)
        if entry is None or not isinstance(entry.get("Credentials"), dict):
            continue
        creds = entry["Credentials"]
        provider = entry.get("ProviderType") or ("assume-role" if "AssumedRoleUser" in entry else "unknown")
        profile, account, role, session = index.get(path.name, (None, creds.get("AccountId"), None, None))
        raw_user = entry.get("AssumedRoleUser")
        user = raw_user if isinstance(raw_user, dict) else {}
        arn = user.get("Arn")
        if isinstance(arn, str) and ":assumed-role/" in arn:
            account = account or arn.split(":")[4]
            role = role or arn.split(":assumed-role/", 1)[1].split("/")[0]
        expires = None
        try:
            expires = clock.parse_timestamp(str(creds.get("Expiration")))
        except ValueError:
            pass
        rows.append({
            "file": path.name,
            "provider": provider,
            "profile": profile,
            "account_id": account if isinstance(account, str) else None,
            "role": role,
            "sso_session": session,
            "expires_at": clock.format_timestamp(expires) if expires else None,
            "seconds_left": int((expires - now).total_seconds()) if expires else None,
            "state": ("valid" if expires and expires > now else "expired") if expires else "unknown",
        })
    # by session (role-chain entries last), then profile
    return sorted(rows, key=lambda row: (row["sso_session"] is None, row["sso_session"] or "",
                                         row["profile"] or "\uffff", row["file"]))


