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


def print_error(message: str, hint: str | None) -> None:
    """The README's error format on stderr: `rolecall: error: …` and a `hint:` line."""
    import sys

    lines = [f"rolecall: error: {message}"]
    if hint:
        lines.append(f"hint: {hint}")
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
