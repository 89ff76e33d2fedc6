"""The formats of `rolecall export`: the AWS CLI's `export-credentials` ones, dotenv, JSON,
and the credential_process document (also what `credential-process` prints).

Shell formats quote through the shells' own emitters' rules (a value that
means nothing to any shell is written bare, as the AWS CLI does).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rolecall.errors import RolecallError
from rolecall.shells import quote_fish, quote_posix

FORMATS = ("env", "env-no-export", "fish", "json", "process", "dotenv", "ini")

# The key beside the keys of a credentials-file section that says rolecall wrote it, and until
# when it holds (botocore ignores keys it does not know).
EXPIRATION_KEY = "rolecall_expiration"

# Characters that mean nothing to a POSIX shell, fish (inside "…") or a dotenv parser.
_SAFE = re.compile(r"[A-Za-z0-9_@%+=:,./-]+\Z")


def _expiry(credentials: Any) -> str | None:
    from rolecall import clock

    return clock.iso_utc(credentials.expiration) if credentials.expiration is not None else None


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
    return value if _SAFE.match(value) else quote_posix(value)


def _fish(value: str) -> str:
    return f'"{value}"' if _SAFE.match(value) or value == "" else quote_fish(value)


def _dotenv(value: str) -> str:
    if _SAFE.match(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("$", "\\$")
    return f'"{escaped}"'


def process_document(creds: Any, stamp: Any = None) -> dict:
    """The credential_process Version 1 document of `creds` (a Credentials or the memo's copy).

    `stamp` writes the expiry: the AWS CLI's cache form by default,
    `clock.iso_utc` for `export --format process` (as `aws configure
    export-credentials` writes it)."""
    if stamp is None:
        from rolecall import clock

        stamp = clock.format_timestamp
    out: dict = {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
    }
    if creds.session_token:
        out["SessionToken"] = creds.session_token
    if creds.expiration is not None:
        out["Expiration"] = stamp(creds.expiration)
    return out


def assignments(variables: list[tuple[str, str]], fmt: str) -> str:
    """NAME=value lines in a shell format: env, env-no-export, fish or dotenv."""
    for name, value in variables:
        if "\0" in value:
            raise RolecallError(f"the value of {name} contains a NUL byte; it cannot be exported")
    if fmt == "env":
        return "".join(f"export {n}={_posix(v)}\n" for n, v in variables)
    if fmt == "env-no-export":
        return "".join(f"{n}={_posix(v)}\n" for n, v in variables)
    if fmt == "fish":
        return "".join(f"set -gx {n} {_fish(v)}\n" for n, v in variables)
    if fmt == "dotenv":
        return "".join(f"{n}={_dotenv(v)}\n" for n, v in variables)
    raise ValueError(f"not a shell format: {fmt!r}")


def credentials_items(credentials: Any) -> list[tuple[str, str]]:
    """The keys of a credentials-file section, in the AWS CLI's order (`ini`, --to-credentials-file)."""
    items = [("aws_access_key_id", credentials.access_key_id),
             ("aws_secret_access_key", credentials.secret_access_key)]
    if credentials.session_token:
        items.append(("aws_session_token", credentials.session_token))
    if credentials.expiration is not None:
        from rolecall import clock

        items.append((EXPIRATION_KEY, clock.format_timestamp(credentials.expiration)))
    for key, value in items:
        if any(ch in value for ch in "\0\r\n") or value != value.strip():
            raise RolecallError(f"the value of {key} cannot be written to a credentials file as it is")
    return items


def render(credentials: Any, fmt: str, *, region: str | None = None, section: str | None = None) -> str:
    """`section`: the section name of the `ini` format (default: the credentials' profile)."""
    if fmt == "ini":
        name = section or credentials.profile or "default"
        if any(ch in name for ch in "\r\n") or name != name.strip() or not name:
            raise RolecallError(f"profile name {name!r} cannot be a credentials-file section as it is",
                                hint="name the section: rolecall export PROFILE --to-credentials-file NAME")
        return f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in credentials_items(credentials))
    if fmt in ("env", "env-no-export", "fish", "dotenv"):
        return assignments(variables(credentials), fmt)
    for name, value in variables(credentials):
        if "\0" in value:
            raise RolecallError(f"the value of {name} contains a NUL byte; it cannot be exported")
    if fmt == "process":
        from rolecall import clock

        return json.dumps(process_document(credentials, clock.iso_utc), indent=2, separators=(",", ": ")) + "\n"
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
