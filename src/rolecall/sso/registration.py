"""OIDC client registrations, cached like the AWS CLI's.

File `~/.aws/sso/cache/<SsoTarget.registration_key>.json`:
`{"clientId", "clientSecret", "expiresAt", "scopes"?, "grantTypes"?}`.
The AWS CLI keys both flows the same way and tells them apart by
`grantTypes` (only auth-code registrations have it): a registration made for
one flow is never used by the other, it is replaced. rolecall does the same,
so the two tools keep sharing one file.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, Callable, TypeVar

from rolecall import clock, fileio
from rolecall.log import log
from rolecall.sso.target import SsoTarget

FLOW_PKCE = "pkce"
FLOW_DEVICE = "device"
PKCE_GRANT_TYPES = ["authorization_code", "refresh_token"]
DEFAULT_SCOPE = "sso:account:access"
REDIRECT_URI = "http://127.0.0.1/oauth/callback"  # registered without a port (RFC 8252 §7.3)
REUSE_WINDOW = 15 * 60  # seconds; re-register when less is left, as the CLI does


def flow_of(registration: dict) -> str:
    grant_types = registration.get("grantTypes") or []
    return FLOW_PKCE if "authorization_code" in grant_types else FLOW_DEVICE


def cached(target: SsoTarget, flow: str, now: datetime | None = None) -> dict | None:
    """The cached registration for `flow`, if it has ≥ 15 minutes left."""
    path = target.registration_path
    data = fileio.read_json(path)
    if data is None:
        return None
    if not isinstance(data.get("clientId"), str) or not isinstance(data.get("clientSecret"), str):
        log.warning("ignoring client registration %s: no clientId/clientSecret", path)
        return None
    try:
        expires_at = clock.parse_timestamp(str(data.get("expiresAt")))
    except ValueError:
        log.warning("ignoring client registration %s: bad expiresAt", path)
        return None
    if (expires_at - (now or clock.utcnow())).total_seconds() < REUSE_WINDOW:
        return None
    if flow_of(data) != flow:
        return None
    return data


def scopes_for(target: SsoTarget, flow: str) -> list[str] | None:
    if target.scopes:
        return list(target.scopes)
    # The auth-code flow always asks for a scope (as the CLI). rolecall also asks for it in
    # the device flow of an sso-session: without a scope IAM Identity Center issues no
    # refresh token, and the token could not be renewed without a browser.
    if flow == FLOW_PKCE or not target.is_legacy:
        return [DEFAULT_SCOPE]
    return None


def client_name(target: SsoTarget, now: datetime) -> str:
    suffix = target.session_name if target.session_name is not None else str(int(now.timestamp()))
    return f"botocore-client-{suffix}"


def register(client: Any, target: SsoTarget, flow: str, now: datetime | None = None) -> dict:
    """RegisterClient for `flow`, cache the result (replacing any other flow's) and return it."""
    from rolecall import aws

    now = now or clock.utcnow()
    kwargs: dict[str, Any] = {"clientName": client_name(target, now), "clientType": "public"}
    scopes = scopes_for(target, flow)
    if flow == FLOW_PKCE:
        kwargs.update(grantTypes=list(PKCE_GRANT_TYPES), redirectUris=[REDIRECT_URI],
                      issuerUrl=target.start_url)
    if scopes:
        kwargs["scopes"] = scopes
    response = aws.call(client, "register_client", require=("clientId", "clientSecret"), **kwargs)
    registration: dict[str, Any] = {
        "clientId": response["clientId"],
        "clientSecret": response["clientSecret"],
        "expiresAt": clock.format_timestamp(
            datetime.fromtimestamp(int(response["clientSecretExpiresAt"]), timezone.utc)),
    }
    if scopes:
        registration["scopes"] = scopes
    if flow == FLOW_PKCE:
        registration["grantTypes"] = list(PKCE_GRANT_TYPES)
    fileio.atomic_write(target.registration_path, json.dumps(registration), mode=0o600)
    return registration


def get(client: Any, target: SsoTarget, flow: str, now: datetime | None = None) -> dict:
    return cached(target, flow, now) or register(client, target, flow, now)


T = TypeVar("T")
UNKNOWN_CLIENT = "InvalidClientException"


def using(client: Any, target: SsoTarget, flow: str, first_call: Callable[[dict], T], *,
          only_cached: bool = False) -> tuple[dict, T | None]:
    """(registration, first_call(registration)), registering again once if the server forgot the client.

    A registration can be invalidated on the server long before its
    `expiresAt` (IAM Identity Center reconfigured, the sandbox restarted);
    the cached file would then fail every login for good. `first_call` is the
    flow's first request that presents the client; on InvalidClientException
    the cached file goes and one new registration takes its place.
    `only_cached`: `first_call` is just a check, pointless for a registration
    made a moment ago (it is not run then; None stands for its result).
    """
    from rolecall.errors import AwsError

    registration = cached(target, flow)
    if registration is not None:
        try:
            return registration, first_call(registration)
        except AwsError as exc:
            if exc.code != UNKNOWN_CLIENT:
                raise
        log.info("the cached client registration for %s is no longer known to the server; "
                 "registering again", target.label)
        forget(target, registration["clientId"])
    registration = register(client, target, flow)
    return registration, (None if only_cached else first_call(registration))


def forget(target: SsoTarget, client_id: str) -> None:
    """Delete the cached registration if it is still `client_id` (not one another process just made)."""
    path = target.registration_path
    data = fileio.read_json(path)
    if isinstance(data, dict) and data.get("clientId") == client_id:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
