"""Refresh an SSO token with its refresh token, once, however many processes ask.

Parallel SDK processes (terraform providers, credential_process) all notice
the same expiring token at once. They serialise on a file lock next to the
token file; whoever gets the lock second re-reads the file and finds the
token already refreshed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from rolecall import fileio
from rolecall.errors import AwsError, EndpointError, RolecallError
from rolecall.log import log
from rolecall.sso import oidc
from rolecall.sso.target import SsoTarget
from rolecall.sso.tokens import TokenInfo, build_token, read_info, start_url_mismatch, write_token


def refresh_locked(target: SsoTarget, *, window_seconds: float, now: Callable[[], datetime]) -> str:
    """The access token after a refresh under the token's lock (see module docstring)."""
    lock = fileio.file_lock(target.token_path)
    try:
        lock.acquire()
    except fileio.LockTimeout:
        raise RolecallError(
            f"timed out waiting for the lock on {target.token_path} (another rolecall is refreshing)",
            hint="try again; if it persists, run: rolecall doctor",
        ) from None
    try:
        info = read_info(target)  # again: another process may have refreshed meanwhile
        if info is None:
            raise target.login_required("no cached token")
        mismatch = start_url_mismatch(target, info)
        if mismatch:
            raise target.login_required(mismatch)
        if info.remaining(now()) >= window_seconds:
            return info.access_token
        if not info.refreshable(now()):
            if info.remaining(now()) > 0:
                return info.access_token
            raise target.login_required("token expired; " + info.why_not_refreshable())
        try:
            token = refresh(target, info, now)
        except (AwsError, EndpointError) as exc:
            if isinstance(exc, AwsError) and exc.code == "InvalidClientException":
                # Its client is gone for good: the next login must register a new one.
                from rolecall.sso import registration

                registration.forget(target, info.data["clientId"])
            if info.remaining(now()) > 0:
                log.debug("token refresh for %s failed (%s); the current token is still valid",
                          target.label, exc.message)
                return info.access_token
            if isinstance(exc, AwsError) and exc.code in oidc.REJECTED_CODES:
                raise target.login_required(f"token expired and its refresh was refused: {exc.code}") from None
            raise
        write_token(target, token)
        log.debug("refreshed the SSO token of %s", target.label)
        return token["accessToken"]
    finally:
        lock.release()


def refresh(target: SsoTarget, info: TokenInfo, now: Callable[[], datetime]) -> dict:
    """CreateToken grantType=refresh_token → the new token file content (not written)."""
    from rolecall import aws

    data = info.data
    client = oidc.client(target)
    response = aws.call(
        client, "create_token",
        grantType="refresh_token", clientId=data["clientId"], clientSecret=data["clientSecret"],
        refreshToken=data["refreshToken"], require=("accessToken", "expiresIn"),
    )
    registration = {"clientId": data["clientId"], "clientSecret": data["clientSecret"],
                    "expiresAt": data["registrationExpiresAt"]}
    return build_token(target, response, registration, now())
