"""`rolecall credential-process --profile P`: credentials for botocore's credential_process.

    [profile app]
    credential_process = /path/to/rolecall credential-process --profile app-sso

Hot path: entry.py calls `run(argv)` before click is imported, and a cache hit
imports neither click nor botocore. stdout is the protocol: the Version 1 JSON
and nothing else; every human word goes to stderr. It never reads stdin (botocore
hands it down) and only talks to a terminal through /dev/tty, and only when
--auto-login or an MFA prompt asks for it.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rolecall.errors import UsageError

PROG = "rolecall credential-process"
DESCRIPTION = "Print a profile's credentials as credential_process JSON (Version 1) on stdout."


def run(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:  # the same help, in the same style, as every command
        from rolecall.cli import run_click

        return run_click(["credential-process", "--help"])
    from rolecall import awsconfig, hot

    args = hot.parse_credential_process_args(argv)
    if args is None:
        raise UsageError(f"credential-process: {hot.credential_process_problem(argv)}", hint=f"run: {PROG} --help")
    from rolecall.credentials.resolver import Resolver
    from rolecall.sso.login import tty_login_handler

    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    config.profile(args["profile"])
    from rolecall.sso.target import token_path_of

    snapshot.watch_token(token_path_of(config, args["profile"]))
    resolver = Resolver(
        config,
        login_handler=tty_login_handler if args["auto_login"] else None,
        mfa_token=args["mfa_token"],
        window_seconds=args["window"],
        force_refresh=args["refresh"],
    )
    creds = resolver.resolve(args["profile"])
    payload = json.dumps(creds.process_json())
    sys.stdout.write(payload + "\n")
    sys.stdout.flush()
    snapshot.remember(config, args["profile"], creds, resolver)
    return 0


def click_command() -> Any:
    """The click wrapper for `rolecall --help`, built from hot.CREDENTIAL_PROCESS_OPTIONS (run never imports click)."""
    import click

    from rolecall import hot

    @click.command(
        "credential-process",
        help=DESCRIPTION + "\n\nUse it as `credential_process = rolecall credential-process --profile P`.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    def cmd(**options: Any) -> int:
        argv: list[str] = []
        for names, metavar, _ in hot.CREDENTIAL_PROCESS_OPTIONS:
            value = options[names[0].lstrip("-").replace("-", "_")]
            if metavar and value is not None:
                argv += [names[0], str(value)]
            elif not metavar and value:
                argv.append(names[0])
        return run(argv)

    for names, metavar, text in hot.CREDENTIAL_PROCESS_OPTIONS:  # (appended to the command in order)
        if metavar:
            cmd = click.option(*names, metavar=metavar, help=text, required=names[0] == "--profile")(cmd)
        else:
            cmd = click.option(*names, is_flag=True, help=text)(cmd)
    return cmd
