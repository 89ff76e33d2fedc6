"""credential_process sources, run the way botocore's ProcessProvider runs them.

shlex split (no shell: no `~`, `$VAR` or globbing), stdout and stderr captured,
stdin inherited (a source may prompt on /dev/tty). A non-zero exit is an error
carrying the child's stderr; stdout must be a Version 1 document, checked
strictly. What stdout held never reaches an error message: it is secrets.

Loops (a source that runs rolecall for a profile already being resolved, maybe
through the AWS CLI) are cut with `_ROLECALL_PROFILE_CHAIN`, like the CLI's
`_AWS_CLI_PROFILE_CHAIN`: every child gets the chain of profiles its parents
were resolving, and resolving a profile already in it is an error.
"""

from __future__ import annotations

import json
import os
import shlex
from datetime import datetime, timezone

from rolecall import hot
from rolecall.credentials.model import Credentials
from rolecall.errors import ConfigError, RolecallError

PROFILE_CHAIN_ENV = hot.CHAIN_ENV  # (defined once, in rolecall.hot: the memo steps aside for these children)
_STDERR_LIMIT = 2000


class ProcessError(RolecallError):
    """A credential_process source failed or printed something unusable."""


def inherited_chain(environ: dict | None = None) -> list[str]:
    """Profiles the parent rolecall processes were resolving (outermost first)."""
    raw = (os.environ if environ is None else environ).get(PROFILE_CHAIN_ENV)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return []


def run(command: str, *, profile: str, chain: list[str], config_path: str | None = None) -> Credentials:
    """Run `command` (the profile's credential_process) and parse its credentials."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"cannot split the command: {exc}", path=config_path, section=_section(profile),
                          key="credential_process", hint="fix the quoting of credential_process") from None
    if not argv:
        raise ConfigError("credential_process is empty", path=config_path, section=_section(profile),
                          key="credential_process", hint=f"set credential_process for profile {profile!r}")
    import subprocess  # here, not at the top: ~5 ms every resolve would pay

    env = dict(os.environ)
    env[PROFILE_CHAIN_ENV] = json.dumps(chain)
    try:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, check=False)
    except FileNotFoundError:
        raise ConfigError(f"command not found: {argv[0]}", path=config_path, section=_section(profile),
                          key="credential_process",
                          hint="use the absolute path of the program (no shell runs this line)") from None
    except PermissionError:
        raise ConfigError(f"command is not executable: {argv[0]}", path=config_path, section=_section(profile),
                          key="credential_process", hint=f"run: chmod +x {shlex.quote(argv[0])}") from None
    except OSError as exc:
        raise ConfigError(f"cannot run {argv[0]}: {exc.strerror}", path=config_path, section=_section(profile),
                          key="credential_process") from None
    if done.returncode != 0:
        text = _one_line(done.stderr.decode("utf-8", "replace")) or "(no output on stderr)"
        raise ProcessError(
            f"credential_process of profile {profile!r} failed (exit {done.returncode}): {text}",
            hint=f"run it yourself to see the problem: {' '.join(shlex.quote(a) for a in argv)}",
        )
    return parse(done.stdout, profile=profile)


def parse(stdout: bytes | str, *, profile: str) -> Credentials:
    """A Version 1 document → Credentials; anything else is a ProcessError."""
    def bad(reason: str) -> ProcessError:
        return ProcessError(f"credential_process of profile {profile!r} printed {reason}",
                            hint="it must print only {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …, "
                                 "\"SessionToken\": …, \"Expiration\": \"…Z\"}")

    try:
        text = stdout.decode("utf-8") if isinstance(stdout, bytes) else stdout
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise bad("something that is not JSON") from None
    if not isinstance(doc, dict):
        raise bad("JSON that is not an object")
    version = doc.get("Version")
    if type(version) is not int or version != 1:  # True == 1 and 1.0 == 1: both refused
        raise bad(f"Version {json.dumps(version)} (only the integer 1 is supported)")
    for key in ("AccessKeyId", "SecretAccessKey"):
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise bad(f"no {key}")
    token = doc.get("SessionToken")
    if token is not None and not isinstance(token, str):
        raise bad("a SessionToken that is not a string")
    expiration = _expiration(doc.get("Expiration"), bad)
    account = doc.get("AccountId")
    return Credentials(
        access_key_id=doc["AccessKeyId"],
        secret_access_key=doc["SecretAccessKey"],
        session_token=token or None,
        expiration=expiration,
        account_id=account if isinstance(account, str) and account else None,
        profile=profile,
    )


def _expiration(value: object, bad) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad("an Expiration that is not a string")
    text = value.strip()
    if text.endswith("UTC"):
        text = text[:-3].rstrip() + "+00:00"
    elif text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise bad(f"an Expiration that is not ISO 8601 ({value!r})") from None
    if parsed.tzinfo is None:  # botocore cannot compare it with an aware "now"
        raise bad(f"an Expiration without a time zone ({value!r})")
    return parsed.astimezone(timezone.utc)


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    joined = " | ".join(lines)
    return joined if len(joined) <= _STDERR_LIMIT else joined[:_STDERR_LIMIT] + "…"


def _section(profile: str) -> str:
    return "default" if profile == "default" else f"profile {profile}"
