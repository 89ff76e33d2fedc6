"""`rolecall console [PROFILE]`: sign in to the AWS console in a browser."""

from __future__ import annotations

import sys

import click

from rolecall import browsers, console  # (browsers: its names for --help; it imports no click)


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
@click.option("--destination", metavar="URL", help="Land on this console URL (on the partition's console host).")
@click.option("--browser", "browser_name", metavar="NAME",
              help="The browser for this call: " + ", ".join(browsers.NAMES) + " (remembered: rolecall browser set).")
@click.option("--browser-profile", metavar="NAME",
              help="The browser profile / Firefox container (default: the profile's rolecall_browser_profile, "
                   "else its name).")
def cmd(profile: str | None, service: str | None, region: str | None, url_only: bool, copy: bool,
        duration: int | None, refresh: bool, destination: str | None, browser_name: str | None,
        browser_profile: str | None) -> int:
    """Open the AWS console signed in as PROFILE.

    Without PROFILE: the credentials exported in this shell (after `assume`),
    or AWS_PROFILE. The sign-in URL is a secret valid for 15 minutes. Each
    profile opens in its own browser profile (Chromium family) or container
    (Firefox), so consoles stay signed in side by side: rolecall browser set.
    """
    console.check_duration(duration)  # before any login or network call
    credentials = console.signin_credentials(profile, refresh=refresh)
    opened = console.open_console(credentials, service=service, region=region, url_only=url_only, copy=copy,
                                  duration=duration, destination=destination, browser_name=browser_name,
                                  browser_profile=browser_profile)
    if opened.url is not None:
        sys.stdout.write(opened.url + "\n")
        sys.stdout.flush()
    if not url_only or copy:
        click.echo(console.opened_message(console.describe(credentials), opened), err=True)
    return 0
