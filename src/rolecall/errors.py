"""Typed errors. Core code raises these; only `entry.main` renders them.

Every error carries a one-line message and, where there is one, a hint: the
exact command that fixes it. The exit code is part of the CLI contract
(documented in README "Exit codes").
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1  # generic known error
EXIT_USAGE = 2  # bad command line (click uses 2 as well)
EXIT_CONFIG = 3  # config/credentials file missing, unreadable or invalid
EXIT_LOGIN_REQUIRED = 4  # SSO token missing/expired and not refreshable
EXIT_AWS = 5  # an AWS (or sandbox) API rejected the call
EXIT_ENDPOINT = 6  # endpoint unreachable: refused, timeout, TLS, bad response
EXIT_NO_TERMINAL = 7  # an interactive step was needed but there is no terminal
EXIT_INTERNAL = 70  # a bug: unexpected exception (see --debug)
EXIT_INTERRUPTED = 130  # Ctrl-C


class RolecallError(Exception):
    """A known failure with a message for humans and an optional fix."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(RolecallError):
    exit_code = EXIT_USAGE


class ConfigError(RolecallError):
    """The AWS config or credentials file is missing, unreadable or invalid.

    `path`, `section`, `key` and `line` locate the problem where known; they are
    folded into the message so the one line names the spot.
    """

    exit_code = EXIT_CONFIG

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        section: str | None = None,
        key: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = path
        self.section = section
        self.key = key
        self.line = line
        where = []
        if path:
            where.append(f"{path}:{line}" if line else path)
        if section:
            where.append(f"[{section}]")
        if key:
            where.append(key)
        full = f"{' '.join(where)}: {message}" if where else message
        super().__init__(full, hint)
        self.reason = message


CREATE_CONFIG_HINT = ("create it: rolecall config add-session NAME --start-url URL --region REGION "
                      "(or: aws configure sso)")


class ProfileNotFound(ConfigError):
    def __init__(self, name: str, path: str | None = None, *, no_files: bool = False,
                 close: list[str] | None = None, from_env: str | None = None) -> None:
        # (`close`: names already made printable by the caller; this module imports nothing of rolecall)
        hint = CREATE_CONFIG_HINT if no_files else "run: rolecall list   (to see the profiles you have)"
        if close and not no_files:
            hint = f"did you mean {' or '.join(close)}?   (all of them: rolecall list)"
        if from_env:
            hint += f"   (or: unset {from_env})"
        super().__init__(
            f"profile {name!r}" + (f" (from {from_env})" if from_env else "") + " not found"
            + (": the config file does not exist" if no_files else ""),
            path=path, hint=hint,
        )
        self.profile = name


class NoConfigFile(ConfigError):
    """Neither the config nor the credentials file exists, and the command needs profiles."""

    def __init__(self, path: str, credentials_path: str) -> None:
        super().__init__(f"the config file does not exist (nor does {credentials_path})", path=path,
                         hint=CREATE_CONFIG_HINT)


class LoginRequired(RolecallError):
    """No usable SSO token: the user has to log in again."""

    exit_code = EXIT_LOGIN_REQUIRED

    def __init__(
        self,
        reason: str,
        *,
        session: str | None = None,
        profile: str | None = None,
        start_url: str | None = None,
    ) -> None:
        if session:
            what = f"sso-session {session}"
            cmd = f"rolecall login --sso-session {_quote(session)}"
        elif profile:
            what = f"profile {profile}"
            cmd = f"rolecall login --profile {_quote(profile)}"
        else:
            what = start_url or "this profile"
            cmd = "rolecall login"
        super().__init__(f"login required for {what} ({reason})", f"run: {cmd}")
        self.session = session
        self.profile = profile
        self.start_url = start_url
        self.command = cmd


class AwsError(RolecallError):
    """An AWS API (or the sandbox) answered with an error."""

    exit_code = EXIT_AWS

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.code = code


class EndpointError(RolecallError):
    """The endpoint could not be reached or answered garbage."""

    exit_code = EXIT_ENDPOINT


class NoTerminal(RolecallError):
    exit_code = EXIT_NO_TERMINAL


def _quote(value: str) -> str:
    # Local import keeps this module import-light for the hot path.
    import shlex

    return shlex.quote(value)
