"""Where a login talks to the user, and whether it may open a browser.

The URL and user code are for a human: they go to stderr (or /dev/tty for
credential_process, whose stderr nobody reads), never to stdout, which may be
a protocol (`eval`, credential_process JSON). Secrets never pass through here.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Protocol

from rolecall.errors import NoTerminal


class LoginUI(Protocol):
    browser: bool  # False: only show URLs, never open a browser (--no-browser)

    def show_url(self, url: str, user_code: str | None = None) -> None:
        """Tell the user to visit `url` (and confirm `user_code` there, if any)."""

    def open_browser(self, url: str) -> bool:
        """Try to open `url` in a browser; False when none could be opened (or not allowed)."""

    def info(self, message: str) -> None:
        """A progress line."""

    def waiting(self, seconds_left: float) -> None:
        """The device code is not approved yet; it expires in `seconds_left` (called every poll)."""


def is_headless(environ: dict | None = None) -> bool:
    """An SSH session without a display: a browser here would open on another screen (or none)."""
    env = os.environ if environ is None else environ
    remote = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY"))
    return remote and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


class TerminalLoginUI:
    """Prompts on a text stream (stderr by default); opens a browser unless told not to."""

    COUNTDOWN_LINE_EVERY = 60.0  # seconds between countdown lines when the stream is not a terminal

    def __init__(self, stream: IO[str] | None = None, open_browser: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.browser = open_browser
        self._owned = False
        self._last_countdown: float | None = None

    @classmethod
    def for_tty(cls, open_browser: bool = True) -> "TerminalLoginUI":
        """Talk to /dev/tty (for credential_process --auto-login, whose stderr is captured)."""
        from rolecall.term import open_tty

        try:
            reader, stream = open_tty()  # the writer is closed by close()
        except OSError as exc:
            raise NoTerminal(
                f"a login is needed but there is no terminal to show it on (/dev/tty: {exc.strerror})",
                hint="log in from a terminal first: rolecall login",
            ) from None
        reader.close()
        ui = cls(stream, open_browser=open_browser)
        ui._owned = True
        return ui

    def close(self) -> None:
        if self._owned:
            self.stream.close()

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def _live(self) -> bool:
        try:
            return self.stream.isatty()
        except (OSError, ValueError):
            return False

    def show_url(self, url: str, user_code: str | None = None) -> None:
        if self.browser:
            lines = ["rolecall: opening your browser to sign in; if it does not open, visit:", f"  {url}"]
        else:
            lines = ["rolecall: to sign in, open this URL in a browser:", f"  {url}"]
        if user_code:
            lines.append(f"rolecall: and confirm that the code shown is: {user_code}")
        self._write("\n".join(lines) + "\n")

    def open_browser(self, url: str) -> bool:
        from rolecall.browsers import open_sign_in_page

        return self.browser and open_sign_in_page(url)

    def info(self, message: str) -> None:
        self._write(f"rolecall: {message}\n")

    def waiting(self, seconds_left: float) -> None:
        """Show the countdown; a negative `seconds_left`: the wait is over (clear the live line)."""
        if seconds_left < 0:
            if self._last_countdown is not None and self._live():
                self._write("\r\x1b[K")
            return
        left = int(seconds_left)
        text = f"rolecall: waiting for approval: {left // 60}m {left % 60:02d}s left (Ctrl-C to stop)"
        if self._live():  # one line, rewritten in place
            self._last_countdown = seconds_left
            self._write("\r\x1b[K" + text)
            return
        if self._last_countdown is None or self._last_countdown - seconds_left >= self.COUNTDOWN_LINE_EVERY:
            self._last_countdown = seconds_left
            self._write(text + "\n")
