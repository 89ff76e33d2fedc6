"""`rolecall init --install`: the rc line that loads the integration, added once, in the right file.

bash `~/.bashrc`, zsh `~/.zshrc` (after the last `compinit`, which completion
needs), fish `~/.config/fish/config.fish`. Nothing of the user's is changed: the
line (and a comment naming where it came from) is inserted, the previous file is
kept as `<rc>.bak`, and the new one is written atomically with the old mode.
A file that already loads rolecall is left alone. Core: no prompting here.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from rolecall import shells

MARK = "# rolecall: the assume function and shell completion (added by rolecall, --install)"
_LOADS = re.compile(r"^(?!\s*#).*rolecall\S*['\"]?\s+init\b", re.M)  # a line, not a comment, running `rolecall init`
_COMPINIT = re.compile(r"^\s*[^#\n]*\bcompinit\b", re.M)


@dataclass(frozen=True)
class Plan:
    shell: str
    path: Path
    line: str
    already: bool


def target_shell(environ: dict | None = None) -> str | None:
    """The login shell ($SHELL) when rolecall knows it, else None (the caller asks shellingham)."""
    env = os.environ if environ is None else environ
    name = os.path.basename(env.get("SHELL", ""))
    return name if name in shells.SHELLS else None


def _command() -> str:
    """`rolecall` when that is this rolecall on PATH, else this launcher's absolute path (quoted)."""
    from rolecall import selfcmd

    launcher = selfcmd.launcher_argv()
    found = shutil.which("rolecall")
    if len(launcher) == 1 and found and os.path.realpath(found) == os.path.realpath(launcher[0]):
        return "rolecall"
    return selfcmd.command_line(launcher)


def plan(shell: str) -> Plan:
    shells.check_shell(shell)
    path = Path(os.path.expanduser(shells.RC_FILES[shell]))
    line = shells.rc_line(shell).replace("rolecall init", f"{_command()} init", 1)
    text = _read(path)
    return Plan(shell, path, line, already=bool(text and _LOADS.search(text)))


def apply(target: Plan) -> Path | None:
    """Insert the line; returns the backup written (None for a new file)."""
    from rolecall import fileio

    text = _read(target.path)
    block = f"{MARK}\n{target.line}\n"
    if text is None:
        new, backup = block, None
    else:
        body = text if text.endswith("\n") or not text else text + "\n"
        at = len(body)
        if target.shell == "zsh":
            found = list(_COMPINIT.finditer(body))
            if found:
                end = body.find("\n", found[-1].end())
                at = len(body) if end < 0 else end + 1
        new = body[:at] + ("\n" if at == len(body) and body else "") + block + body[at:]
        backup = target.path.with_name(target.path.name + ".bak")
        fileio.atomic_write(backup, text, mode=0o600, private_dir=False)
    fileio.atomic_write(target.path, new, mode=None, private_dir=False)
    return backup


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
