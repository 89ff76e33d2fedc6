"""The click application: a root group whose subcommands load lazily.

Each subcommand lives in its own module under `rolecall.commands` and exports
a click command named `cmd`; nothing is imported until that command runs, so
`rolecall --help` and the hot paths stay fast.
"""

from __future__ import annotations

from importlib import import_module

import click

from rolecall import __version__
from rolecall.commands import COMMANDS


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _) in COMMANDS.items() if _available(module)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None or not _available(entry[0]):
            return None
        module = import_module(entry[0])
        # Hot commands (dispatched by entry.py without click) build theirs on demand.
        factory = getattr(module, "click_command", None)
        return factory() if factory is not None else module.cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rolecall")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs (before the command: rolecall --debug …).")
@click.option("--color", type=click.Choice(["always", "never", "auto"]), default="auto", show_default=True,
              help="Colour on a terminal (NO_COLOR turns it off; before the command).")
def app(debug: bool, color: str) -> None:
    """rolecall: painless AWS IAM Identity Center (SSO) profiles.

    Global options (--debug, --color) go before the command.
    """


def run_click(argv: list[str]) -> int:
    try:
        result = app.main(args=argv, prog_name="rolecall", standalone_mode=False)
    except click.exceptions.Abort:
        import sys

        from rolecall.errors import EXIT_INTERRUPTED

        sys.stderr.write("\nrolecall: aborted\n")
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        from rolecall.term import print_error

        print_error(_one_line(exc.format_message()), _hint_for(exc, argv))
        return exc.exit_code
    return result if isinstance(result, int) else 0


def _one_line(text: str) -> str:
    # click's own "Did you mean …?" moves to the hint line
    return " ".join(text.split()).split(" Did you mean ")[0]


def _hint_for(exc: click.ClickException, argv: list[str]) -> str | None:
    """The README's `hint:` line for click's own errors: the closest command, or where help is."""
    if not isinstance(exc, click.UsageError):
        return None
    ctx = exc.ctx
    if isinstance(exc, click.exceptions.NoSuchOption) and exc.possibilities:
        return f"did you mean {' or '.join(sorted(exc.possibilities))}?"
    if ctx is not None and isinstance(ctx.command, click.Group) and "No such command" in exc.format_message():
        import difflib

        wrong = next((arg for arg in argv if arg in exc.format_message()), "")
        known = ctx.command.list_commands(ctx)
        close = difflib.get_close_matches(wrong, known, n=2, cutoff=0.5) if wrong else []
        if close:
            return f"did you mean {' or '.join(repr(name) for name in close)}?"
        return f"run: {ctx.command_path} --help   (commands: {', '.join(known)})"
    if ctx is not None:
        return f"run: {ctx.command_path} --help"
    return "run: rolecall --help"
