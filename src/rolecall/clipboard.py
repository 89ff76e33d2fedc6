"""The clipboard, for every command that copies (console URLs, exported credentials)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from rolecall.errors import RolecallError


@contextmanager
def _quiet_children() -> Iterator[None]:
    """Point fds 1 and 2 at /dev/null while a clipboard tool is started.

    xclip / wl-copy stay alive to serve the selection, holding the stdout they
    inherited: `$(rolecall …)` would hang until the selection changes.
    """
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    saved = []
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
            except OSError:
                continue  # fd not open: nothing to protect
            os.dup2(devnull, fd)
        yield
    finally:
        for fd, copy in saved:
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)


def copy(text: str, *, instead: str) -> None:
    """Put `text` on the clipboard; `instead` is the command that prints it, for the hint."""
    import pyperclip

    try:
        with _quiet_children():
            pyperclip.copy(text)
    except pyperclip.PyperclipException as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RolecallError(
            f"cannot copy to the clipboard: no clipboard tool found ({first.split('.')[0][:160]})",
            hint=f"install xclip or xsel (X11) or wl-clipboard (Wayland), or print instead: {instead}",
        ) from None
