"""`rolecall console [PROFILE]`: sign in to the AWS console in a browser."""

from __future__ import annotations

import sys

import click

from rolecall import console


@click.command("console")
@click.argument("profile", required=False)
@click.option("-s", "--service", metavar="SERVICE",
              help="Console page: a shortcut (s3, ec2, iam, logs …) or a console path (e.g. s3/buckets).")
@click.option("-r", "--region", metavar="REGION",
              help="Region (default: the profile's region, AWS_REGION, AWS_DEFAULT_REGION, us-east-1).")
@click.option("--url", "url_only", is_flag=True, help="Print the sign-in URL on stdout; open nothing.")
@click.option("--copy", is_flag=True, help="Copy the sign-in URL to the clipboard; open nothing.")
@click.option("--duration", type=int, metavar="SECONDS",
              help=f"Console session length, {console.MIN_DURATION}..{console.MAX_DURATION} "
                   "(not for chained roles).")
@click.option("--refresh", is_flag=True, help="Fetch new role credentials first, skipping every cache.")
def cmd(profile: str | None, service: str | None, region: str | None, url_only: bool, copy: bool,
        duration: int | None, refresh: bool) -> int:
    """Open the AWS console signed in as PROFILE.

    Without PROFILE: the credentials exported in this shell (after `assume`),
    or AWS_PROFILE. The sign-in URL is a secret valid for 15 minutes.
    """
    console.check_duration(duration)  # before any login or network call
    credentials = console.signin_credentials(profile, refresh=refresh)
    url = console.open_console(credentials, service=service, region=region, url_only=url_only, copy=copy,
                               duration=duration)
    who = console.describe(credentials)
    if url is not None:
        sys.stdout.write(url + "\n")
        sys.stdout.flush()
    if copy:
        click.echo(f"rolecall: console sign-in URL for {who} copied to the clipboard "
                   f"(valid {console.SIGNIN_TOKEN_MINUTES} minutes)", err=True)
    elif not url_only:
        click.echo(f"rolecall: opened the AWS console for {who}", err=True)
    return 0
