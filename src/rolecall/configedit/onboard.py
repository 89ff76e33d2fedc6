"""`config generate --start-url URL --sso-region R`: from nothing to every profile in one command.

The sso-session is found (one with this start URL) or added (named after the
start URL's first host label unless named), the user is signed in when there is
no valid token (through the login handler passed in: core never prompts), and
then `generate` writes one profile per account and role. With no login allowed,
a missing token fails before anything is written.
"""

from __future__ import annotations

import re
from typing import Callable
from urllib.parse import urlsplit

from rolecall import awsconfig
from rolecall.errors import UsageError

DEFAULT_SCOPES = "sso:account:access"


def session_name_for(start_url: str) -> str:
    """`https://my-org.awsapps.com/start` → `my-org`."""
    host = (urlsplit(start_url.strip()).hostname or "").split(".")[0]
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", host).strip("-")
    return name or "sso"


def only_session(config: awsconfig.AwsConfig) -> str:
    """The sso-session when there is exactly one."""
    names = sorted(config.sessions)
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError("there is no sso-session to generate profiles from",
                         hint="run: rolecall config generate --start-url URL --sso-region REGION")
    raise UsageError(f"which sso-session? there are {len(names)}: {', '.join(names)}",
                     hint=f"run: rolecall config generate --sso-session {names[0]}")


def ensure_session(start_url: str, region: str, name: str | None, *,
                   ready: Callable[[str], bool] | None = None, dry_run: bool = False) -> tuple[str, bool]:
    """(the session's name, whether it was added). `ready(name)`: may it be written now (the
    no-login check, before anything changes)."""
    from rolecall.configedit import ops, validate

    validate.start_url(start_url)
    validate.region(region)
    config = awsconfig.load()
    for existing, session in sorted(config.sessions.items()):
        if (session.start_url or "").rstrip("/") == start_url.rstrip("/") and (name is None or name == existing):
            return existing, False
    chosen = name or session_name_for(start_url)
    if chosen in config.sessions:
        raise UsageError(f"sso-session {chosen!r} exists with another start URL "
                         f"({config.sessions[chosen].start_url})",
                         hint=f"name another one: rolecall config generate --start-url {start_url} "
                              f"--sso-region {region} --sso-session NAME")
    if ready is not None and not ready(chosen):
        return chosen, False
    ops.add_session(chosen, start_url, region, DEFAULT_SCOPES, dry_run=dry_run)
    return chosen, True
