"""Checks made before anything is written: a failed check changes nothing.

Each check raises `UsageError` naming the bad value and how to fix it.
"""

from __future__ import annotations

import functools
import re
import shlex

from rolecall.awsconfig import account_id_is_valid
from rolecall.errors import UsageError

OUTPUT_FORMATS = ("json", "text", "table", "yaml", "yaml-stream")
_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)?\Z")
# Characters that would break the shlex-split of a `[profile NAME]` header
# or the line structure of the file.
_BAD_NAME_CHARS = set("[]\"'\\#;") | {"\t", "\r", "\n", "\v", "\f"}


def name(value: str, what: str = "profile") -> str:
    """A profile or sso-session name botocore reads back exactly as given."""
    from rolecall.configedit.document import header_for

    problem = None
    if not value:
        problem = "is empty"
    elif value != value.strip():
        problem = "has leading or trailing spaces"
    elif any(ch in _BAD_NAME_CHARS or not ch.isprintable() for ch in value):
        bad = next(ch for ch in value if ch in _BAD_NAME_CHARS or not ch.isprintable())
        problem = f"contains {bad!r}"
    if problem is None:
        kind = "sso-session" if what == "sso-session" else "profile"
        header = header_for(kind, value)
        try:
            ok = header == "default" or shlex.split(header) == [kind, value]
        except ValueError:
            ok = False
        if not ok:
            problem = "cannot be written as a section header botocore reads back"
    if problem:
        raise UsageError(
            f"{what} name {value!r} {problem}",
            hint=f"use letters, digits and - _ . / @ + in {what} names",
        )
    return value


def account_id(value: str) -> str:
    if not account_id_is_valid(value):
        raise UsageError(f"account id {value!r} is not 12 digits",
                         hint="pass the 12-digit account id, e.g. --account-id 123456789012")
    return value


def region(value: str, flag: str = "--region") -> str:
    from rolecall import regions

    why = regions.problem(value)
    if why is not None:
        close = sorted(r for r in known_regions() if r.split("-")[0] == value.split("-")[0])[:6]
        hint = f"known regions like it: {', '.join(close)}" if close else "e.g. us-east-1, eu-west-1"
        raise UsageError(f"{why} ({flag})", hint=hint)
    return value


def output(value: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise UsageError(f"output {value!r} is not one of {', '.join(OUTPUT_FORMATS)}",
                         hint="use --output json")
    return value


def start_url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+", value) or any(ch.isspace() for ch in value):
        raise UsageError(f"start URL {value!r} is not an http(s) URL",
                         hint="e.g. --start-url https://my-org.awsapps.com/start")
    return value


def scopes(value: str) -> str:
    items = [s.strip() for s in value.split(",")]
    if not all(items) or any(ch.isspace() for s in items for ch in s):
        raise UsageError(f"scopes {value!r} must be a comma-separated list without spaces",
                         hint="e.g. --scopes sso:account:access")
    return ",".join(items)


def key(value: str) -> str:
    """A config key (lower-cased, as botocore reads keys); `a.b` is a nested key."""
    lowered = value.lower()
    if not _KEY.match(lowered):
        raise UsageError(f"key {value!r} is not a config key (letters, digits, _; `s3.x` for nested)",
                         hint="e.g. rolecall config set PROFILE region eu-west-1")
    return lowered


def value(text: str, key_name: str) -> str:
    if text != text.strip() or any(not ch.isprintable() for ch in text):
        raise UsageError(f"value for {key_name} has leading/trailing spaces or control characters",
                         hint="a config value is one line without surrounding spaces")
    if key_name == "sso_account_id":
        account_id(text)
    elif key_name in ("region", "sso_region"):
        region(text, key_name)
    elif key_name == "output":
        output(text)
    elif key_name == "duration_seconds" and not text.isdigit():
        raise UsageError(f"duration_seconds must be a whole number of seconds, got {text!r}")
    elif key_name == "sso_start_url":
        start_url(text)
    elif key_name == "sso_registration_scopes":
        scopes(text)
    return text


def role_arn(value: str) -> str:
    from rolecall.awsconfig import role_arn_is_valid  # the one pattern, also used when reading

    if not role_arn_is_valid(value):
        raise UsageError(f"role ARN {value!r} is not arn:aws:iam::<12 digits>:role/<name>",
                         hint="e.g. --role-arn arn:aws:iam::123456789012:role/Deploy")
    return value


def role_name(value: str) -> str:
    if not re.match(r"[\w+=,.@-]{1,64}\Z", value):
        raise UsageError(f"role name {value!r} is not a valid IAM role name")
    return value


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Region codes: rolecall's list generated from botocore's endpoint data (cheap JSON),
    botocore's own endpoint data if that file is missing."""
    try:
        from rolecall import regions

        return frozenset(regions.codes())
    except (ImportError, OSError, ValueError, KeyError):
        pass
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    return frozenset(code for partition in endpoints.get("partitions", []) for code in partition.get("regions", {}))
