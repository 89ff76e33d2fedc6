"""`assume`: put a profile's credentials into the calling shell.

The shell function from `rolecall init` runs `rolecall assume --shell SHELL …`
with stdout captured and evals what it prints, only when the exit status is 0.
So stdout here is a protocol: shell code from `rolecall.shells`, nothing else;
everything for humans (the picker, login prompts, the confirmation, errors)
goes to stderr or /dev/tty.

`run(argv)` is dispatched by `rolecall.entry` without click, and a cache hit
imports nothing heavy (no click, boto3 or botocore): a hand parser, the config
reader, the role-credential cache, the emitter. `cmd` (click) only exists for
`rolecall --help` and delegates to `run`.

Modes: default (credentials + AWS_PROFILE), `-p` (AWS_PROFILE only, after one
resolve to make sure the login is valid), `--unset`, `--exec -- CMD…` (a child
gets the variables; the shell is untouched), `-c` (console sign-in).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # (typing and datetime cost ~5 ms on the cache-hit path: neither is imported there)
if TYPE_CHECKING:
    from typing import Any

from rolecall import hot
from rolecall.errors import EXIT_INTERRUPTED, EXIT_LOGIN_REQUIRED, LoginRequired, RolecallError, UsageError
from rolecall.session import (
    AD_HOC_VAR,
    check_duration,
    check_region,
    describe,
    describe_parts,
    exec_with_profile,
    minutes_text,
    parse_duration,
    refresh_marks,
    refresh_window_seconds,
    region_for,
    region_marks,
    resolve,
    say,
    session_changes,
    unset_changes,
)
from rolecall.term import printable

# assume's options, declared once: the parser's tables and the help text come from here
# (completion's ASSUME table is held to them by tests/completion/test_spec.py).
# (short, long, Options attribute, metavar or None for a flag, help lines)
OPTIONS = (
    ("-r", "--region", "region", "REGION", ["Set AWS_REGION/AWS_DEFAULT_REGION (default: the profile's region)."]),
    ("-d", "--duration", "duration", "SECONDS",
     ["Session length for role_arn profiles (900-43200; 1h, 90m work too);",
      "with -c, the console session length."]),
    ("-p", "--profile-only", "profile_only", None,
     ["Export only AWS_PROFILE (+ region): SDKs refresh credentials",
      "themselves. Also: ROLECALL_EXPORT=profile."]),
    ("-c", "--console", "console", None,
     ["Sign in to the AWS console instead (no PROFILE: this shell's", "credentials)."]),
    ("-s", "--service", "service", "SERVICE", ["With -c: open this service (ec2, s3, ... or a console path)."]),
    (None, "--url", "url", None, ["With -c: print the sign-in URL instead of opening a browser."]),
    (None, "--destination", "destination", "URL", ["With -c: land on this console URL."]),
    (None, "--browser", "browser", "NAME", ["With -c: this browser, for this call (chromium, firefox, stdout ...)."]),
    (None, "--browser-profile", "browser_profile", "NAME",
     ["With -c: this browser profile / Firefox container", "(default: the profile's name)."]),
    (None, "--unset", "unset", None, ["Remove every variable assume set from this shell."]),
    (None, "--exec", "exec_flag", None,
     ["Run `-- COMMAND ARGS...` with the credentials in its environment",
      "only; its exit status is returned. Also: rolecall exec."]),
    (None, "--serve", "serve", None,
     ["With --exec: give COMMAND a local credential endpoint that", "renews itself, instead of static keys."]),
    (None, "--account-id", "account_id", "ID",
     ["A role without a profile: this account (with --role-name);", "the sso-session is the only one, or:"]),
    (None, "--role-name", "role_name", "NAME", ["With --account-id: this permission set's role."]),
    (None, "--sso-session", "sso_session", "NAME", ["With --account-id: sign in through this sso-session."]),
    (None, "--sso-start-url", "sso_start_url", "URL", ["With --account-id: this portal (and --sso-region)."]),
    (None, "--sso-region", "sso_region", "REGION", ["With --sso-start-url: the portal's region."]),
    (None, "--chain", "chain", "ROLE_ARN",
     ["Assume this role with PROFILE's credentials (or those of", "the --account-id role)."]),
    (None, "--save-as", "save_as", "NAME", ["Save that role as profile NAME first, then use it."]),
    (None, "--refresh", "refresh", None, ["Fetch new role credentials, skipping every cache."]),
    (None, "--mfa-token", "mfa_token", "CODE", ["MFA code for a role that needs one."]),
    (None, "--no-login", "no_login", None, ["Fail (exit 4) instead of logging in when the SSO token is gone."]),
    ("-h", "--help", "help", None, ["Show this message."]),
)
# Used by the shell wrappers, not typed by people: not in the help.
HIDDEN = (("--shell", "shell", "SHELL"), ("--uncaptured", "uncaptured", None),
          ("--renew", "renew", None))  # --renew: the shell hook renewing the exported keys


def _option_lines() -> str:
    lines = []
    for short, long, _, metavar, text in OPTIONS:
        left = f"  {short + ',' if short else '   '} {long}" + (f" {metavar}" if metavar else "")
        lines.append(f"{left:<30}{text[0]}")  # (30: the longest option and two spaces)
        lines += [" " * 30 + more for more in text[1:]]
    return "\n".join(lines) + "\n"


USAGE = """\
Usage: assume [OPTIONS] [PROFILE]
       assume [OPTIONS] PROFILE --exec -- COMMAND [ARGS]...
       assume [OPTIONS] --account-id ID --role-name NAME   (a role without a profile)

  Put PROFILE's credentials into this shell: AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION,
  AWS_PROFILE, AWS_REGION/AWS_DEFAULT_REGION, ROLECALL_PROFILE and
  ROLECALL_EXPIRATION (everything a previous `assume` set is cleared first).
  Without PROFILE, pick one interactively (type to filter, Enter, Esc).
  Logs in to IAM Identity Center first when needed (unless --no-login).

  `assume` is a shell function; load it once in your shell's rc file:
    bash:  eval "$(rolecall init bash)"
    zsh:   eval "$(rolecall init zsh)"
    fish:  rolecall init fish | source

Options:
""" + _option_lines()

# --exec is the parser's own token (recognised even after `--`), not a table entry.
_FLAGS = {name: attr for short, long, attr, metavar, _ in OPTIONS + tuple((None, n, a, m, []) for n, a, m in HIDDEN)
          if metavar is None and long != "--exec" for name in (short, long) if name}
_VALUED = {name: attr for short, long, attr, metavar, _ in OPTIONS + tuple((None, n, a, m, []) for n, a, m in HIDDEN)
           if metavar is not None for name in (short, long) if name}


# The options that ask for a role without a profile (rolecall.adhoc): (Options attribute, flag).
_AD_HOC_OPTIONS = (("account_id", "--account-id"), ("role_name", "--role-name"), ("sso_session", "--sso-session"),
                   ("sso_start_url", "--sso-start-url"), ("sso_region", "--sso-region"), ("chain", "--chain"),
                   ("save_as", "--save-as"))


class Options:
    """What parse_args found. (A plain class: dataclasses costs ~5 ms to import on the hot path.)"""

    def __init__(self) -> None:
        self.profile: str | None = None
        self.region: str | None = None
        self.duration: str | None = None
        self.profile_only = False
        self.console = False
        self.service: str | None = None
        self.url = False
        self.destination: str | None = None
        self.browser: str | None = None
        self.browser_profile: str | None = None
        self.unset = False
        self.exec_flag = False
        self.serve = False
        self.refresh = False
        self.account_id: str | None = None  # a role without a profile (rolecall.adhoc) …
        self.role_name: str | None = None
        self.sso_session: str | None = None
        self.sso_start_url: str | None = None
        self.sso_region: str | None = None
        self.chain: str | None = None
        self.save_as: str | None = None  # … or saved as this profile first
        self.command: list[str] | None = None
        self.mfa_token: str | None = None
        self.no_login = False
        self.help = False
        self.shell: str | None = None  # hidden: set by the wrapper (captured stdout, eval on success)
        self.uncaptured = False  # hidden: the wrapper did not capture stdout (--exec)
        self.renew = False  # hidden: the shell hook renews this shell's keys (no login, no chatter)
        self.positionals: list[str] = []

    def ad_hoc_flags(self) -> list[str]:
        """The options given that ask for a role without a profile (rolecall.adhoc)."""
        return [flag for attr, flag in _AD_HOC_OPTIONS if getattr(self, attr) is not None]


def _usage_error(message: str) -> UsageError:
    return UsageError(message, hint="run: assume --help")


def parse_args(argv: list[str]) -> Options:
    """A small parser with no surprises: no abbreviations (the wrappers look for
    the exact token `--exec`), `--` ends the options, and after `--exec` the
    next `--` starts the command."""
    opts = Options()
    args = list(argv)
    i = 0
    options_done = False
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            if opts.exec_flag:
                opts.command = args[i:]
                break
            options_done = True
            continue
        if token == "--exec":  # recognised even after `--`: `assume -- -odd-name --exec -- cmd`
            opts.exec_flag = True
            continue
        if options_done or token == "-" or not token.startswith("-"):
            opts.positionals.append(token)
            continue
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if not token.startswith("--") and len(token) > 2:
            if token[:2] in _FLAGS:  # bundled flags: -pc → -p -c
                args.insert(i, "-" + token[2:])
                token = name = token[:2]
            else:
                name, inline, eq = token[:2], token[2:], "="  # -reu-west-1
        if name in _FLAGS and not eq:
            setattr(opts, _FLAGS[name], True)
        elif name in _FLAGS:
            raise _usage_error(f"option {name} takes no value")
        elif name in _VALUED:
            if eq:
                value = inline
            elif i < len(args):
                value = args[i]
                i += 1
            else:
                raise _usage_error(f"option {name} needs a value")
            setattr(opts, _VALUED[name], value)
        else:
            raise UsageError(
                f"unknown option {token!r}",
                hint="run: assume --help   (a profile whose name starts with '-': assume -- NAME)",
            )
    if len(opts.positionals) > 1:
        import shlex

        extra = " ".join(shlex.quote(word) for word in opts.positionals[1:])
        hint = "run: assume --help"
        if not opts.exec_flag:
            hint = f"to run a command: assume {shlex.quote(opts.positionals[0])} --exec -- {extra}"
        raise UsageError(f"too many arguments: {extra} (assume takes one PROFILE)", hint=hint)
    opts.profile = opts.positionals[0] if opts.positionals else None
    if opts.exec_flag and not opts.command:
        raise UsageError("--exec needs a command after `--`", hint="run: assume PROFILE --exec -- COMMAND ARGS...")
    return opts


# --------------------------------------------------------------------------
# Output.


def write_stdout(text: str) -> None:
    # Always UTF-8, whatever the locale says: the shell reads bytes.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def detected_shell() -> str | None:
    from rolecall import shells

    try:
        name = shells.detect()
    except Exception:  # detection is best effort: any failure → fall back to $SHELL
        name = os.path.basename(os.environ.get("SHELL", ""))
    return name if name in ("bash", "zsh", "fish") else None


def require_wrapper(opts: Options) -> str:
    """The shell to emit for; refuse when no wrapper will eval the output."""
    from rolecall import shells

    if opts.shell is None:
        shell = detected_shell()
        raise UsageError(
            "`assume` changes your shell's environment, so it must run through the `assume` shell "
            "function, which is not loaded in this shell",
            hint=f"load it: {shells.load_hint(shell)}; then run: assume PROFILE",
        )
    shells.check_shell(opts.shell)
    if opts.uncaptured or _stdout_is_tty():
        raise UsageError(
            "refusing to print credentials to a terminal (the assume wrapper captures this output)",
            hint=f"load the wrapper: {shells.load_hint(opts.shell)}; then run: assume PROFILE",
        )
    return opts.shell


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------
# The command.


def run(argv: list[str]) -> int:
    opts = parse_args(argv)
    if opts.help:
        # Under the wrapper stdout is eval'd: help goes to stderr there.
        (sys.stderr if opts.shell else sys.stdout).write(USAGE)
        return 0
    if opts.shell is not None:
        from rolecall import shells

        shells.check_shell(opts.shell)
    _check_combinations(opts)
    if opts.profile == "-":
        opts.profile = _previous_profile()
    try:
        if opts.exec_flag:
            return _exec_mode(opts)
        if opts.console:
            return _console_mode(opts)
        return _env_mode(opts)
    except LoginRequired as exc:
        if opts.sso_start_url is not None and exc.profile is not None:
            # The portal of a role without a profile: `rolecall login --profile` has no such profile to
            # name, and this very command (without --no-login) signs in.
            import shlex

            words = ["assume", "--account-id", opts.account_id or "", "--role-name", opts.role_name or "",
                     "--sso-start-url", opts.sso_start_url, "--sso-region", opts.sso_region or ""]
            exc.hint = "run: " + " ".join(shlex.quote(word) for word in words)
        raise


def _check_combinations(opts: Options) -> None:
    if opts.url and not opts.console:
        raise _usage_error("--url goes with -c/--console")
    if opts.service is not None and not opts.console:
        raise _usage_error("-s/--service goes with -c/--console")
    for given, name in ((opts.destination, "--destination"), (opts.browser, "--browser"),
                        (opts.browser_profile, "--browser-profile")):
        if given is not None and not opts.console:
            raise _usage_error(f"{name} goes with -c/--console")
    if opts.unset and (opts.profile or opts.exec_flag or opts.console or opts.profile_only or opts.region):
        raise _usage_error("--unset takes no profile and no other option")
    if opts.console and (opts.exec_flag or opts.profile_only):
        raise _usage_error("-c/--console does not go with --exec or -p/--profile-only")
    if opts.serve and not opts.exec_flag:
        raise _usage_error("--serve goes with --exec (or run: rolecall serve PROFILE)")
    if opts.serve and opts.profile_only:
        raise _usage_error("--serve does not go with -p/--profile-only (the endpoint replaces both)")
    if opts.unset and opts.refresh:
        raise _usage_error("--unset takes no profile and no other option")
    ad_hoc = opts.ad_hoc_flags()
    if ad_hoc and (opts.unset or opts.renew):
        raise _usage_error(f"{ad_hoc[0]} does not go with --unset")
    if opts.save_as is not None and not (opts.account_id or opts.role_name or opts.chain):
        raise _usage_error("--save-as goes with --account-id/--role-name or --chain")
    if ad_hoc and opts.profile_only and opts.save_as is None:
        raise UsageError("-p/--profile-only exports AWS_PROFILE, and a role without a profile has none",
                         hint="save it as one: add --save-as NAME")


def _request(opts: Options) -> Any:
    """The ad-hoc role the options ask for (rolecall.adhoc.Request), or None."""
    if not opts.ad_hoc_flags():
        return None
    from rolecall import adhoc

    request = adhoc.Request(account_id=opts.account_id, role_name=opts.role_name, sso_session=opts.sso_session,
                            start_url=opts.sso_start_url, sso_region=opts.sso_region, chain=opts.chain,
                            profile=opts.profile)
    adhoc.check(request)  # (a PROFILE beside --account-id: refused here)
    return request


def _target(opts: Options, config: Any) -> tuple[Any, str | None, Any]:
    """(config, profile to resolve, ad-hoc request or None); a None profile: the picker was cancelled.

    An ad-hoc role resolves as an in-memory profile of the returned config;
    with --save-as it is written first and resolved as that real profile.
    """
    request = _request(opts)
    if request is None:
        return config, _choose_profile(config, opts.profile), None
    from rolecall import adhoc, awsconfig

    if not request.sso and request.profile is None:  # --chain from a profile the user picks
        base = _choose_profile(config, None)
        if base is None:
            return config, None, None
        request = adhoc.Request(chain=request.chain, profile=base)
    if opts.save_as is not None:
        adhoc.save(config, request, opts.save_as, region=check_region(opts.region))
        return awsconfig.load(), opts.save_as, None
    with_role, name = adhoc.build(config, request)
    return with_role, name, request


def _labelled(changes: dict[str, str | None], request: Any) -> dict[str, str | None]:
    """An ad-hoc role's variables: no AWS_PROFILE (no such profile), its label and its request."""
    if request is not None:
        changes["AWS_PROFILE"] = None
        changes["ROLECALL_PROFILE"] = request.label()
        changes[AD_HOC_VAR] = request.to_env()
    return changes


def _describe(config: Any, name: str, credentials: Any, region: str | None, request: Any) -> str:
    if request is None:
        return describe(config, name, credentials, region=region)
    from rolecall import adhoc

    return describe(config, name, credentials, region=region, label=request.label(),
                    account_name=adhoc.account_name(request))


def _profile_only(opts: Options) -> bool:
    if opts.profile_only:
        return True
    mode = os.environ.get("ROLECALL_EXPORT", "").strip().lower()
    if mode in ("", "credentials"):
        return False
    if mode == "profile":
        return True
    raise UsageError(
        f"ROLECALL_EXPORT must be 'profile' or 'credentials', got {os.environ['ROLECALL_EXPORT']!r}",
        hint="run: unset ROLECALL_EXPORT   (or export ROLECALL_EXPORT=profile)",
    )


PREVIOUS_VAR = "_ROLECALL_PREVIOUS"  # the profile before the current one (`assume -`); --unset forgets it


def _previous_profile() -> str:
    previous = os.environ.get(PREVIOUS_VAR)
    if not previous:
        raise UsageError("no previous profile in this shell (`assume -` goes back to the one before the last "
                         "assume)", hint="run: assume PROFILE")
    return previous


def _shell_marks(profile: str | None) -> dict[str, str | None]:
    """What a shell keeps across assumes: the user's own region (region_marks) and the profile
    being left, when there is one and it is another (`assume -`; a role without a profile is
    not one it can go back to)."""
    marks = region_marks()
    current = os.environ.get("ROLECALL_PROFILE")
    if current and current != profile and not os.environ.get(AD_HOC_VAR):
        marks[PREVIOUS_VAR] = current
    return marks


def _choose_profile(config: Any, given: str | None) -> str | None:
    if given is not None:
        return given
    from rolecall import picker

    return picker.pick_profile(config)


def _env_mode(opts: Options) -> int:
    from rolecall import shells

    shell = require_wrapper(opts)
    if opts.unset:
        write_stdout(shells.render(shell, {**unset_changes(), PREVIOUS_VAR: None}, report=True))
        say("rolecall: cleared the AWS credentials, profile and region rolecall set in this shell")
        return 0
    if opts.renew:
        return _renew(opts, shell)
    profile_only = _profile_only(opts)
    duration = parse_duration(opts.duration)
    if profile_only and duration is not None:
        raise _usage_error("--duration does not go with -p/--profile-only (the SDK picks the session length)")
    region = check_region(opts.region)
    if opts.profile is not None and not profile_only and duration is None and opts.mfa_token is None \
            and not opts.refresh and not opts.ad_hoc_flags():
        hit = hot.memo_credentials(opts.profile)
        if hit is not None:  # the hot path: no config parsing, no resolver
            credentials, fields = hit
            chosen_region = region or fields.get("Region") or None
            changes = session_changes(opts.profile, credentials, chosen_region)
            changes.update(refresh_marks(credentials, refresh_window_seconds()))
            changes.update(_shell_marks(opts.profile))
            say("rolecall: assumed " + describe_parts(opts.profile, credentials.account_id,
                                                      fields.get("AccountName"), credentials.role_name,
                                                      credentials.expires, region=chosen_region))
            write_stdout(shells.render(shell, changes, report=True))
            hot.record_use(opts.profile)
            return 0
    from rolecall import awsconfig

    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    config, name, request = _target(opts, config)
    if name is None:
        return EXIT_INTERRUPTED
    config.profile(name)  # ProfileNotFound before anything else
    check_duration(config, name, duration)
    credentials = resolve(config, name, duration=duration, mfa_token=opts.mfa_token, no_login=opts.no_login,
                          snapshot=None if request else snapshot, refresh=opts.refresh)
    chosen_region = region_for(config, name, region)
    changes = _labelled(session_changes(name, None if profile_only else credentials, chosen_region), request)
    if not profile_only:
        changes.update(refresh_marks(credentials, refresh_window_seconds()))
    changes.update(_shell_marks(name))
    code = shells.render(shell, changes, report=True)
    shown = _describe(config, name, credentials, chosen_region, request)
    if profile_only:
        say(f"rolecall: using profile {shown} (AWS_PROFILE only; SDKs refresh the credentials themselves)")
    else:
        say(f"rolecall: assumed {shown}")
    write_stdout(code)
    if request is None:
        hot.record_use(name)
    return 0


def _renew(opts: Options, shell: str) -> int:
    """The shell hook's call: new keys for this shell's profile, or one line saying a sign-in is needed.

    Never a browser, a prompt or a picker (the user is typing a command); on
    success nothing is printed on stderr.
    """
    from rolecall import awsconfig, shells

    if opts.profile is None:
        raise _usage_error("--renew needs the PROFILE")
    window = refresh_window_seconds()
    region = check_region(opts.region)
    snapshot = hot.begin()
    config = awsconfig.load()
    name, request = opts.profile, None
    if os.environ.get(AD_HOC_VAR):  # this shell holds a role without a profile: renew that one
        from rolecall import adhoc

        request = adhoc.from_env(os.environ[AD_HOC_VAR])
        if request is not None and request.label() == opts.profile:
            config, name = adhoc.build(config, request)
        else:
            request = None
    config.profile(name)
    try:
        credentials = resolve(config, name, no_login=True, snapshot=None if request else snapshot,
                              window_seconds=window)
    except LoginRequired:
        again = "assume " + (printable(opts.profile) if request is None else "--account-id … (as before)")
        say(f"rolecall: credentials for {printable(opts.profile)} {_time_left()} — run '{again}' to sign in")
        return EXIT_LOGIN_REQUIRED
    changes = _labelled(session_changes(name, credentials, region_for(config, name, region)), request)
    changes.update(refresh_marks(credentials, window))
    write_stdout(shells.render(shell, changes, report=True))
    return 0


def _time_left() -> str:
    """`expire in 4m` / `expired 3m ago`, from the expiry this shell holds."""
    import time

    from rolecall import clock

    text = os.environ.get("AWS_CREDENTIAL_EXPIRATION", "")
    try:
        left = clock.parse_timestamp(text).timestamp() - time.time()
    except (ValueError, TypeError):
        return "need a sign-in"
    span = minutes_text(int(abs(left) // 60))
    return f"expire in {span}" if left > 0 else f"expired {span} ago"


def _exec_mode(opts: Options) -> int:
    from rolecall import awsconfig, hot

    if opts.shell is not None and not opts.uncaptured:
        # The wrapper captured a command's output: refuse rather than eval it.
        from rolecall import shells

        raise UsageError(
            "the assume wrapper in this shell is out of date (it captured the output of --exec)",
            hint=f"reload it: {shells.load_hint(opts.shell)}",
        )
    duration = parse_duration(opts.duration)
    region = check_region(opts.region)
    snapshot = hot.begin()  # before the config is read: see rolecall.hot
    config = awsconfig.load()
    config, name, request = _target(opts, config)
    if name is None:
        return EXIT_INTERRUPTED
    profile_only = opts.profile_only if opts.serve else _profile_only(opts)
    if request is not None and profile_only:
        raise UsageError("ROLECALL_EXPORT=profile exports AWS_PROFILE, and a role without a profile has none",
                         hint="save it as one: add --save-as NAME")
    return exec_with_profile(
        config, name, opts.command or [], region=region, duration=duration, mfa_token=opts.mfa_token,
        no_login=opts.no_login, profile_only=profile_only, snapshot=None if request else snapshot,
        refresh=opts.refresh, serve=opts.serve, label=request.label() if request else None,
    )


def _console_mode(opts: Options) -> int:
    from rolecall import shells

    try:
        from rolecall import console
    except ImportError:
        raise RolecallError(
            "console sign-in is not available in this build of rolecall",
            hint="open the console another way, or update rolecall",
        ) from None
    duration = parse_duration(opts.duration)
    region = check_region(opts.region)
    browser_profile = opts.browser_profile
    if not opts.ad_hoc_flags():
        credentials = console.signin_credentials(opts.profile, pick=lambda config: _choose_profile(config, None),
                                                 mfa_token=opts.mfa_token, no_login=opts.no_login,
                                                 refresh=opts.refresh)
    else:
        from rolecall import awsconfig

        config, name, request = _target(opts, awsconfig.load())
        credentials = None if name is None else resolve(
            config, name, mfa_token=opts.mfa_token, no_login=opts.no_login, refresh=opts.refresh)
        if request is not None:
            browser_profile = browser_profile or request.label()  # one browser profile per role
    if credentials is None:
        return EXIT_INTERRUPTED
    opened = console.open_console(credentials, service=opts.service, region=region, url_only=opts.url,
                                  duration=duration, destination=opts.destination, browser_name=opts.browser,
                                  browser_profile=browser_profile)
    if not opts.url:
        say(console.opened_message(console.describe(credentials), opened))
    url = opened.url
    if url is None:
        return 0
    if opts.shell is not None and not opts.uncaptured:
        # The wrapper evals stdout: hand it code that prints the URL, never the URL itself.
        write_stdout(shells.render_print(opts.shell, url))
    else:
        write_stdout(url + "\n")
    return 0


def click_command() -> Any:
    """The click wrapper for `rolecall --help`; built on demand so `run` never imports click."""
    import click

    @click.command(
        "assume",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                          "allow_interspersed_args": False, "help_option_names": []},
        add_help_option=False,
        help="Put a profile's credentials into the current shell (needs `rolecall init`). "
             "See: rolecall assume --help",
    )
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def assume_cmd(args: tuple[str, ...]) -> int:
        return run(list(args))

    return assume_cmd
