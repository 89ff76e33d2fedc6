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

  Print the shell integration (the `assume` function and completion).
  Without SHELL, the running shell is detected. Load it from your rc file:

    bash (~/.bashrc):                   eval "$(rolecall init bash)"
    zsh (~/.zshrc, after compinit):     eval "$(rolecall init zsh)"
    fish (~/.config/fish/config.fish):  rolecall init fish | source

Options:
  -h, --help  Show this message and exit.
"""


def run(argv: list[str]) -> int:
    if any(arg in ("-h", "--help") for arg in argv):
        sys.stdout.write(HELP)
        return 0
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
    def init_cmd(shell: str | None) -> int:
        """Print the shell integration (the `assume` function and completion).

        \b
        bash (~/.bashrc):                   eval "$(rolecall init bash)"
        zsh (~/.zshrc, after compinit):     eval "$(rolecall init zsh)"
        fish (~/.config/fish/config.fish):  rolecall init fish | source

        Without SHELL, the running shell is detected.
        """
        return run([shell] if shell else [])

    return init_cmd
