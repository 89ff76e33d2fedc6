"""Opening a URL in the user's browser, for every flow (SSO sign-in pages, consoles).

Two routes: ROLECALL_BROWSER, a command line run with the URL as one more argv
element (no shell), whose early failure is reported with its first line of
stderr (secrets redacted); or Python's webbrowser, which honours BROWSER. A
browser never gets our stdout (it may be a protocol), and on a display-less
Linux no console browser is started to take over the terminal.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterable, Iterator

from rolecall.errors import ConfigError, RolecallError
from rolecall.term import printable, redacted

BROWSER_WAIT = 3.0  # seconds to wait for ROLECALL_BROWSER to report a failure


def open_url(url: str, *, secrets: Iterable[str] = (), instead: str) -> None:
    """ROLECALL_BROWSER (a command line, the URL appended) or webbrowser (honours BROWSER).

    `secrets` are redacted from a failing command's output; `instead` is the
    command that does without a browser, for the hint.
    """
    command = os.environ.get("ROLECALL_BROWSER", "").strip()
    if command:
        _run_command(command, url, list(secrets), instead)
        return
    if not launch(url):
        raise RolecallError(
            "no web browser could be opened (no display, or no browser found)",
            hint=f"set BROWSER or ROLECALL_BROWSER, or use: {instead}",
        )


def _run_command(command: str, url: str, secrets: list[str], instead: str) -> None:
    import shlex

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"ROLECALL_BROWSER is not a valid command line: {exc}",
                          hint="for example: export ROLECALL_BROWSER='firefox --new-tab'") from None
    if not argv:
        raise ConfigError("ROLECALL_BROWSER is empty", hint="unset ROLECALL_BROWSER or set it to a command")
    run_detached([*argv, url], secrets=secrets, instead=instead, what="ROLECALL_BROWSER")


def run_detached(argv: list[str], *, secrets: Iterable[str] = (), instead: str, what: str) -> None:
    """Start a browser: its own session, no shell, nothing of ours on its stdio; a failure within
    BROWSER_WAIT seconds is reported with the first line of its stderr (`secrets` redacted)."""
    import subprocess
    import tempfile

    # stderr to a temp file: readable if the command fails fast, harmless if it lingers.
    with tempfile.TemporaryFile() as errors:
        try:
            child = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            raise RolecallError(
                f"cannot run {what} ({printable(argv[0])}): {exc.strerror or exc}",
                hint=f"fix {what}, or use: {instead.split('  (')[0]}",
            ) from None
        try:
            code = child.wait(timeout=BROWSER_WAIT)
        except subprocess.TimeoutExpired:
            return  # still running: a browser window; leave it be
        if code != 0:
            errors.seek(0)
            text = redacted(errors.read(4096).decode("utf-8", "replace"), *secrets).strip()
            detail = printable(text.splitlines()[0] if text else "no details")[:200]
            raise RolecallError(
                f"{what} ({printable(argv[0])}) exited with status {code}: {detail}",
                hint=f"fix {what}, or use: {instead.split('  (')[0]}",
            )


def _no_gui(environ: dict | None = None) -> bool:
    """Linux/BSD without a display and no BROWSER: only console browsers (lynx, w3m) remain,
    which would take over the terminal mid-login. Treat as "no browser"."""
    env = os.environ if environ is None else environ
    if sys.platform in ("darwin", "win32") or env.get("BROWSER"):
        return False
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """A browser launched from here inherits fd 1: point it at stderr so nothing it prints
    can corrupt a stdout protocol (credential_process JSON, the shell wrapper's eval)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        saved = os.dup(1)
    except OSError:
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def launch(url: str) -> bool:
    """Open `url` with Python's webbrowser (BROWSER is honoured); True if a browser took it."""
    if _no_gui():
        return False
    import webbrowser

    with _stdout_to_stderr():
        try:
            browser_env = os.environ.get("BROWSER")
            if browser_env:
                # Resolve BROWSER now (webbrowser caches it on first use in this process).
                for cmdline in browser_env.split(os.pathsep):
                    if cmdline and webbrowser.get(cmdline).open(url, new=2):
                        return True
                return False
            return bool(webbrowser.open(url, new=2))
        except (webbrowser.Error, OSError):
            return False
