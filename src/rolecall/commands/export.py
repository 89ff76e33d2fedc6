"""`rolecall export PROFILE --format F [--copy]`: a profile's credentials as text.

`env`, `env-no-export`, `fish` and `process` print exactly what
`aws configure export-credentials --format …` prints (same lines, same
order, expiry as Python's isoformat of the UTC time), so scripts written for
the AWS CLI keep working. AWS keys and tokens never need quoting; any value
that would is quoted for its target instead of copied blindly. `json` adds
the account, role, profile and region; `dotenv` is `NAME=value` lines for
docker `--env-file`, compose and python-dotenv. `ini` is a credentials-file
section; `--to-credentials-file [NAME]` writes that section into the
credentials file itself (rolecall.configedit.credentials_file), for tools that
read nothing else.
"""

from __future__ import annotations

import shlex
import sys

import click

from rolecall import session
from rolecall.shells import formats
from rolecall.shells.formats import FORMATS
from rolecall.term import printable


@click.command("export")
@click.argument("profile", required=False)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="env", show_default=True,
              help="env/env-no-export/fish/process: as `aws configure export-credentials`; "
                   "json: with account, role, profile, region; dotenv: NAME=value lines; "
                   "ini: a credentials-file section.")
@click.option("--to-credentials-file", "section", is_flag=False, flag_value="", default=None, metavar="[NAME]",
              help="Write the keys as section NAME (default: PROFILE) of the credentials file, for tools that "
                   "read only that file.")
@click.option("--copy", is_flag=True, help="Copy to the clipboard instead of printing.")
@click.option("-d", "--duration", metavar="SECONDS", help="Session length for role_arn profiles (900-43200, or 1h).")
@click.option("--mfa-token", metavar="CODE", help="MFA code for a role that needs one.")
@click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
@click.option("--refresh", is_flag=True, help="Fetch new role credentials, skipping every cache.")
def cmd(profile: str | None, fmt: str, section: str | None, copy: bool, duration: str | None,
        mfa_token: str | None, no_login: bool, refresh: bool) -> int:
    """Print PROFILE's credentials (default: $AWS_PROFILE, else `default`).

    \b
    eval "$(rolecall export prod)"
    rolecall export prod --format dotenv > .env
    rolecall export prod --to-credentials-file        # [prod] in ~/.aws/credentials
    """
    from rolecall import awsconfig, hot
    from rolecall.errors import UsageError

    if section is not None and copy:
        raise UsageError("--to-credentials-file and --copy do not go together",
                         hint="run one: rolecall export PROFILE --to-credentials-file")
    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    name = profile or awsconfig.env_profile() or "default"
    if profile is None and section and section != name and section in config.profiles:
        # `export --to-credentials-file prod`: the option took the word; `prod` was most likely the PROFILE
        raise UsageError(f"--to-credentials-file took {printable(section)!r} as the section to write, and no "
                         f"PROFILE was given (it would write the keys of {printable(name)!r} there)",
                         hint=f"name the profile first: rolecall export {shlex.quote(section)} --to-credentials-file")
    config.profile(name)
    seconds = session.parse_duration(duration)
    session.check_duration(config, name, seconds)
    credentials = session.resolve(config, name, duration=seconds, mfa_token=mfa_token, no_login=no_login,
                                 snapshot=snapshot, refresh=refresh)
    if section is not None:
        from rolecall.configedit import credentials_file

        target = section or name
        result = credentials_file.store(credentials, target)
        expiry = f", until {credentials.expiration:%Y-%m-%d %H:%M} UTC" if credentials.expiration else ""
        click.echo(f"rolecall: wrote the keys of {printable(name)} as [{printable(target)}] in "
                   f"{result.path}{expiry}" + (f" (previous file: {result.backup})" if result.backup else "")
                   + ("" if result.changed else " (unchanged)"), err=True)
        return 0
    text = formats.render(credentials, fmt, region=config.profile(name).region)
    if copy:
        from rolecall import clipboard

        clipboard.copy(text, instead="rolecall export PROFILE --format " + fmt)
        click.echo(f"rolecall: copied the credentials of {printable(name)} ({fmt}) to the clipboard",
                   err=True)
        return 0
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0
