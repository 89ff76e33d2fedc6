"""`rolecall export P --to-credentials-file [NAME]`: a profile's keys as a section of
~/.aws/credentials, for tools that read only that file.

One locked, checked edit (configedit.store.edit_credentials): only section NAME
changes, the previous file is kept as `.bak`, the file is left 0600. Two
sections are never overwritten, because the keys would take the place of
something the user relies on:

- one holding keys rolecall did not write (no `rolecall_expiration`): long-term
  keys, most likely, that exist nowhere else;
- one whose config profile botocore resolves *after* the credentials file
  (credential_process, static keys, credential_source …): botocore would use
  the written keys instead of that source, and keep using them once expired.
  SSO profiles and role_arn profiles are resolved before the credentials file,
  so writing their own name is safe.
"""

from __future__ import annotations

from typing import Any

from rolecall import awsconfig
from rolecall.configedit import validate
from rolecall.configedit.document import CREDENTIALS, ConfigDocument, header_for
from rolecall.configedit.store import EditResult, edit_credentials
from rolecall.errors import ConfigError, UsageError
from rolecall.shells.formats import EXPIRATION_KEY, credentials_items

_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_security_token", EXPIRATION_KEY)


def _shadows(config: Any, name: str) -> str | None:
    """Why keys under [name] would change what botocore resolves for the config profile `name`."""
    profile = config.profiles.get(name)
    if profile is None or not profile.in_config:
        return None
    raw = profile.raw  # botocore's view: a --credential-process profile is a process one to it
    if "role_arn" in raw or "sso_account_id" in raw or "sso_role_name" in raw:
        return None  # resolved before the credentials file
    if "credential_process" in raw and not profile.in_credentials:
        source = "credential_process"
    elif "aws_access_key_id" in raw and not profile.in_credentials:
        source = "static keys in the config file"
    else:
        return None
    return f"profile {name!r} in {config.config_path} uses {source}, and keys under [{name}] would take its place"


def store(credentials: Any, name: str, *, dry_run: bool = False) -> EditResult:
    """Write `credentials` as section `name` of the credentials file."""
    validate.name(name)
    items = credentials_items(credentials)
    wanted = dict(items)
    again = f"rolecall export {credentials.profile or 'PROFILE'} --to-credentials-file OTHER-NAME"

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        why = _shadows(config, name)  # (`config`: the config file too)
        if why is not None:
            raise UsageError(why, hint=f"write another section: {again}")
        existing = doc.values(CREDENTIALS, name)
        if existing and "aws_access_key_id" in existing and EXPIRATION_KEY not in existing:
            raise UsageError(f"section [{name}] of {config.credentials_path} holds keys rolecall did not write "
                             "(long-term keys?); they are left alone", hint=f"write another section: {again}")
        if doc.section(CREDENTIALS, name) is None:
            doc.append_sections([(header_for(CREDENTIALS, name), items)])
            return
        doc.replace(CREDENTIALS, name, items, stale=_KEYS)

    def check(new: awsconfig.AwsConfig) -> None:
        raw = new.profile(name).raw
        if {k: raw.get(k) for k in _KEYS if k in raw} != wanted:
            raise ConfigError(f"section [{name}] does not read back as written")

    return edit_credentials(change, check, dry_run=dry_run)
