"""Log in to IAM Identity Center and cache the token as the AWS CLI does.

PKCE (authorization code) is the default for sso-session targets; the device
code flow is used for legacy targets, on request, on headless machines (SSH
without a display) and when no browser could be opened.
"""

from __future__ import annotations

import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from rolecall import aws, clock, fileio
from rolecall.errors import UsageError
from rolecall.sso import device, oidc, pkce, registration
from rolecall.sso.errors import LoginFailed
from rolecall.sso.target import SsoTarget
from rolecall.sso.tokens import REFRESH_WINDOW, build_token, read_info, write_token
from rolecall.sso.ui import LoginUI, TerminalLoginUI, is_headless
from rolecall.log import log


DEFAULT_TIMEOUT = 600.0  # seconds the user has to finish the browser part


def login_timeout() -> float:
    raw = os.environ.get("ROLECALL_LOGIN_TIMEOUT")
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"ROLECALL_LOGIN_TIMEOUT must be a number of seconds, got {raw!r}",
                         hint="unset ROLECALL_LOGIN_TIMEOUT or set it to e.g. 600") from None
    if value <= 0:
        raise UsageError(f"ROLECALL_LOGIN_TIMEOUT must be positive, got {raw!r}",
                         hint="unset ROLECALL_LOGIN_TIMEOUT or set it to e.g. 600")
    return value


def login(
    target: SsoTarget,
    *,
    device_code: bool = False,
    ui: LoginUI | None = None,
    reuse_fresh: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Run a login flow for `target`, write the token file and return its content.

    `reuse_fresh=True` (for automatic logins from parallel processes) returns a
    token that another process finished while this one waited for the login
    lock, instead of opening a second browser tab. `sleep` paces device polling.
    """
    ui = ui if ui is not None else TerminalLoginUI()
    timeout = login_timeout()
    lock_path = target.token_path.with_name(target.token_path.name + ".login")
    with _login_lock(lock_path, timeout + 30):
        if reuse_fresh:
            info = read_info(target)
            if info is not None and info.remaining() >= REFRESH_WINDOW:
                return info.data
        client = oidc.client(target)
        use_device = device_code or target.is_legacy or is_headless()
        token = None
        if not use_device:
            token = _pkce(client, target, ui, timeout)
            if token is None:
                ui.info("could not open a browser; using the device code flow instead")
        if token is None:
            token = _device(client, target, ui, timeout, sleep)
        write_token(target, token)
        return token


@contextmanager
def _login_lock(path: Path, timeout: float) -> Iterator[None]:
    """One login per target at a time: parallel automatic logins must not open ten tabs."""
    lock = fileio.file_lock(path, timeout=timeout)
    try:
        lock.acquire()
    except fileio.LockTimeout:
        raise LoginFailed("timed out waiting for another login of the same target to finish",
                          hint="finish or cancel the other login, then run the login again") from None
    try:
        yield
    finally:
        lock.release()


def _pkce(client: object, target: SsoTarget, ui: LoginUI, timeout: float) -> dict | None:
    """The PKCE flow; None when the browser could not be opened (caller falls back)."""
    reg = registration.get(client, target, registration.FLOW_PKCE)
    verifier = pkce.new_verifier()
    state = str(uuid.uuid4())
    with pkce.CallbackServer(state) as server:
        url = pkce.authorize_url(
            oidc.endpoint(client), client_id=reg["clientId"], redirect_uri=server.redirect_uri,
            state=state, scopes=registration.scopes_for(target, registration.FLOW_PKCE) or [],
            code_challenge=pkce.challenge(verifier),
        )
        ui.show_url(url)
        opened = ui.open_browser(url)
        if not opened and ui.browser:
            return None
        code = server.wait(state, timeout)
        redirect_uri = server.redirect_uri
    response = aws.call(client, "create_token", grantType="authorization_code", clientId=reg["clientId"],
                        clientSecret=reg["clientSecret"], code=code, redirectUri=redirect_uri,
                        codeVerifier=verifier, require=("accessToken", "expiresIn"))
    return build_token(target, response, reg, clock.utcnow())


def _device(client: object, target: SsoTarget, ui: LoginUI, timeout: float,
            sleep: Callable[[float], None]) -> dict:
    reg = registration.get(client, target, registration.FLOW_DEVICE)
    authorization = device.authorize(client, target, reg)
    response = device.poll(client, reg, authorization, ui, timeout=timeout, sleep=sleep)
    return build_token(target, response, reg, clock.utcnow())
