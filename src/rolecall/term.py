"""Text for the terminal: outside text made safe to print, and the one error-line format.

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
