"""Log in to IAM Identity Center and cache the token as the AWS CLI does.

PKCE (authorization code) is the default for sso-session targets; the device
code flow is used for legacy targets, on request, on headless machines (SSH
without a display) and when no browser could be opened.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from rolecall import aws, clock, fileio
from rolecall.errors import UsageError
from rolecall.sso import device, oidc, pkce, registration
from rolecall.sso.target import SsoTarget
from rolecall.sso.tokens import REFRESH_WINDOW, build_token, read_info, write_token
from rolecall.sso.ui import LoginUI, TerminalLoginUI, is_headless

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
    with _login_lock(lock_path, timeout, ui, target):
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


NO_TERMINAL_WAIT = 30.0  # seconds a login without a terminal waits for another one


@contextmanager
def _login_lock(path: Path, timeout: float, ui: LoginUI, target: SsoTarget) -> Iterator[None]:
    """One login per target at a time: parallel automatic logins must not open ten tabs.

    A second login says at once whom it waits for; without a terminal (nobody
    can finish or cancel the other one here) it gives up after a bounded wait.
    """
    lock = fileio.file_lock(path, timeout=0)
    try:
        lock.acquire()
    except fileio.LockTimeout:
        holder = _holder(lock.lock_path)
        interactive = _has_terminal()
        ui.info(f"waiting for another login{f' (pid {holder})' if holder else ''} of {target.label} to finish"
                + (" — Ctrl-C to stop" if interactive else ""))
        # (the other login may take its whole browser timeout, plus its token exchange)
        lock = fileio.file_lock(path, timeout=timeout + 30 if interactive else min(NO_TERMINAL_WAIT, timeout))
        try:
            lock.acquire()
        except fileio.LockTimeout:
            raise target.login_required(
                f"another login{f' (pid {holder})' if holder else ''} of the same target is still waiting "
                "for its browser") from None
    try:
        _claim(lock.lock_path)
        yield
    finally:
        lock.release()


def _claim(lock_path: str) -> None:
    """Write our pid into the lock file we hold, for the message of whoever waits next."""
    try:
        with open(lock_path, "w", encoding="ascii") as handle:
            handle.write(f"{os.getpid()}\n")
    except OSError:
        pass


def _holder(lock_path: str) -> int | None:
    try:
        with open(lock_path, encoding="ascii") as handle:
            return int(handle.read().strip() or 0) or None
    except (OSError, ValueError):
        return None


def _has_terminal() -> bool:
    from rolecall.term import has_tty

    return has_tty()


def _pkce(client: object, target: SsoTarget, ui: LoginUI, timeout: float) -> dict | None:
    """The PKCE flow; None when the browser could not be opened (caller falls back)."""
    reg, _ = registration.using(client, target, registration.FLOW_PKCE, lambda reg: _probe(client, reg),
                                only_cached=True)
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


def _probe(client: object, reg: dict) -> None:
    """Ask the server whether it still knows a cached PKCE client, before any browser opens.

    The browser leg cannot tell us (an authorize page for an unknown client
    shows an error and never redirects, RFC 6749 §4.1.2.1), so a CreateToken
    with a code that cannot exist asks instead: InvalidClientException (raised)
    means forgotten; any other refusal means the client is known.
    """
    from rolecall.errors import AwsError

    try:
        aws.call(client, "create_token", grantType="authorization_code", clientId=reg["clientId"],
                 clientSecret=reg["clientSecret"], code="rolecall-probe-" + uuid.uuid4().hex,
                 redirectUri=registration.REDIRECT_URI, codeVerifier=pkce.new_verifier())
    except AwsError as exc:
        if exc.code == registration.UNKNOWN_CLIENT:
            raise


def _device(client: object, target: SsoTarget, ui: LoginUI, timeout: float,
            sleep: Callable[[float], None]) -> dict:
    reg, authorization = registration.using(client, target, registration.FLOW_DEVICE,
                                            lambda reg: device.authorize(client, target, reg))
    assert authorization is not None  # (only_cached=False: the first call always ran)
    response = device.poll(client, reg, authorization, ui, timeout=timeout, sleep=sleep)
    return build_token(target, response, reg, clock.utcnow())


# -- login handlers for the resolver (the one factory; commands pick one) -------


def inline_login_handler(no_login: bool = False) -> Callable[[SsoTarget], None] | None:
    """Log in on the terminal when stderr is one (prompts there, the browser opens); else None.

    None means the resolver raises LoginRequired with the `rolecall login` hint.
    """
    if no_login:
        return None
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None

    def handler(target: SsoTarget) -> None:
        from rolecall.sso.ui import TerminalLoginUI

        login(target, ui=TerminalLoginUI(sys.stderr))

    return handler


def tty_login_handler(target: SsoTarget) -> None:
    """--auto-login under an SDK: a login on /dev/tty + browser; no terminal → login required."""
    from rolecall.errors import NoTerminal
    from rolecall.sso.ui import TerminalLoginUI

    try:
        ui = TerminalLoginUI.for_tty()
    except NoTerminal:
        raise target.login_required("no terminal for --auto-login") from None
    try:
        # reuse_fresh: parallel SDK processes that all needed a login share the first one's.
        login(target, ui=ui, reuse_fresh=True)
    finally:
        ui.close()
