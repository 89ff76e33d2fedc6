"""`rolecall serve PROFILE`: a local credential endpoint for other processes, in the foreground.

It prints the two variables that point an SDK at it (stdout: eval them in a
shell, or pass them to `docker run --network host -e …`), then serves until
Ctrl-C, SIGTERM or SIGHUP, or until the process that started it goes away.
"""

from __future__ import annotations

import click

from rolecall import session


@click.command("serve")
@click.argument("profile")
@click.option("-r", "--region", metavar="REGION", help="Also print AWS_REGION/AWS_DEFAULT_REGION (default: the profile's).")
@click.option("-d", "--duration", metavar="SECONDS", help="Session length for role_arn profiles (900-43200, or 1h).")
@click.option("-f", "--format", "fmt", type=click.Choice(["env", "fish", "dotenv"]), default="env",
              show_default=True, help="How the variables are printed: `export` lines, fish, or a .env file.")
@click.option("--mfa-token", metavar="CODE", help="MFA code for a role that needs one.")
@click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
@click.option("--refresh", is_flag=True, help="Start with new role credentials, skipping every cache.")
def cmd(profile: str, region: str | None, duration: str | None, fmt: str, mfa_token: str | None,
        no_login: bool, refresh: bool) -> int:
    """Serve PROFILE's credentials on 127.0.0.1 (the container-credentials protocol), renewed ahead of expiry.

    \b
    rolecall serve prod > ~/.prod-endpoint &   # then, in any shell of yours:
    . ~/.prod-endpoint && terraform apply
    rolecall serve prod -f dotenv > prod.env &  docker run --network host --env-file prod.env ...
    """
    import os
    import signal
    import sys
    import threading

    from rolecall import awsconfig
    from rolecall.shells import formats

    config = awsconfig.load()
    config.profile(profile)
    seconds = session.parse_duration(duration)
    session.check_duration(config, profile, seconds)
    region = session.region_for(config, profile, session.check_region(region))
    server = session.credential_server(config, profile, duration=seconds, mfa_token=mfa_token, no_login=no_login,
                                       refresh=refresh)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    parent = os.getppid()
    with server:
        variables = [(name, value) for name, value in server.environment().items() if value is not None]
        if region:
            variables += [("AWS_REGION", region), ("AWS_DEFAULT_REGION", region)]
        sys.stdout.write(formats.assignments(variables, fmt))
        sys.stdout.flush()
        session.say(f"rolecall: serving the credentials of {session.printable(profile)} on {server.url} "
                    "(renewed ahead of expiry; Ctrl-C stops)")
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the parent is gone: never outlive it
                break
    session.say("rolecall: credential server stopped")
    return 0
