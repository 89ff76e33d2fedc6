"""How to run this very rolecall from a shell line or a config file: one answer for all.

`rolecall init` bakes it into the shell integration; `config generate
--credential-process` and the sandbox write it into credential_process lines.
It never runs code from the directory the caller stands in: `python -m
rolecall` would (-m puts the cwd first on sys.path), so it is never written.
"""

from __future__ import annotations

import os
import sys

# This interpreter with a two-statement entry. `-c` puts the current directory
# first on sys.path: it is removed before anything is imported, so a
# `rolecall/` folder where the user happens to stand can never be run.
ENTRY_CODE = "import sys; del sys.path[0]; from rolecall.entry import main; sys.exit(main())"


def entry_argv(python: str | None = None) -> list[str]:
    """`python -c ENTRY_CODE`: the fastest start (no launcher file, no runpy)."""
    return [python or sys.executable, "-c", ENTRY_CODE]


def launcher_argv() -> list[str]:
    """The rolecall launcher installed beside this interpreter (an absolute path), else entry_argv().

    Only a launcher whose `#!` names this very interpreter: another install's
    script in the same bin/ would run another rolecall.
    """
    script = os.path.join(os.path.dirname(sys.executable), "rolecall")
    if os.path.isfile(script) and os.access(script, os.X_OK):
        try:
            with open(script, "rb") as handle:
                first = handle.readline(4096)
        except OSError:
            first = b""
        interpreter = first[2:].strip().split(b" ")[0].decode("utf-8", "replace") if first[:2] == b"#!" else ""
        if interpreter and os.path.realpath(interpreter) == os.path.realpath(sys.executable):
            return [script]
    return entry_argv()


def command_line(argv: list[str]) -> str:
    """argv as one line that shlex (botocore's credential_process parser) splits back exactly."""
    import shlex

    return " ".join(shlex.quote(part) for part in argv)
