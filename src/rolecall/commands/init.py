"""`rolecall init [bash|zsh|fish]`: print the shell integration to eval in an rc file.

The scripts are real files (`shell/assume.<shell>`, shipped as rolecall/shell)
whose one `command rolecall ` call is replaced by the absolute, quoted command
of the rolecall printing them. That command is the console script next to the
running interpreter when there is one (it starts ~10 ms faster than
`python -m rolecall`, which pays for runpy; and it skips PATH lookups and
version-manager shims such as pyenv's, which cost another ~30-60 ms), else
`<interpreter> -m rolecall`. Completion (rolecall.completion.init_snippet) is
appended when that module provides it.

Every new shell runs this, so `run(argv)` works without click (ready for
`rolecall.entry`'s fast dispatch); `cmd` is the click face for `--help`.
"""

from __future__ import annotations

import sys

from rolecall import resources, selfcmd, shells
from rolecall.errors import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PLACEHOLDER = "command rolecall "


# What the wrappers run: this interpreter with rolecall.selfcmd's cwd-safe
# entry, which starts faster than any launcher file.
ENTRY_CODE = selfcmd.ENTRY_CODE


def rolecall_command() -> list[str]:
    """argv prefix that runs this very rolecall (same interpreter, same install)."""
    return selfcmd.entry_argv()


def script_for(shell: str, command: list[str] | None = None) -> str:
    """The integration for `shell`, with `command` (default: this rolecall) baked in."""
    shells.check_shell(shell)
    text = resources.read_text("shell", f"assume.{shell}")
    if text.count(PLACEHOLDER) != 1:
        raise RuntimeError(f"shell/assume.{shell} must call `{PLACEHOLDER.strip()}` exactly once")
    command = command or rolecall_command()
    baked = " ".join(shells.quote(shell, part) for part in command)
    text = text.replace(PLACEHOLDER, baked + " ")
    return text + completion_snippet(shell, command)


def completion_snippet(shell: str, command: list[str]) -> str:
    """rolecall.completion's code for `shell`, calling the same command as `assume`."""
    try:
        from rolecall import completion
    except ImportError:
        return ""
    try:
        snippet = completion.init_snippet(shell, command=command)
    except Exception as exc:  # completion is an extra: `assume` must still load without it
        from rolecall.log import log

        log.warning("shell completion left out (%s: %s)", type(exc).__name__, exc)
        return ""
    if not snippet:
        return ""
    return "\n" + snippet if snippet.endswith("\n") else "\n" + snippet + "\n"


def detect_shell() -> str:
    try:
        name = shells.detect()
    except Exception as exc:  # shellingham raises its own ShellDetectionFailure, or OSError
        raise UsageError(
            f"cannot tell which shell this is ({type(exc).__name__})",
            hint="name it: rolecall init bash   (or zsh, fish)",
        ) from None
    if name not in shells.SHELLS:
        raise UsageError(
            f"the running shell is {name!r}; rolecall integrates with bash, zsh and fish",
            hint="name one: rolecall init bash   (or zsh, fish)",
        )
    return name


HELP = """\
Usage: rolecall init [bash|zsh|fish]
       rolecall init --install [bash|zsh|fish] [--yes]

  Print the shell integration (the `assume` function and completion).
  Without SHELL, the running shell is detected. Load it from your rc file:

    bash (~/.bashrc):                   eval "$(rolecall init bash)"
    zsh (~/.zshrc, after compinit):     eval "$(rolecall init zsh)"
    fish (~/.config/fish/config.fish):  rolecall init fish | source

  --install adds that line for you (once; the old file is kept as .bak);
  without SHELL it is for your login shell ($SHELL).

Options:
  --install   Add the line to the shell's rc file instead of printing the script.
  --yes       Do not ask first (needed without a terminal).
  -h, --help  Show this message and exit.
"""


def run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        sys.stdout.write(HELP)
        return 0
    if "--install" in argv:
        return install([arg for arg in argv if arg != "--install"])
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        raise UsageError(f"unexpected arguments: {' '.join(argv)}", hint="run: rolecall init bash   (or zsh, fish)")
    shell = argv[0] if argv else detect_shell()
    from rolecall import hot

    # Fingerprinted before they are read: the next `init SHELL` is answered by
    # rolecall.hot while none of them (nor the interpreter) changed.
    snapshot = hot.InitSnapshot(_sources(shell))
    text = script_for(shell)
    snapshot.store(shell, text)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def install(argv: list[str]) -> int:
    """`init --install [SHELL] [--yes]`: add the rc line (asking first on a terminal)."""
    from rolecall.shells import install as rc
    from rolecall.term import printable

    yes = "--yes" in argv or "-y" in argv
    rest = [arg for arg in argv if arg not in ("--yes", "-y")]
    if len(rest) > 1 or (rest and rest[0].startswith("-")):
        raise UsageError(f"unexpected arguments: {' '.join(rest)}", hint="run: rolecall init --install zsh --yes")
    shell = rest[0] if rest else (rc.target_shell() or detect_shell())
    target = rc.plan(shell)
    if target.already:
        sys.stderr.write(f"rolecall: {target.path} already loads rolecall; nothing changed\n")
        return 0
    if not yes and not _confirm(f"add this line to {target.path}?\n  {target.line}\n[Y/n] "):
        sys.stderr.write("rolecall: nothing changed\n")
        return 1
    backup = rc.apply(target)
    sys.stderr.write(f"rolecall: added to {target.path}: {printable(target.line)}"
                     + (f" (the previous file is {backup})" if backup else "") + "\n"
                     f"rolecall: open a new terminal (or: exec {shell}) and run: assume\n")
    return 0


def _confirm(question: str) -> bool:
    from rolecall.errors import NoTerminal
    from rolecall.term import open_tty

    try:
        reader, writer = open_tty()
    except OSError:
        raise NoTerminal("rolecall init --install asks before it edits your rc file, and there is no terminal",
                         hint="run: rolecall init --install SHELL --yes") from None
    try:
        writer.write(question)
        writer.flush()
        answer = reader.readline().strip().lower()
    finally:
        reader.close()
        writer.close()
    return answer in ("", "y", "yes")


def _sources(shell: str) -> list[str]:
    """Every file the integration text is made from (an upgrade or a move changes one)."""
    from rolecall import completion

    modules = [sys.modules[__name__].__file__, shells.__file__, completion.__file__, resources.__file__]
    data = [str(resources.data_dir("shell") / f"assume.{shell}")]
    data += [str(resources.data_dir("completions") / name) for name in completion.snippet_files(shell)]
    return [str(path) for path in modules if path] + data


def click_command() -> Any:
    """The click wrapper for `rolecall --help`; built on demand so `run` never imports click."""
    import click

    @click.command("init", context_settings={"help_option_names": ["-h", "--help"]})
    @click.argument("shell", required=False, type=click.Choice(shells.SHELLS))
    @click.option("--install", is_flag=True, help="Add the line to the shell's rc file (once; a .bak is kept).")
    @click.option("--yes", "-y", is_flag=True, help="With --install: do not ask first.")
    def init_cmd(shell: str | None, install: bool, yes: bool) -> int:
        """Print the shell integration (the `assume` function and completion).

        \b
        bash (~/.bashrc):                   eval "$(rolecall init bash)"
        zsh (~/.zshrc, after compinit):     eval "$(rolecall init zsh)"
        fish (~/.config/fish/config.fish):  rolecall init fish | source

        Without SHELL, the running shell is detected (--install: your login shell).
        """
        return run((["--install"] if install else []) + (["--yes"] if yes else []) + ([shell] if shell else []))

    return init_cmd
