"""`rolecall logout`: revoke and delete SSO tokens and the role credentials cached with them."""

from __future__ import annotations

import click

from rolecall import awsconfig


@click.command("logout")
@click.option("--profile", "-p", "profile", metavar="PROFILE", help="Log out of this profile's sso-session.")
@click.option("--sso-session", "session", metavar="NAME", help="Log out of this sso-session.")
@click.option("--all", "every", is_flag=True,
              help="Log out of everything (every cached token, every SSO role credential), like `aws sso logout`.")
def cmd(profile: str | None, session: str | None, every: bool) -> int:
    """Log out: call Logout, delete the token file and the SSO role credentials it produced.

    Without an option: the sso-session of AWS_PROFILE's profile, else the only one configured.
    """
    from rolecall.sso import logout
    from rolecall.sso.target import select_targets

    config = awsconfig.load()
    if every:
        result = logout.logout_all(config)
        tokens = len(result.tokens_deleted)
        click.echo(f"logged out: {tokens} token{'s' * (tokens != 1)} deleted ({len(result.revoked)} revoked), "
                   f"{_creds(len(result.credentials_deleted))} deleted", err=True)
        return 0
    for target in select_targets(config, profile=profile, session=session,
                                 environ_profile=awsconfig.env_profile()):
        result = logout.logout_target(config, target)
        if result.tokens_deleted:
            what = "token revoked and deleted" if result.revoked else "token deleted"
        else:
            what = "no cached token"
        click.echo(f"logged out of {target.label} ({what}; "
                   f"{_creds(len(result.credentials_deleted))} deleted)", err=True)
    return 0


def _creds(count: int) -> str:
    return f"{count} cached role credential{'s' * (count != 1)}"
