"""The console-script entry point and the single error boundary.

Hot commands (`credential-process`, `assume`, `init`, `eks token`, `__complete`) are dispatched
here, before click or anything heavy is imported: they run on every SDK call,
every `assume`, every new shell and every TAB; a credential-process cache hit
is answered by rolecall.hot before even that. Everything else goes
through the click app in `rolecall.cli`.
"""

from __future__ import annotations

import os
import sys

# command name -> module exposing `run(argv: list[str]) -> int`
FAST_COMMANDS = {
    "credential-process": "rolecall.commands.credential_process",
    "assume": "rolecall.commands.assume",
    "init": "rolecall.commands.init",
    "__complete": "rolecall.completion",
}


def _debug_requested(argv: list[str]) -> tuple[bool, list[str]]:
    """The global options before the command: --debug, --color=always|never|auto."""
    debug = os.environ.get("ROLECALL_DEBUG", "") not in ("", "0")
    while argv and (argv[0] == "--debug" or argv[0].startswith("--color")):
        if argv[0] == "--debug":
            debug = True
            argv = argv[1:]
            continue
        if argv[0] == "--color" and len(argv) > 1:
            value, argv = argv[1], argv[2:]
        else:
            value, argv = argv[0].partition("=")[2], argv[1:]
        if value not in ("always", "never", "auto"):
            _print_error(f"--color must be always, never or auto, not {value!r}", "for example: rolecall --color=never …")
            raise SystemExit(2)
        os.environ["ROLECALL_COLOR"] = value  # children (the shell wrapper's calls, credential_process) inherit it
    return debug, argv


def _dispatch(argv: list[str]) -> int:
    if argv[:1] == ["credential-process"]:
        from rolecall import hot

        if hot.serve_credential_process(argv[1:]):
            return 0
    if argv[:1] == ["init"]:
        from rolecall import hot

        if hot.serve_init(argv[1:]):
            return 0
    if argv[:2] == ["eks", "token"]:
        from rolecall import hot

        if hot.serve_eks_token(argv[2:]):
            return 0
        from rolecall.commands.eks import run_token

        return run_token(argv[2:])
    if argv and argv[0] in FAST_COMMANDS:
        from importlib import import_module

        module = import_module(FAST_COMMANDS[argv[0]])
        return module.run(argv[1:])
    from rolecall.cli import run_click

    return run_click(argv)


def main(argv: list[str] | None = None) -> int:
    from rolecall.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, RolecallError

    debug, argv = _debug_requested(list(sys.argv[1:] if argv is None else argv))
    if debug:
        os.environ["ROLECALL_DEBUG"] = "1"  # children (credential_process sources) inherit it
        from rolecall.log import get_logger

        get_logger()  # (logging is otherwise imported only when something is logged)
    try:
        return _dispatch(argv) or 0
    except RolecallError as exc:
        if debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
        _print_error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\nrolecall: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `rolecall list | head`: the reader left; not an error worth a word.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as exc:  # the boundary: anything unexpected is a bug
        if debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
            return EXIT_INTERNAL
        first = str(exc).splitlines()[0][:200] if str(exc) else ""
        _print_error(
            f"unexpected {type(exc).__name__}{': ' + first if first else ''}",
            "run again with --debug for the traceback (rolecall --debug …) and report it",
        )
        return EXIT_INTERNAL


def _print_error(message: str, hint: str | None) -> None:
    from rolecall.term import print_error

    print_error(message, hint)

if __name__ == "__main__":
    sys.exit(main())
