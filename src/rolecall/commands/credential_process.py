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

import argparse
import json
import sys
from typing import Any

from rolecall.errors import UsageError

PROG = "rolecall credential-process"
DESCRIPTION = "Print a profile's credentials as credential_process JSON (Version 1) on stdout."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print usage and exit 2 itself
        raise UsageError(f"credential-process: {message}", hint=f"run: {PROG} --help")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=DESCRIPTION)
    parser.add_argument("--profile", "-p", required=True, help="the profile to resolve")
    parser.add_argument("--auto-login", action="store_true",
                        help="log in (browser + /dev/tty) when the SSO token is missing or expired")
    parser.add_argument("--window", type=float, default=15.0, metavar="MINUTES",
                        help="re-fetch cached credentials with fewer minutes left than this (default 15)")
    parser.add_argument("--mfa-token", metavar="CODE", help="MFA code for a role with mfa_serial")
    return parser


def run(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:  # the same help, in the same style, as every command
        from rolecall.cli import run_click

        return run_click(["credential-process", "--help"])
    args = _parser().parse_args(argv)
    if not 0 <= args.window < float("inf"):  # also refuses nan
        raise UsageError("credential-process: --window must be >= 0", hint=f"run: {PROG} --help")

    from rolecall import awsconfig, hot
    from rolecall.credentials.resolver import Resolver
    from rolecall.sso.login import tty_login_handler

    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    config.profile(args.profile)
    from rolecall.sso.target import token_path_of

    snapshot.watch_token(token_path_of(config, args.profile))
    resolver = Resolver(
        config,
        login_handler=tty_login_handler if args.auto_login else None,
        mfa_token=args.mfa_token,
        window_seconds=args.window * 60,
    )
    creds = resolver.resolve(args.profile)
    payload = json.dumps(creds.process_json())
    sys.stdout.write(payload + "\n")
    sys.stdout.flush()
    snapshot.remember(config, args.profile, creds, resolver)
    return 0


def click_command() -> Any:
    """The click wrapper for `rolecall --help`; built on demand so `run` never imports click."""
    import click

    @click.command(
        "credential-process",
        help=DESCRIPTION + "\n\nUse it as `credential_process = rolecall credential-process --profile P`.",
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    @click.option("--profile", "-p", required=True, help="The profile to resolve.")
    @click.option("--auto-login", is_flag=True, help="Log in (browser + /dev/tty) when needed.")
    @click.option("--window", type=float, default=15.0, metavar="MINUTES", show_default=True,
                  help="Re-fetch cached credentials with fewer minutes left.")
    @click.option("--mfa-token", metavar="CODE", help="MFA code for a role with mfa_serial.")
    def cmd(profile: str, auto_login: bool, window: float, mfa_token: str | None) -> int:
        argv = ["--profile", profile, "--window", str(window)]
        if auto_login:
            argv.append("--auto-login")
        if mfa_token:
            argv += ["--mfa-token", mfa_token]
        return run(argv)

    return cmd
