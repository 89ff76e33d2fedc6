"""`rolecall export PROFILE --format F [--copy]`: a profile's credentials as text.

`env`, `env-no-export`, `fish` and `process` print exactly what
`aws configure export-credentials --format …` prints (same lines, same
order, expiry as Python's isoformat of the UTC time), so scripts written for
the AWS CLI keep working. AWS keys and tokens never need quoting; any value
that would is quoted for its target instead of copied blindly. `json` adds
the account, role, profile and region; `dotenv` is `NAME=value` lines for
docker `--env-file`, compose and python-dotenv.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import click

from rolecall import session, shells
from rolecall.errors import RolecallError
from rolecall.term import printable

FORMATS = ("env", "env-no-export", "fish", "json", "process", "dotenv")

# Characters that mean nothing to a POSIX shell, fish (inside "…") or a dotenv parser.
_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+\Z")


def _expiry(credentials: Any) -> str | None:
    return session.expiry_text(credentials.expiration) if credentials.expiration is not None else None


def variables(credentials: Any) -> list[tuple[str, str]]:
    """The CLI's variables, in its order: key, secret, token and expiry when present."""
    out = [("AWS_ACCESS_KEY_ID", credentials.access_key_id),
           ("AWS_SECRET_ACCESS_KEY", credentials.secret_access_key)]
    if credentials.session_token:
        out.append(("AWS_SESSION_TOKEN", credentials.session_token))
    expiry = _expiry(credentials)
    if expiry is not None:
        out.append(("AWS_CREDENTIAL_EXPIRATION", expiry))
    return out


def _posix(value: str) -> str:
    return value if _SAFE.match(value) else shells.quote_posix(value)


def _fish(value: str) -> str:
    return f'"{value}"' if _SAFE.match(value) or value == "" else shells.quote_fish(value)


def _dotenv(value: str) -> str:
    if _SAFE.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("$", "\\$")
    return f'"{escaped}"'


def render(credentials: Any, fmt: str, *, region: str | None = None) -> str:
    for name, value in variables(credentials):
        if "\0" in value:
            raise RolecallError(f"the value of {name} contains a NUL byte; it cannot be exported")
    if fmt == "env":
        return "".join(f"export {n}={_posix(v)}\n" for n, v in variables(credentials))
    if fmt == "env-no-export":
        return "".join(f"{n}={_posix(v)}\n" for n, v in variables(credentials))
    if fmt == "fish":
        return "".join(f"set -gx {n} {_fish(v)}\n" for n, v in variables(credentials))
    if fmt == "dotenv":
        return "".join(f"{n}={_dotenv(v)}\n" for n, v in variables(credentials))
    if fmt == "process":
        doc: dict[str, Any] = {"Version": 1, "AccessKeyId": credentials.access_key_id,
                               "SecretAccessKey": credentials.secret_access_key}
        if credentials.session_token:
            doc["SessionToken"] = credentials.session_token
        if _expiry(credentials) is not None:
            doc["Expiration"] = _expiry(credentials)
        return json.dumps(doc, indent=2, separators=(",", ": ")) + "\n"
    if fmt == "json":
        doc = {
            "AccessKeyId": credentials.access_key_id,
            "SecretAccessKey": credentials.secret_access_key,
            "SessionToken": credentials.session_token or None,
            "Expiration": _expiry(credentials),
            "AccountId": credentials.account_id,
            "RoleName": credentials.role_name,
            "Profile": credentials.profile,
            "Region": region,
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r}")


@click.command("export")
@click.argument("profile", required=False)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="env", show_default=True,
              help="env/env-no-export/fish/process: as `aws configure export-credentials`; "
                   "json: with account, role, profile, region; dotenv: NAME=value lines.")
@click.option("--copy", is_flag=True, help="Copy to the clipboard instead of printing.")
@click.option("-d", "--duration", metavar="SECONDS", help="Session length for role_arn profiles (900-43200, or 1h).")
@click.option("--mfa-token", metavar="CODE", help="MFA code for a role that needs one.")
@click.option("--no-login", is_flag=True, help="Fail instead of logging in when the SSO token is gone.")
def cmd(profile: str | None, fmt: str, copy: bool, duration: str | None, mfa_token: str | None,
        no_login: bool) -> int:
    """Print PROFILE's credentials (default: $AWS_PROFILE, else `default`).

    \b
    eval "$(rolecall export prod)"
    rolecall export prod --format dotenv > .env
    """
    from rolecall import awsconfig, hot

    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    name = profile or awsconfig.env_profile() or "default"
    config.profile(name)
    seconds = session.parse_duration(duration)
    session.warn_duration_ignored(config, name, seconds)
    credentials = session.resolve(config, name, duration=seconds, mfa_token=mfa_token, no_login=no_login,
                                 snapshot=snapshot)
    text = render(credentials, fmt, region=config.profile(name).region)
    if copy:
        from rolecall import clipboard

        clipboard.copy(text, instead="rolecall export PROFILE --format " + fmt)
        click.echo(f"rolecall: copied the credentials of {printable(name)} ({fmt}) to the clipboard",
                   err=True)
        return 0
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0
