"""The device-authorization flow (RFC 8628), as the AWS CLI runs it.

StartDeviceAuthorization, one immediate CreateToken try (the client may be
pre-approved), then show the code + URL, open the browser, and poll at
`interval`: AuthorizationPending → keep polling, SlowDown → interval + 5 s,
ExpiredToken / AccessDenied → the login failed.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from rolecall import aws
from rolecall.errors import AwsError
from rolecall.sso.errors import LoginFailed
from rolecall.sso.oidc import DEVICE_GRANT
from rolecall.sso.target import SsoTarget
from rolecall.sso.ui import LoginUI

DEFAULT_INTERVAL = 5
SLOW_DOWN_DELAY = 5


def authorize(client: Any, target: SsoTarget, registration: dict) -> dict:
    return aws.call(client, "start_device_authorization", clientId=registration["clientId"],
                    clientSecret=registration["clientSecret"], startUrl=target.start_url,
                    require=("deviceCode", "userCode"))


def poll(
    client: Any,
    registration: dict,
    authorization: dict,
    ui: LoginUI,
    *,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> dict:
    """The CreateToken response once the user approves; LoginFailed otherwise."""
    interval = int(authorization.get("interval") or DEFAULT_INTERVAL)
    expires_in = float(authorization.get("expiresIn") or timeout)
    deadline = monotonic() + min(timeout, expires_in)

    def attempt() -> dict | None:
        nonlocal interval
        try:
            return aws.call(client, "create_token", grantType=DEVICE_GRANT,
                            clientId=registration["clientId"], clientSecret=registration["clientSecret"],
                            deviceCode=authorization["deviceCode"], require=("accessToken", "expiresIn"))
        except AwsError as exc:
            if exc.code == "AuthorizationPendingException":
                return None
            if exc.code == "SlowDownException":
                interval += SLOW_DOWN_DELAY
                return None
            if exc.code == "ExpiredTokenException":
                raise LoginFailed("the device code expired before it was approved",
                                  hint="run the login again and approve it in time") from None
            if exc.code == "AccessDeniedException":
                raise LoginFailed("sign-in was denied in the browser (access_denied)",
                                  hint="run the login again and choose Allow") from None
            raise

    token = attempt()  # pre-approved clients get a token without showing anything
    if token is not None:
        return token
    url = authorization.get("verificationUriComplete") or authorization["verificationUri"]
    ui.show_url(url, authorization.get("userCode"))
    ui.open_browser(url)
    countdown = getattr(ui, "waiting", None)  # (a UI without one shows nothing while it waits)
    while True:
        if countdown is not None:
            countdown(max(0.0, deadline - monotonic()))
        if monotonic() + interval > deadline:
            raise LoginFailed(
                f"timed out after {min(timeout, expires_in):g} s waiting for the device code to be approved",
                hint="run the login again and approve the code in the browser",
            )
        sleep(interval)
        token = attempt()
        if token is not None:
            if countdown is not None:
                countdown(-1)
            return token
