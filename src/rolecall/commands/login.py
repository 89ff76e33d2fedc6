"""`rolecall login`: sign in to IAM Identity Center (PKCE by default, or --device-code)."""

from __future__ import annotations

import click

from rolecall import awsconfig, clock


def until(expires_at: str) -> str:
    return clock.parse_timestamp(expires_at).strftime("%Y-%m-%d %H:%M UTC")


@click.command("login")
@click.option("--profile", "-p", "profile", metavar="PROFILE", help="Log in for this profile's sso-session.")
@click.option("--sso-session", "session", metavar="NAME", help="Log in to this sso-session.")
@click.option("--all", "every", is_flag=True, help="Log in to every sso-session (and legacy start URL) once.")
@click.option("--device-code", is_flag=True, help="Use the device code flow (a code to confirm in any browser).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser; print the URL to open.")
def cmd(profile: str | None, session: str | None, every: bool, device_code: bool, no_browser: bool) -> int:
    """Log in to IAM Identity Center and cache the token where the AWS CLI and SDKs find it.

    Without an option: the sso-session of AWS_PROFILE's profile, else the only one configured.
    """
    from rolecall.sso.login import login
    from rolecall.sso.target import select_targets
    from rolecall.sso.ui import TerminalLoginUI

    config = awsconfig.load()
    targets = select_targets(config, profile=profile, session=session, every=every,
                             environ_profile=awsconfig.env_profile())
    ui = TerminalLoginUI(open_browser=not no_browser)
    for target in targets:
        token = login(target, device_code=device_code, ui=ui)
        click.echo(f"logged in to {target.label} (token valid until {until(token['expiresAt'])})", err=True)
    return 0
