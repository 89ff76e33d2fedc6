"""The terminal: outside text made safe to print, the error-line format, /dev/tty, prompts.

Stdlib only and import-free: the hot paths print through it too.
"""

from __future__ import annotations


def printable(value: object) -> str:
    """`value` as text with every control or non-printable character shown as '?'
    (no ESC sequence, carriage return or newline from data ever reaches the terminal)."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))


def redacted(text: str, *secrets: str) -> str:
    """`text` with every non-empty secret replaced by `<redacted>` (before any truncation)."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "<redacted>")
    return text


# --------------------------------------------------------------------------
# Colour: on a terminal only; never with NO_COLOR (no-color.org) or TERM=dumb;
# `rolecall --color=always|never|auto` (entry.py puts it in ROLECALL_COLOR,
# which children inherit) decides over both.

COLOR_VAR = "ROLECALL_COLOR"
COLOR_MODES = ("always", "never", "auto")
_STYLES = {"error": "1;31", "warning": "33", "hint": "2", "ok": "32", "warn": "33", "fail": "1;31",
           "good": "32", "soon": "33", "bad": "31", "match": "1;4"}


def colour_on(stream: object) -> bool:
    import os

    mode = os.environ.get(COLOR_VAR, "auto")
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def paint(text: str, style: str, stream: object) -> str:
    """`text` in `style` (see _STYLES) when `stream` gets colour; else `text` as it is."""
    if not text or not colour_on(stream):
        return text
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m"


def warn(message: str) -> None:
    """`rolecall: warning: …` on stderr (the warning part coloured on a terminal)."""
    import sys

    try:
        sys.stderr.write(f"rolecall: {paint('warning:', 'warning', sys.stderr)} {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def print_error(message: str, hint: str | None) -> None:
    """The README's error format on stderr: `rolecall: error: …` and a `hint:` line."""
    import sys

    lines = [paint("rolecall: error:", "error", sys.stderr) + f" {message}"]
    if hint:
        lines.append(paint("hint:", "hint", sys.stderr) + f" {hint}")
    try:
        sys.stderr.write("\n".join(lines) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def open_tty():
    """(reader, writer) text streams on the controlling terminal; OSError when there is none.

    /dev/tty, not stdin/stdout: those are a pipe to botocore or to the shell
    wrapper's capture. Two streams, because a terminal cannot seek ("r+" text
    files need it). The caller closes both.
    """
    import os

    fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0))
    reader = os.fdopen(fd, "r", encoding="utf-8", errors="replace")
    writer = os.fdopen(os.dup(fd), "w", encoding="utf-8", errors="replace")
    return reader, writer


def has_tty() -> bool:
    """Whether a controlling terminal can be opened (nothing is kept open)."""
    import os

    try:
        fd = os.open("/dev/tty", os.O_RDWR | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False
    os.close(fd)
    return True


def ask_mfa_code(serial: str, profile: str) -> str:
    """The MFA prompter the resolver uses unless given another: a line read on /dev/tty."""
    from rolecall.errors import NoTerminal, UsageError

    try:
        reader, writer = open_tty()
    except OSError:
        raise NoTerminal(
            f"profile {profile!r} needs an MFA code for {serial} and there is no terminal to ask on",
            hint="pass the code: --mfa-token CODE",
        ) from None
    with reader, writer:
        writer.write(f"Enter MFA code for {printable(serial)}: ")
        writer.flush()
        code = reader.readline().strip()
    if not code:
        raise UsageError(f"no MFA code entered for {serial}", hint="pass the code: --mfa-token CODE")
    return code
