"""`rolecall exec PROFILE -- COMMAND ARGS…`: run one command with a profile's credentials.

The child gets exactly the variables `assume` would set (the managed ones
cleared first); the calling shell is untouched. argv goes to the child as
given (no shell), stdio is inherited, and rolecall exits with the child's
status (128+n when signal n killed it; 127 command not found; 126 not
executable). The same code serves `assume PROFILE --exec -- COMMAND …`.
"""

from __future__ import annotations

import click

from rolecall import session


@click.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                      "help_option_names": ["-h", "--help"]},
)
@click.option("-r", "--region", metavar="REGION", help="Set AWS_REGION/AWS_DEFAULT_REGION (default: the profile's region).")
@click.option("-d", "--duration", metavar="SECONDS", help="Session length for role_arn profiles (900-43200, or 1h).")
@click.option("-p", "--profile-only", is_flag=True, help="Pass only AWS_PROFILE (+ region), not the keys.")
@click.option("--mfa-token", metavar="CODE", help="MFA code for a role that needs one.")
@click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
@click.option("--serve", is_flag=True,
              help="Give COMMAND a local credential endpoint that renews itself, instead of static keys.")
@click.option("--refresh", is_flag=True, help="Fetch new role credentials, skipping every cache.")
@click.argument("profile")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def cmd(region: str | None, duration: str | None, profile_only: bool, mfa_token: str | None,
        no_login: bool, serve: bool, refresh: bool, profile: str, command: tuple[str, ...]) -> int:
    """Run COMMAND with PROFILE's credentials in its environment only.

    \b
    rolecall exec prod -- aws s3 ls
    rolecall exec --serve prod -- terraform apply   # renews for hours
    rolecall exec -- -odd-name -- terraform plan
    """
    from rolecall import awsconfig, hot

    if serve and profile_only:
        raise click.UsageError("--serve does not go with -p/--profile-only (the endpoint replaces both)")
    argv = list(command)
    if argv and argv[0] == "--":  # `exec -- NAME -- CMD`: click kept the second `--`
        argv = argv[1:]
    if not argv:
        raise click.UsageError("no command to run: rolecall exec PROFILE -- COMMAND ARGS...")
    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    return session.exec_with_profile(
        config, profile, argv,
        region=session.check_region(region), duration=session.parse_duration(duration),
        mfa_token=mfa_token, no_login=no_login, profile_only=profile_only, snapshot=snapshot,
        refresh=refresh, serve=serve,
    )
