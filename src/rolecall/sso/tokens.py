"""The SSO token cache (`~/.aws/sso/cache/<sha1>.json`) and its refresh.

The file format is the AWS CLI's, byte for byte (botocore SSOTokenProvider), so botocore,
the AWS CLI and rolecall share one login. The cache-hit path of
`access_token` is stdlib only: botocore is imported only when a refresh is
really needed (`refresh_locked`).

Refreshing happens once, however many processes ask: parallel SDK processes
(terraform providers, credential_process) all notice the same expiring token
at once. They serialise on a file lock next to the token file; whoever gets
the lock second re-reads the file and finds the token already refreshed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from rolecall import clock, fileio
from rolecall.errors import AwsError, EndpointError, RolecallError
from rolecall.log import log
from rolecall.sso import oidc
from rolecall.sso.target import SsoTarget, all_targets, target_for_profile, target_for_session

__all__ = [
    "SsoTarget", "target_for_profile", "target_for_session", "all_targets",
    "read_token", "write_token", "token_info", "access_token", "TokenInfo", "build_token",
    "REFRESH_WINDOW", "STATE_VALID", "STATE_REFRESHABLE", "STATE_EXPIRED", "STATE_ABSENT",
]


REFRESH_WINDOW = 15 * 60  # seconds; botocore's advisory window
REFRESH_FIELDS = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")

STATE_VALID = "valid"
STATE_REFRESHABLE = "refreshable"  # expired (or about to be) but refreshable without a browser
STATE_EXPIRED = "expired"
STATE_ABSENT = "absent"


@dataclass(frozen=True)
class TokenInfo:
    """A parsed token file. `data` is the file's JSON object (holds secrets: never print it)."""

    data: dict
    expires_at: datetime
    registration_expires_at: datetime | None

    @property
    def access_token(self) -> str:
        return self.data["accessToken"]

    def remaining(self, now: datetime | None = None) -> float:
        return (self.expires_at - (now or clock.utcnow())).total_seconds()

    def missing_refresh_fields(self) -> list[str]:
        return [key for key in REFRESH_FIELDS if not self.data.get(key)]

    def refreshable(self, now: datetime | None = None) -> bool:
        if self.missing_refresh_fields() or self.registration_expires_at is None:
            return False
        return self.registration_expires_at > (now or clock.utcnow())

    def why_not_refreshable(self, now: datetime | None = None) -> str:
        missing = self.missing_refresh_fields()
        if missing:
            return "the cached token cannot be refreshed (no " + ", ".join(missing) + ")"
        return "the client registration has expired"

    def state(self, now: datetime | None = None) -> str:
        now = now or clock.utcnow()
        if self.remaining(now) > 0:
            return STATE_VALID
        return STATE_REFRESHABLE if self.refreshable(now) else STATE_EXPIRED


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return clock.parse_timestamp(value)
    except ValueError:
        return None


def token_info(data: dict | None, where: str = "token file") -> TokenInfo | None:
    if data is None:
        return None
    if not isinstance(data.get("accessToken"), str) or not data.get("accessToken"):
        log.warning("ignoring %s: no accessToken", where)
        return None
    expires_at = _parse(data.get("expiresAt"))
    if expires_at is None:
        log.warning("ignoring %s: expiresAt is missing or not a timestamp", where)
        return None
    return TokenInfo(data, expires_at, _parse(data.get("registrationExpiresAt")))


def read_token(target: SsoTarget) -> dict | None:
    """The cached token file of `target` (a dict with secrets), or None when absent or unusable."""
    info = read_info(target)
    return info.data if info is not None else None


def read_info(target: SsoTarget) -> TokenInfo | None:
    path = target.token_path
    return token_info(fileio.read_json(path), str(path))


def build_token(target: SsoTarget, response: dict, registration: dict, now: datetime) -> dict:
    """A token file's content from a CreateToken response, in the AWS CLI's field order."""
    token = {
        "startUrl": target.start_url,
        "region": target.region,
        "accessToken": response["accessToken"],
        "expiresAt": clock.format_timestamp(now + timedelta(seconds=int(response["expiresIn"]))),
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": registration["expiresAt"],
    }
    if response.get("refreshToken"):
        token["refreshToken"] = response["refreshToken"]
    return token


def write_token(target: SsoTarget, token: dict) -> None:
    """Write atomically, 0600 in a 0700 dir; json.dumps defaults, as botocore's JSONFileCache."""
    fileio.atomic_write(target.token_path, json.dumps(token), mode=0o600)


def access_token(
    target: SsoTarget,
    *,
    window_seconds: float = REFRESH_WINDOW,
    now: Callable[[], datetime] | None = None,
) -> str:
    """A usable access token for `target`, refreshed under a file lock when near expiry.

    Raises LoginRequired (hint: the exact login command) when there is no token
    or it cannot be refreshed; EndpointError / AwsError when the refresh could
    not reach or was refused by the service and the old token has expired.
    """
    now_fn = now or clock.utcnow
    info = read_info(target)
    if info is None:
        raise target.login_required("no cached token")
    mismatch = start_url_mismatch(target, info)
    if mismatch:
        raise target.login_required(mismatch)
    if info.remaining(now_fn()) >= window_seconds:
        return info.access_token  # the hot path: no lock, no botocore
    if not info.refreshable(now_fn()):
        if info.remaining(now_fn()) > 0:
            return info.access_token
        raise target.login_required("token expired; " + info.why_not_refreshable())
    return refresh_locked(target, window_seconds=window_seconds, now=now_fn)


def start_url_mismatch(target: SsoTarget, info: TokenInfo) -> str | None:
    """A token logged in against another start URL (config edited since) is of no use."""
    cached = info.data.get("startUrl")
    if isinstance(cached, str) and cached.rstrip("/") != target.start_url.rstrip("/"):
        return f"the cached token is for {cached}, not {target.start_url}"
    return None


SIGNED_IN_MIN_SECONDS = 15 * 60  # less left than this: `login` signs in again


def signed_in_until(target: SsoTarget, *, ask_portal: bool = False) -> datetime | None:
    """When the cached token for `target` ends, if it is valid for longer than SIGNED_IN_MIN_SECONDS.

    `ask_portal`: also make sure the portal still accepts it (a token revoked or signed out elsewhere
    looks valid on disk); one ListAccounts call. Only a rejection counts: any other failure (network)
    leaves the answer to the file.
    """
    info = read_info(target)
    if info is None or start_url_mismatch(target, info) or info.remaining() <= SIGNED_IN_MIN_SECONDS:
        return None
    if ask_portal and not _portal_accepts(target, info.access_token):
        return None
    return info.expires_at


def _portal_accepts(target: SsoTarget, access_token: str) -> bool:
    from rolecall import aws
    from rolecall.errors import AwsError

    client = aws.client("sso", target.region, profile=target.profile_name, attempts=1)
    try:
        aws.call(client, "list_accounts", accessToken=access_token, maxResults=1)
    except AwsError as exc:
        return exc.code != "UnauthorizedException"
    except RolecallError:
        return True
    return True


def state_of(target: SsoTarget, now: datetime | None = None) -> tuple[str, TokenInfo | None]:
    info = read_info(target)
    if info is None:
        return STATE_ABSENT, None
    return info.state(now), info


def refresh_locked(target: SsoTarget, *, window_seconds: float, now: Callable[[], datetime]) -> str:
    """The access token after a refresh under the token's lock (see module docstring)."""
    def timed_out() -> RolecallError:
        return RolecallError(
            f"timed out waiting for the lock on {target.token_path} (another rolecall is refreshing)",
            hint="try again; if it persists, run: rolecall doctor",
        )

    with fileio.holding(fileio.file_lock(target.token_path), timed_out):
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
