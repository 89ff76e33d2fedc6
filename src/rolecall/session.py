"""What a profile's credentials become in a shell or a child, and how a child runs.

Shared by `assume`, `exec` and `export` (commands never import each other):
the managed variable set and its changes (`session_changes`, `cleared`), the
child environment, duration and region checks, resolving with the memo
(`resolve`), the one-line description, and the child runner that forwards
signals (`run_command`). Imports nothing heavy: `assume`'s cache hit runs here.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing and datetime cost ~5 ms on the cache-hit path: neither is imported there)
if TYPE_CHECKING:
    from typing import Any, Mapping

from rolecall import hot
from rolecall.errors import UsageError
from rolecall.hot import MAX_DURATION, MIN_DURATION
from rolecall.term import printable, warn

# Everything rolecall manages in a shell. `assume` unsets all of them first, so
# nothing of a previous profile survives. ROLECALL_BROWSER, ROLECALL_EXPORT …
# are the user's settings, not session state: they are never touched.
MANAGED_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "ROLECALL_PROFILE",
    "ROLECALL_EXPIRATION",
    "_ROLECALL_REFRESH_AT",
    "_ROLECALL_REFRESH_IN",
    "_ROLECALL_REFRESH_KEY",
    "_ROLECALL_AD_HOC",
)
# A role assumed without a profile (rolecall.adhoc): its request, so the shell hook can renew it.
AD_HOC_VAR = "_ROLECALL_AD_HOC"
# When the shell hook renews the keys `assume` exported (shell/assume.*): the
# epoch second, the seconds from now (bash 3.2 has only $SECONDS to count), and
# the access key id they belong to (keys the user exported since are left alone).
REFRESH_AT_VAR = "_ROLECALL_REFRESH_AT"
REFRESH_IN_VAR = "_ROLECALL_REFRESH_IN"
REFRESH_KEY_VAR = "_ROLECALL_REFRESH_KEY"
AUTO_REFRESH_VAR = "ROLECALL_AUTO_REFRESH"

def parse_duration(text: str | None) -> int | None:
    """Seconds from `3600`, `3600s`, `90m` or `1h`; range-checked like AssumeRole."""
    if text is None:
        return None
    raw = text.strip().lower()
    scale = {"s": 1, "m": 60, "h": 3600}.get(raw[-1:], 0)
    number = raw[:-1] if scale else raw
    if not number.isdigit():
        raise UsageError(
            f"--duration must be a number of seconds (or like 90m, 1h), got {text!r}",
            hint="for example: assume -d 3600 PROFILE",
        )
    seconds = int(number) * (scale or 1)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise UsageError(
            f"--duration must be between {MIN_DURATION} and {MAX_DURATION} seconds (15 min to 12 h), got {seconds}",
            hint="for example: assume -d 3600 PROFILE",
        )
    return seconds


def check_region(region: str | None) -> str | None:
    if region is None:
        return None
    from rolecall import regions

    why = regions.problem(region)
    if why is not None:
        raise UsageError(f"--region does not look like an AWS region: {why}", hint="for example: -r eu-west-1")
    return region


def _expiry_of(credentials: Any) -> str | None:
    text = getattr(credentials, "expiration_text", None)  # a MemoCredentials: no datetime needed
    if text is not None:
        return text[:-1] + "+00:00"  # the same string clock.iso_utc makes of it (whole seconds, UTC)
    if credentials.expiration is None:
        return None
    from rolecall import clock  # (datetime is loaded already: the credentials hold one)

    return clock.iso_utc(credentials.expiration)


def expiry_epoch(credentials: Any) -> float | None:
    expires = getattr(credentials, "expires", None)  # a MemoCredentials: (text, epoch), no datetime needed
    if expires is not None:
        return float(expires[1])
    expiration = getattr(credentials, "expiration", None)
    return None if expiration is None else expiration.timestamp()


def refresh_marks(credentials: Any, window_seconds: float) -> dict[str, str | None]:
    """The shell hook's schedule for these keys: inside the window, or halfway for keys that live less.

    Nothing when they do not expire, or ROLECALL_AUTO_REFRESH=0.
    """
    import time

    epoch = expiry_epoch(credentials)
    if epoch is None or os.environ.get(AUTO_REFRESH_VAR, "").strip() == "0":
        return {}
    now = time.time()
    due = max(epoch - window_seconds, now + (epoch - now) / 2)
    return {REFRESH_AT_VAR: str(int(due)), REFRESH_IN_VAR: str(max(0, int(due - now))),
            REFRESH_KEY_VAR: credentials.access_key_id}


def cleared() -> dict[str, str | None]:
    return {name: None for name in MANAGED_VARS}


# The user's own region, as it was before the first `assume` in this shell: a profile without a
# region leaves it in place, and --unset puts it back (never what a previous assume set).
# Each mark is `set:VALUE` or `unset`; no mark yet means "this shell's value now is the user's".
SAVED_REGION_VARS = {"AWS_REGION": "_ROLECALL_SAVED_AWS_REGION",
                     "AWS_DEFAULT_REGION": "_ROLECALL_SAVED_AWS_DEFAULT_REGION"}


def user_regions(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    env = os.environ if environ is None else environ
    found: dict[str, str | None] = {}
    for name, mark_name in SAVED_REGION_VARS.items():
        mark = env.get(mark_name)
        if mark is None:
            found[name] = env.get(name) or None
        else:
            found[name] = mark[4:] if mark.startswith("set:") and mark[4:] else None
    return found


def region_marks(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The marks to keep in a shell that `assume` changes (they stay until --unset)."""
    return {SAVED_REGION_VARS[name]: ("set:" + value if value else "unset")
            for name, value in user_regions(environ).items()}


def unset_changes(environ: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """`assume --unset`: everything rolecall set goes; the user's own region comes back."""
    changes = cleared()
    changes.update({name: value for name, value in user_regions(environ).items() if value})
    changes.update({mark: None for mark in SAVED_REGION_VARS.values()})
    return changes


def session_changes(profile: str, credentials: Any | None, region: str | None) -> dict[str, str | None]:
    """The full variable set for `profile`: managed names unset, then the new values.

    `credentials` None → profile-only mode (AWS_PROFILE + region, SDKs resolve).
    AWS_PROFILE is exported next to static credentials on purpose (as Granted
    does): botocore's env provider comes first, and tools that only look at
    the profile name (prompts, terraform backends) see the right one.
    """
    changes = cleared()
    if credentials is not None:
        changes["AWS_ACCESS_KEY_ID"] = credentials.access_key_id
        changes["AWS_SECRET_ACCESS_KEY"] = credentials.secret_access_key
        if credentials.session_token:
            changes["AWS_SESSION_TOKEN"] = credentials.session_token
        expiry = _expiry_of(credentials)
        if expiry is not None:
            changes["AWS_CREDENTIAL_EXPIRATION"] = expiry
            changes["ROLECALL_EXPIRATION"] = expiry
    changes["AWS_PROFILE"] = profile
    if region:
        changes["AWS_REGION"] = region
        changes["AWS_DEFAULT_REGION"] = region
    else:  # no region of its own: the user's stays (not a previous profile's)
        changes.update({name: value for name, value in user_regions().items() if value})
    changes["ROLECALL_PROFILE"] = profile
    return changes


def child_environment(changes: Mapping[str, str | None], base: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        elif "\0" in value:
            raise UsageError(
                f"the value for {name} contains a NUL byte, which no environment variable can hold",
                hint="remove the NUL character from the config value it comes from",
            )
        else:
            env[name] = value
    return env


def make_resolver(config: Any, *, duration: int | None = None, mfa_token: str | None = None,
                  no_login: bool = False, refresh: bool = False, **options: Any) -> Any:
    from rolecall.credentials.resolver import Resolver
    from rolecall.sso.login import inline_login_handler

    return Resolver(config, login_handler=inline_login_handler(no_login), mfa_token=mfa_token,
                    duration_seconds=duration, force_refresh=refresh, **options)


def resolve(config: Any, profile: str, *, duration: int | None = None, mfa_token: str | None = None,
            no_login: bool = False, snapshot: Any = None, refresh: bool = False,
            window_seconds: float | None = None) -> Any:
    """The profile's credentials: from the memo when it holds, else the full resolver.

    `snapshot` (rolecall.hot.begin(), taken before `config` was read) lets the
    answer be memoised for the next hot call; without it nothing is memoised.
    `refresh` skips the memo and the role-credential cache (the new answer
    replaces both); `window_seconds`: hand out only credentials with more left.
    """
    wide = window_seconds is not None and window_seconds > hot.WINDOW_SECONDS  # wider than the memo's
    if snapshot is not None and duration is None:
        hit = None if refresh or wide else hot.memo_credentials(profile)
        if hit is not None:
            return hit[0]
        from rolecall.sso.target import token_path_of

        snapshot.watch_token(token_path_of(config, profile))
    options = {} if window_seconds is None else {"window_seconds": window_seconds}
    resolver = make_resolver(config, duration=duration, mfa_token=mfa_token, no_login=no_login, refresh=refresh,
                             **options)
    credentials = resolver.resolve(profile)
    if snapshot is not None and duration is None:
        snapshot.remember(config, profile, credentials, resolver)  # (a different duration: another entry)
    return credentials


def region_for(config: Any, profile: str, override: str | None) -> str | None:
    return override or config.profile(profile).region


CHAINED_MAX_DURATION = 3600  # AWS: a role assumed with role credentials lasts at most an hour


def check_duration(config: Any, profile: str, duration: int | None) -> None:
    """-d for `profile`: ignored (with a warning) unless it assumes a role; refused before any call
    above an hour when that role is assumed with role credentials (role chaining)."""
    from rolecall.awsconfig import KIND_ROLE_CHAIN

    if duration is None:
        return
    if config.profile(profile).kind != KIND_ROLE_CHAIN:
        warn(f"--duration applies to role_arn profiles only; {printable(profile)} is "
             f"a {config.profile(profile).kind} profile, so it was ignored")
        return
    chain = config.chained_role_path(profile) if duration > CHAINED_MAX_DURATION else None
    if chain is not None:
        raise UsageError(
            f"-d {duration}: profile {printable(profile)} gets its credentials by role chaining "
            f"({' → '.join(printable(n) for n in chain)}), and AWS allows such a session at most "
            f"{CHAINED_MAX_DURATION} s (1 hour)",
            hint=f"use -d {CHAINED_MAX_DURATION} or less (or leave -d out)")


def say(message: str) -> None:
    try:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def describe(config: Any, profile: str, credentials: Any | None, *, region: str | None = None,
             label: str | None = None, account_name: str | None = None) -> str:
    """`P: account 1111 (Name), role R, region R, expires … (in 59m)` — never a secret.

    `label`: the name to show instead of `profile` (a role without a profile)."""
    p = config.profile(profile)
    expiration = getattr(credentials, "expiration", None)
    expires = None
    if expiration is not None:
        from rolecall import clock

        expires = (clock.format_timestamp(expiration), expiration.timestamp())
    return describe_parts(label or profile, getattr(credentials, "account_id", None) or p.account_id,
                          account_name or p.get("rolecall_account_name"),
                          getattr(credentials, "role_name", None) or p.role_name, expires, region=region)


def minutes_text(minutes: int) -> str:
    """`4m`, `6h 05m`: a span of whole minutes as rolecall prints it (everywhere: one format)."""
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def time_left_text(epoch: float, now: float | None = None) -> str:
    """`in 6h 05m`, or `expired 3m ago`."""
    import time

    seconds = epoch - (time.time() if now is None else now)
    return f"in {minutes_text(int(seconds // 60))}" if seconds >= 0 else f"expired {minutes_text(int(-seconds // 60))} ago"


def describe_parts(profile: str, account: str | None, account_name: str | None, role: str | None,
                   expires: tuple[str, float] | None, *, region: str | None = None) -> str:
    """`expires`: (the expiry as `%Y-%m-%dT%H:%M:%SZ`, as epoch seconds)."""
    parts = []
    if account:
        parts.append(f"account {account}" + (f" ({account_name})" if account_name else ""))
    if role:
        parts.append(f"role {role}")
    if region:
        parts.append(f"region {region}")
    if expires is not None:
        import time

        text, epoch = expires
        parts.append(f"expires {text} (in {minutes_text(max(int((epoch - time.time()) // 60), 0))})")
    return printable(profile + (": " + ", ".join(parts) if parts else ""))


def exec_with_profile(config: Any, name: str, command: list[str], *, region: str | None = None,
                      duration: int | None = None, mfa_token: str | None = None, no_login: bool = False,
                      profile_only: bool = False, snapshot: Any = None, refresh: bool = False,
                      serve: bool = False, label: str | None = None) -> int:
    """Resolve `name` and run `command` with its variables (shared with `rolecall exec`).

    `serve`: the child gets no keys but a local credential endpoint that
    renews itself (rolecall.credential_server) for as long as it runs.
    `label`: ROLECALL_PROFILE for a role without a profile (an in-memory `name`).
    """
    config.profile(name)
    check_duration(config, name, duration)
    if serve:
        with credential_server(config, name, duration=duration, mfa_token=mfa_token, no_login=no_login,
                               refresh=refresh) as server:
            # profile-only's variables, minus AWS_PROFILE (botocore would try the profile before the endpoint)
            changes = session_changes(name, None, region_for(config, name, region))
            changes["AWS_PROFILE"] = None
            changes["ROLECALL_PROFILE"] = label or name
            changes.update(server.environment())
            return run_command(command, child_environment(changes))
    credentials = resolve(config, name, duration=duration, mfa_token=mfa_token, no_login=no_login,
                          snapshot=snapshot, refresh=refresh)
    changes = session_changes(name, None if profile_only else credentials, region_for(config, name, region))
    if not profile_only:
        # The keys and the region, not AWS_PROFILE: a child that carries its environment elsewhere
        # (docker run -e, a devcontainer, ssh SendEnv) has no such profile, and botocore would raise
        # ProfileNotFound there (as Granted and aws-vault do for exec). ROLECALL_PROFILE still names it.
        changes["AWS_PROFILE"] = None
    changes["ROLECALL_PROFILE"] = label or name
    return run_command(command, child_environment(changes))


REFRESH_WINDOW_VAR = "ROLECALL_REFRESH_WINDOW"


def refresh_window_seconds() -> float:
    """How long before expiry credentials are renewed: ROLECALL_REFRESH_WINDOW minutes, else 15 (botocore's)."""
    text = os.environ.get(REFRESH_WINDOW_VAR, "").strip()
    if not text:
        return float(hot.WINDOW_SECONDS)
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not 0 < minutes <= 12 * 60:
        raise UsageError(f"{REFRESH_WINDOW_VAR} must be a number of minutes between 0 and 720, got {text!r}",
                         hint=f"for example: export {REFRESH_WINDOW_VAR}=15   (or unset it)")
    return minutes * 60


def credential_server(config: Any, name: str, *, duration: int | None = None, mfa_token: str | None = None,
                      no_login: bool = False, refresh: bool = False) -> Any:
    """A started-on-enter CredentialServer for `name`, renewing through the resolver.

    The first fetch may log in (before any child runs); renewals never open a
    browser or prompt (the child owns the terminal): what they cannot do is
    reported once on stderr, and the held credentials serve until they expire.
    """
    from rolecall.credential_server import CredentialServer

    window = refresh_window_seconds()
    _warn_default_profile_shadows(config)
    first = [True]

    def fetch() -> Any:
        if first[0]:
            first[0] = False
            resolver = make_resolver(config, duration=duration, mfa_token=mfa_token, no_login=no_login,
                                     refresh=refresh, window_seconds=window)
        else:
            from rolecall.credentials.resolver import Resolver

            resolver = Resolver(config, duration_seconds=duration, window_seconds=window,
                                mfa_prompter=_no_mfa_prompt)
        return resolver.resolve(name)

    def problem(message: str) -> None:
        say(f"rolecall: cannot renew the credentials of {printable(name)}: {printable(message)}")

    return CredentialServer(fetch, window_seconds=window, on_problem=problem)


def _no_mfa_prompt(serial: str, profile: str) -> str:
    from rolecall.errors import RolecallError

    raise RolecallError(f"the role of {profile} needs a new MFA code ({serial}), which a renewal cannot ask for",
                        hint=f"run the command again: rolecall exec --serve {profile} -- ...")


def _warn_default_profile_shadows(config: Any) -> None:
    """botocore tries the [default] profile's own credentials before a container endpoint."""
    from rolecall.awsconfig import KIND_OTHER
    from rolecall.credentials.static_source import has_static_keys

    default = config.profiles.get("default")
    if default is not None and (default.kind != KIND_OTHER or has_static_keys(default)):
        warn("the [default] profile has credentials of its own; SDKs in the child use "
            "those before the credential endpoint (move them to a named profile to use the endpoint)")


def run_command(command: list[str], env: Mapping[str, str]) -> int:
    """Run argv as given (no shell), stdio inherited; its status, or 128+n for signal n.

    rolecall stays the parent so the status can be reported: Ctrl-C and
    Ctrl-\\ reach the child through the terminal and are ignored here;
    SIGTERM / SIGHUP sent to rolecall are passed on to the child.
    """
    import signal
    import subprocess

    if not command:
        raise UsageError("no command to run", hint="run: rolecall exec PROFILE -- COMMAND ARGS...")
    try:
        child = subprocess.Popen(command, env=dict(env))
    except FileNotFoundError:
        say(f"rolecall: error: command not found: {printable(command[0])}")
        return 127
    except PermissionError:
        say(f"rolecall: error: permission denied: {printable(command[0])}")
        return 126
    except OSError as exc:
        say(f"rolecall: error: cannot run {printable(command[0])}: {exc.strerror}")
        return 126

    def forward(signum: int, _frame: object) -> None:
        try:
            child.send_signal(signum)
        except OSError:
            pass

    previous: dict[Any, Any] = {}
    for signum, new in ((signal.SIGINT, signal.SIG_IGN), (signal.SIGQUIT, signal.SIG_IGN),
                        (signal.SIGTERM, forward), (signal.SIGHUP, forward)):
        previous[signum] = signal.signal(signum, new)
    try:
        status = child.wait()
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
    return 128 - status if status < 0 else status
