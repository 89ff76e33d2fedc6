"""The one way tests start a sandbox (the local IAM Identity Center emulator)."""

from __future__ import annotations

from collections.abc import Callable

# Called with each started sandbox (reliability's secret watch registers here).
OBSERVERS: list[Callable[[object], None]] = []

_AMBIENT_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")


def start_sandbox(monkeypatch=None, *, browser: bool = False, clear_credentials: bool = False, **kwargs):
    """A started Sandbox (the caller stops it). With `monkeypatch`: AWS_ENDPOINT_URL_* point at it,
    `browser` also sets BROWSER to the fake browser, `clear_credentials` drops ambient keys."""
    from rolecall.sandbox.server import Sandbox

    box = Sandbox(**kwargs).start()
    if monkeypatch is not None:
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        if browser:
            monkeypatch.setenv("BROWSER", fake_browser())
        if clear_credentials:
            for key in _AMBIENT_CREDENTIALS:
                monkeypatch.delenv(key, raising=False)
    for observer in OBSERVERS:
        observer(box)
    return box


def fake_browser() -> str:
    """A BROWSER command that completes a sign-in page the way a user would (rolecall.sandbox.browser)."""
    import sys

    return f"{sys.executable} -m rolecall.sandbox.browser %s"
