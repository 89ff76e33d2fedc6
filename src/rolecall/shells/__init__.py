"""Shell knowledge, in one place: one emitter per shell behind one interface.

`render(shell, changes)` turns an ordered map name → value | None (unset) into
code to eval; `emitter(shell)` is the per-shell object (quote / export / unset /
print) it uses; `formats` holds the export formats (`rolecall export`).

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


class _Posix:
    """bash and zsh: POSIX single quotes; `builtin` so functions named export/unset are bypassed."""

    name = "bash"

    def quote(self, value: str) -> str:
        return quote_posix(value)

    def export(self, name: str, value: str, report: bool) -> str:
        line = f"builtin export {name}={quote_posix(value)}"
        return self._reported(name, line) if report else line

    def unset(self, name: str, report: bool) -> str:
        line = f"builtin unset -v {name}"
        return self._reported(name, line) if report else line

    def print(self, text: str) -> str:
        return f"builtin printf '%s\\n' {quote_posix(text)}"

    def _reported(self, name: str, statement: str) -> str:
        """bash: a failing statement (a read-only variable) is noted for the wrapper."""
        return f"{statement} || {FAILED_VAR}=\"${{{FAILED_VAR}}} {name}\""


class _Zsh(_Posix):
    name = "zsh"

    def _reported(self, name: str, statement: str) -> str:
        # zsh aborts the whole eval on a read-only variable: only run the statement when it is not.
        note = f'{FAILED_VAR}="${{{FAILED_VAR}}} {name}"'
        return f"if [[ ${{parameters[{name}]-}} == *readonly* ]]; then {note}; else {statement}; fi"


class _Fish:
    name = "fish"

    def quote(self, value: str) -> str:
        return quote_fish(value)

    def export(self, name: str, value: str, report: bool) -> str:
        line = f"builtin set -g -x {name} {quote_fish(value)}"
        return line + f"; or builtin set -a {FAILED_VAR} {name}" if report else line

    def unset(self, name: str, report: bool) -> str:
        line = f"builtin set -e -g {name}"
        # Unsetting a variable fish does not have is not a failure.
        return f"if builtin set -q -g {name}; {line}; or builtin set -a {FAILED_VAR} {name}; end" if report else line

    def print(self, text: str) -> str:
        return f"builtin printf '%s\\n' {quote_fish(text)}"


FAILED_VAR = "__rolecall_failed"  # the wrappers' list of names a statement could not set (read-only …)
_EMITTERS = {"bash": _Posix(), "zsh": _Zsh(), "fish": _Fish()}


def emitter(shell: str):
    """The one emitter of `shell` (quote / export / unset / print)."""
    return _EMITTERS[check_shell(shell)]


def quote(shell: str, value: str) -> str:
    if "\0" in value:
        raise UsageError("a value contains a NUL byte, which no shell can hold")
    return emitter(shell).quote(value)


def render(shell: str, changes: Mapping[str, str | None], *, report: bool = False) -> str:
    """Code that sets (str) or unsets (None) each variable, in the given order.

    `report`: a statement that fails (a read-only variable) appends the name to
    the wrapper's FAILED_VAR, which then says so and returns non-zero.
    """
    out = emitter(shell)
    lines = []
    for name, value in changes.items():
        _check_name(name)
        if value is None:
            lines.append(out.unset(name, report))
        else:
            _check_value(name, value)
            lines.append(out.export(name, value, report))
    return "".join(line + "\n" for line in lines)


def render_print(shell: str, text: str) -> str:
    """Code that writes `text` and a newline to the shell's stdout (not evaluated as code)."""
    out = emitter(shell)
    _check_value("the printed text", text)
    return out.print(text) + "\n"


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
