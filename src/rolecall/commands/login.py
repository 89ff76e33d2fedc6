"""`rolecall login`: sign in to IAM Identity Center (PKCE by default, or --device-code)."""

from __future__ import annotations

import click

from rolecall import awsconfig, clock


def until(expires_at: str) -> str:
    return clock.parse_timestamp(expires_at).strftime("%Y-%m-%d %H:%M UTC")


def _check_region(target) -> None:
    import shlex

    from rolecall import regions
    from rolecall.errors import ConfigError
    from rolecall.term import printable

    why = regions.problem(target.region)
    if why is None:
        return
    fix = (f"rolecall config set --session {shlex.quote(target.session_name)} sso_region us-east-1"
           if target.session_name else f"rolecall config set {shlex.quote(target.profile_name or 'PROFILE')} "
                                      "sso_region us-east-1")
    raise ConfigError(f"sso_region of {printable(target.label)}: {why}", key="sso_region", hint=f"run: {fix}")


@click.command("login")
@click.option("--profile", "-p", "profile", metavar="PROFILE", help="Log in for this profile's sso-session.")
@click.option("--sso-session", "session", metavar="NAME", help="Log in to this sso-session.")
@click.option("--all", "every", is_flag=True, help="Log in to every sso-session (and legacy start URL) once.")
@click.option("--device-code", is_flag=True, help="Use the device code flow (a code to confirm in any browser).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; print the URL to open.")
@click.option("--force", is_flag=True, help="Sign in again even when the cached token is still valid.")
def cmd(profile: str | None, session: str | None, every: bool, device_code: bool, no_browser: bool,
        force: bool) -> int:
    """Log in to IAM Identity Center and cache the token where the AWS CLI and SDKs find it.

    Without an option: the sso-session of AWS_PROFILE's profile, else the only one configured.
    Already signed in (a token with more than 15 minutes left that the portal still accepts): says
    until when, opens nothing.
    """
    from rolecall.session import time_left_text
    from rolecall.sso.login import login
    from rolecall.sso.target import select_targets
    from rolecall.sso.tokens import signed_in_until
    from rolecall.sso.ui import TerminalLoginUI

    config = awsconfig.load()
    targets = select_targets(config, profile=profile, session=session, every=every,
                             environ_profile=awsconfig.env_profile())
    ui = TerminalLoginUI(open_browser=not no_browser)
    for target in targets:
        _check_region(target)  # (a token on disk must not hide a broken config)
        until_at = None if force else signed_in_until(target, ask_portal=True)
        if until_at is not None:
            click.echo(f"rolecall: already signed in to {target.label} until {until_at.strftime('%H:%M')} UTC "
                       f"({time_left_text(until_at.timestamp())})", err=True)
            continue
        token = login(target, device_code=device_code, ui=ui)
        click.echo(f"logged in to {target.label} (token valid until {until(token['expiresAt'])})", err=True)
    return 0
