"""Per-shell emitters: an ordered map name → value | None (unset) → code to eval.

This is where all quoting for the shell wrappers lives (direnv's model): the
wrapper only captures this text, checks rolecall's exit status and evals it.
Variable names are fixed constants chosen by rolecall, never data, and are
checked against a strict pattern; values can be anything a shell variable can
hold (any text without NUL), including `$(…)`, backticks, quotes and newlines.

bash and zsh share POSIX single quotes (`'` written as `'\\''`); fish has its
own rules: inside single quotes only `\\\\` and `\\'` are escapes, and a newline
is written as an unquoted `\\n` between quoted pieces so every statement stays
on one line (the fish wrapper reads the output line by line).

Stdlib only: this runs on `assume`'s hot path.
"""

from __future__ import annotations

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs ms on the hot path)

from rolecall.errors import UsageError

if TYPE_CHECKING:
    from typing import Mapping

SHELLS = ("bash", "zsh", "fish")

# ^[A-Z_][A-Z0-9_]*$ without `re` (~5 ms to import on the assume hot path).
_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_REST = _NAME_FIRST | frozenset("0123456789")


def _valid_name(name: str) -> bool:
    return bool(name) and name[0] in _NAME_FIRST and all(ch in _NAME_REST for ch in name[1:])


def check_shell(shell: str) -> str:
    if shell not in SHELLS:
        raise UsageError(
            f"unsupported shell {shell!r} (rolecall supports {', '.join(SHELLS)})",
            hint="run: rolecall init bash   (or zsh, fish)",
        )
    return shell


def _check_name(name: str) -> None:
    # Names are constants in rolecall's code: a bad one is a bug, not bad input.
    if not isinstance(name, str) or not _valid_name(name):
        raise ValueError(f"refusing to emit a variable with an unsafe name: {name!r}")


def _check_value(name: str, value: str) -> None:
    if "\0" in value:
        raise UsageError(
            f"the value for {name} contains a NUL byte, which no shell variable can hold",
            hint="remove the NUL character from the config value it comes from",
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(
            f"the value for {name} is not valid Unicode text (lone surrogate)",
            hint="fix the config value it comes from",
        ) from None


def quote_posix(value: str) -> str:
    """Single-quote for bash/zsh: everything literal, `'` closes, escapes, reopens."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    """fish quoting; newlines become an unquoted `\\n` so the text stays on one line."""
    pieces = value.split("\n")
    quoted = ["'" + p.replace("\\", "\\\\").replace("'", "\\'") + "'" for p in pieces]
    return "\\n".join(quoted)


def quote(shell: str, value: str) -> str:
    check_shell(shell)
    if "\0" in value:
        raise UsageError("a value contains a NUL byte, which no shell can hold")
    return quote_fish(value) if shell == "fish" else quote_posix(value)


FAILED_VAR = "__rolecall_failed"  # the wrappers' list of names a statement could not set (read-only …)


def render(shell: str, changes: Mapping[str, str | None], *, report: bool = False) -> str:
    """Code that sets (str) or unsets (None) each variable, in the given order.

    `report`: a statement that fails (a read-only variable) appends the name to
    the wrapper's FAILED_VAR, which then says so and returns non-zero.
    Unsetting a variable fish does not have is not a failure.
    """
    check_shell(shell)
    lines = []
    for name, value in changes.items():
        _check_name(name)
        if value is None:
            if shell == "fish":
                line = f"builtin set -e -g {name}"
                if report:
                    line = f"if builtin set -q -g {name}; {line}; or builtin set -a {FAILED_VAR} {name}; end"
            else:
                line = f"builtin unset -v {name}"
                if report:
                    line = _reported(shell, name, line)
            lines.append(line)
            continue
        _check_value(name, value)
        if shell == "fish":
            line = f"builtin set -g -x {name} {quote_fish(value)}"
            if report:
                line += f"; or builtin set -a {FAILED_VAR} {name}"
        else:
            line = f"builtin export {name}={quote_posix(value)}"
            if report:
                line = _reported(shell, name, line)
        lines.append(line)
    return "".join(line + "\n" for line in lines)


def _reported(shell: str, name: str, statement: str) -> str:
    """bash: a failing statement is noted. zsh aborts the whole eval on a read-only
    variable instead, so the statement is only run when the variable is not read-only."""
    note = f'{FAILED_VAR}="${{{FAILED_VAR}}} {name}"'
    if shell == "zsh":
        return f"if [[ ${{parameters[{name}]-}} == *readonly* ]]; then {note}; else {statement}; fi"
    return f"{statement} || {note}"


def render_print(shell: str, text: str) -> str:
    """Code that writes `text` and a newline to the shell's stdout (not evaluated as code)."""
    check_shell(shell)
    _check_value("the printed text", text)
    if shell == "fish":
        return f"builtin printf '%s\\n' {quote_fish(text)}\n"
    return f"builtin printf '%s\\n' {quote_posix(text)}\n"


def detect() -> str:
    """The name of the shell rolecall runs under (shellingham); raises when it cannot tell.

    The one place that asks; what to do when it cannot tell is the caller's.
    """
    import shellingham

    return shellingham.detect_shell()[0]


RC_FILES = {"bash": "~/.bashrc", "zsh": "~/.zshrc", "fish": "~/.config/fish/config.fish"}


def rc_line(shell: str) -> str:
    """The line of `shell`'s rc file that loads the integration."""
    return "rolecall init fish | source" if shell == "fish" else f'eval "$(rolecall init {shell})"'


def load_hint(shell: str | None) -> str:
    """The rc-file line that loads the integration for `shell` (bash unless zsh or fish), and where."""
    shell = shell if shell in ("zsh", "fish") else "bash"
    return f"{rc_line(shell)}   (add it to {RC_FILES[shell]})"
