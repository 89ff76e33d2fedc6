"""`rolecall doctor`: checks that find what is wrong and say how to fix it.

Each check returns `Finding`s; a finding that is not "ok" carries the exact
fix. The command layer renders them (table or JSON). Core code: no printing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from rolecall import awsconfig, clock, paths
from rolecall.errors import CREATE_CONFIG_HINT, ConfigError, RolecallError

OK, WARN, FAIL = "ok", "warn", "fail"
# Clock skew beyond this makes SigV4 requests fail (AWS allows 5 minutes).
MAX_SKEW_SECONDS = 120


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    detail: str
    fix: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def check_config() -> tuple[list[Finding], awsconfig.AwsConfig | None]:
    try:
        config = awsconfig.load()
    except ConfigError as exc:
        return [Finding("config", FAIL, str(exc), exc.hint)], None
    if config.no_files:
        return [Finding("config", FAIL, f"{config.config_path} does not exist (nor does {config.credentials_path})",
                        CREATE_CONFIG_HINT)], config
    if config.config_text is None:
        found = [Finding("config", WARN, f"{config.config_path} does not exist; {len(config.profiles)} profiles "
                                         f"come from {config.credentials_path} alone", CREATE_CONFIG_HINT)]
    else:
        found = [Finding("config", OK, f"{config.config_path} parses ({len(config.profiles)} profiles, "
                                        f"{len(config.sessions)} sso-sessions)")]
    found += _sandbox_config_in_place(config)
    problems = config.problems()
    for problem in problems:
        found.append(Finding("profiles", FAIL, str(problem), problem.hint))
    if not problems:
        found.append(Finding("profiles", OK, "every profile and sso-session is complete and consistent"))
    return found, config


def _sandbox_config_in_place(config: awsconfig.AwsConfig) -> list[Finding]:
    """The AWS CLI's own config replaced by the sandbox's (an old `sandbox start --dir ~/.aws`)."""
    from rolecall.sandbox.profiles import MARKER

    default = paths.home() / ".aws" / "config"
    if config.config_path != default or not (config.config_text or "").startswith(MARKER):
        return []
    backup = default.with_name("config.bak")
    fix = (f"run: mv {shlex.quote(str(backup))} {shlex.quote(str(default))}   (your previous config)"
           if backup.is_file() else "write your own config back, e.g.: aws configure sso")
    return [Finding("config", WARN, f"{default} is the rolecall sandbox's generated config (a LOCAL EMULATOR), "
                                    "not your AWS config", fix)]


def check_tokens(config: awsconfig.AwsConfig, now: datetime | None = None) -> list[Finding]:
    from rolecall.sso import tokens
    from rolecall.sso.target import all_targets

    now = now or clock.utcnow()
    found = []
    for target in all_targets(config):
        label = target.label
        state, info = tokens.state_of(target, now=now)
        if state == tokens.STATE_VALID and info is not None:
            until = info.expires_at.strftime("%Y-%m-%d %H:%M:%SZ")
            found.append(Finding("token", OK, f"{label}: valid until {until}"))
        elif state == tokens.STATE_REFRESHABLE:
            found.append(Finding("token", OK, f"{label}: expired, refreshable without a login"))
        else:
            what = "no token (never logged in)" if state == tokens.STATE_ABSENT else "expired, login needed"
            found.append(Finding("token", WARN, f"{label}: {what}", f"run: {target.login_command}"))
    return found


def check_clock(config: awsconfig.AwsConfig | None) -> list[Finding]:
    """Compare our clock with the Date header of the SSO portal (or the sandbox)."""
    from rolecall import aws
    from rolecall.sso.target import all_targets

    # Probe with a real profile's settings (endpoint overrides, ca_bundle), as a login would.
    targets = all_targets(config) if config is not None else []
    target = next((t for t in targets if t.profile_name), targets[0] if targets else None)
    region = target.region if target is not None else "us-east-1"
    profile = target.profile_name if target is not None else None
    try:
        client = aws.client("sso", region, profile=profile, attempts=1, read_timeout=10)
        headers = _date_probe(client)
    except RolecallError as exc:
        return [Finding("clock", WARN, f"could not read the server clock: {exc}", exc.hint)]
    date = headers.get("date")
    if not date:
        return [Finding("clock", WARN, "the endpoint sent no Date header")]
    from email.utils import parsedate_to_datetime

    server = parsedate_to_datetime(date)
    skew = (clock.utcnow() - server).total_seconds()
    detail = f"local clock is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} {aws.endpoint_of(client)}"
    if abs(skew) > MAX_SKEW_SECONDS:
        return [Finding("clock", FAIL, detail, "sync the system clock: sudo timedatectl set-ntp true")]
    return [Finding("clock", OK, detail)]


def _date_probe(client) -> dict:
    """Headers of one cheap, harmless portal call (an invalid token → 401)."""
    from botocore.exceptions import ClientError

    from rolecall import aws

    try:
        response = aws.call(client, "list_accounts", accessToken="rolecall-doctor-clock-probe", maxResults=1)
        return response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    except RolecallError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError):
            return cause.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        raise


def check_shell_integration(environ: dict | None = None) -> list[Finding]:
    env = os.environ if environ is None else environ
    shell = env.get("_ROLECALL_INIT")
    if shell:
        return [Finding("shell", OK, f"the assume integration is loaded ({shell})")]
    name = Path(env.get("SHELL", "bash")).name
    if name not in ("bash", "zsh", "fish"):
        name = "bash"
    from rolecall import shells

    return [Finding("shell", WARN, "the assume integration is not loaded in this shell",
                    f"run: rolecall init --install {name}   (it adds {shells.rc_line(name)!r} to "
                    f"{shells.RC_FILES[name]})")]


def check_completions(environ: dict | None = None) -> list[Finding]:
    env = os.environ if environ is None else environ
    if env.get("_ROLECALL_INIT"):
        return [Finding("completion", OK, "completions come with the shell integration")]
    home = paths.home()
    places = [
        home / ".local/share/bash-completion/completions/rolecall",
        home / ".config/fish/completions/rolecall.fish",
    ]
    fpath = env.get("FPATH", "")
    places += [Path(p) / "_rolecall" for p in fpath.split(":") if p]
    if any(p.exists() for p in places):
        return [Finding("completion", OK, "standalone completion files are installed")]
    return [Finding("completion", WARN, "no completion installed (neither the integration nor the files)",
                    "load the shell integration (see the shell check) — it includes completion")]


def check_cache_permissions() -> list[Finding]:
    found = []
    for directory in (paths.sso_cache_dir(), paths.cli_cache_dir()):
        if not directory.is_dir():
            continue
        bad = []
        mode = stat.S_IMODE(directory.stat().st_mode)
        if mode & 0o077:
            bad.append((directory, f"{mode:o}", "700"))
        for entry in directory.iterdir():
            if entry.suffix == ".json" and entry.is_file():
                emode = stat.S_IMODE(entry.stat().st_mode)
                if emode & 0o077:
                    bad.append((entry, f"{emode:o}", "600"))
        if bad:
            listing = ", ".join(f"{p.name} ({m})" for p, m, _ in bad[:5])
            fix = "; ".join(f"chmod {want} {shlex.quote(str(p))}" for p, _, want in bad[:5])
            found.append(Finding("permissions", FAIL, f"{directory}: readable by others: {listing}", f"run: {fix}"))
        else:
            found.append(Finding("permissions", OK, f"{directory} and its files are private"))
    return found


def check_state_dir() -> list[Finding]:
    """rolecall's own state (credential memos, name index): used only when it is private."""
    from rolecall import hot

    problems = hot.state_problems()
    if not problems:
        return [Finding("state", OK, f"{hot.state_dir()} is private to you (or not created yet)")]
    return [Finding("state", FAIL, f"{path} {problem}: rolecall ignores it (no credential memo, slower calls)",
                    f"run: rm -rf {shlex.quote(path)}   (rolecall recreates it, 0700)")
            for path, problem in problems]


def check_credential_processes(config: awsconfig.AwsConfig) -> list[Finding]:
    found = []
    for profile in sorted(config.profiles.values(), key=lambda p: p.name):
        command = profile.credential_process
        if not command:
            continue
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            found.append(Finding("credential_process", FAIL,
                                 f"profile {profile.name}: credential_process does not parse ({exc})",
                                 f"fix the quoting: rolecall config set {shlex.quote(profile.name)} credential_process '…'"))
            continue
        if not argv:
            found.append(Finding("credential_process", FAIL, f"profile {profile.name}: credential_process is empty",
                                 f"run: rolecall config unset {shlex.quote(profile.name)} credential_process"))
            continue
        if "-m" in argv[:-1] and argv[argv.index("-m") + 1] == "rolecall":
            found.append(Finding("credential_process", FAIL,
                                 f"profile {profile.name}: credential_process runs `python -m rolecall`, which runs a "
                                 "`rolecall` folder in whatever directory the SDK starts in",
                                 f"run: rolecall config set {shlex.quote(profile.name)} credential_process "
                                 f"{shlex.quote(_cwd_safe_line(argv))}"))
            continue
        exe = argv[0]
        resolved = exe if os.sep in exe else shutil.which(exe)
        if not resolved or not os.access(resolved, os.X_OK) or os.path.isdir(resolved):
            found.append(Finding("credential_process", FAIL,
                                 f"profile {profile.name}: credential_process runs {exe!r}, which is not an executable "
                                 f"{'file' if os.sep in exe else 'on PATH'}",
                                 f"install it or fix the path: rolecall config set {shlex.quote(profile.name)} "
                                 f"credential_process '…'"))
    if not found and any(p.credential_process for p in config.profiles.values()):
        found.append(Finding("credential_process", OK, "every credential_process executable exists"))
    return found


def _cwd_safe_line(argv: list[str]) -> str:
    """The same credential_process with this rolecall's cwd-safe launcher instead of `-m rolecall`."""
    from rolecall import selfcmd

    rest = argv[argv.index("-m") + 2:]
    return selfcmd.command_line([*selfcmd.launcher_argv(), *rest])


def check_browsers() -> list[Finding]:
    """rolecall's settings: which browsers open consoles and sign-in pages, and that they are still there."""
    from rolecall import browsers, settings

    try:
        found = settings.load()
    except ConfigError as exc:
        return [Finding("browser", FAIL, exc.message, exc.hint)]
    findings = []
    for key, label, command in (("browser", "consoles", "set"), ("sso_browser", "sign-in pages", "set-sso")):
        try:
            choice = browsers.from_settings(found.get(key))
        except ConfigError as exc:
            findings.append(Finding("browser", FAIL, exc.message, exc.hint))
            continue
        if choice.path and not os.path.exists(choice.path):
            findings.append(Finding("browser", WARN, f"{label} open in {choice.name} at {choice.path}, which is gone",
                                    f"run: rolecall browser {command} {choice.name}   (or --path EXE)"))
        elif key == "browser" and not choice.isolates and choice.name != "stdout":
            findings.append(Finding("browser", OK, f"{label} open in {choice.name}: one browser profile for all, so "
                                    "consoles do not stay signed in side by side",
                                    "for side by side: rolecall browser set chromium   (or firefox, chrome …)"))
        else:
            where = f" ({choice.path})" if choice.path else ""
            findings.append(Finding("browser", OK, f"{label} open in {choice.name}{where} "
                                    f"(settings: {settings.settings_path()})"))
    return findings


def run_checks(*, network: bool = True) -> list[Finding]:
    findings, config = check_config()
    steps: list[Callable[[], Iterable[Finding]]] = []
    if config is not None:
        steps += [lambda: check_tokens(config), lambda: check_credential_processes(config)]
        if network and config.sessions:
            steps.append(lambda: check_clock(config))
    steps += [check_shell_integration, check_completions, check_cache_permissions, check_state_dir, check_browsers]
    for step in steps:
        try:
            findings.extend(step())
        except RolecallError as exc:  # a broken check must not hide the others
            findings.append(Finding("doctor", WARN, str(exc), exc.hint))
    return findings


def all_well(findings: Iterable[Finding]) -> bool:
    return all(f.status == OK for f in findings)
