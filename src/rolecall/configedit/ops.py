"""The editing commands as plain functions (the click layer only parses flags).

Every function validates its input first (UsageError/ConfigError, nothing
written), then runs one `store.edit` transaction whose check proves, through
the same botocore-semantics reader the rest of rolecall uses, that the new
file means what was asked.
"""

from __future__ import annotations

import shlex
from typing import Iterable

from rolecall import awsconfig, paths
from rolecall.configedit import validate
from rolecall.configedit.document import PROFILE, SESSION, ConfigDocument, header_for
from rolecall.configedit.store import EditResult, edit
from rolecall.errors import ConfigError, ProfileNotFound, UsageError

DEFAULT_SCOPES = "sso:account:access"

# Keys of a profile that reaches its SSO role through `rolecall credential-process`
# instead of botocore's native SSO keys (tools without SSO support ignore them;
# rolecall's resolver reads them).
CP_SESSION_KEY = "rolecall_sso_session"
CP_ACCOUNT_KEY = "rolecall_sso_account_id"
CP_ROLE_KEY = "rolecall_sso_role_name"

SSO_KEYS = ("sso_session", "sso_account_id", "sso_role_name", "sso_start_url", "sso_region")
ROLE_KEYS = ("role_arn", "source_profile", "credential_source")
PROCESS_KEYS = ("credential_process", CP_SESSION_KEY, CP_ACCOUNT_KEY, CP_ROLE_KEY)
SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")


def rolecall_command() -> str:
    """How a credential_process line starts this rolecall (absolute, never from the cwd)."""
    from rolecall import selfcmd

    return selfcmd.command_line(selfcmd.launcher_argv())


def credential_process_line(profile: str) -> str:
    return f"{rolecall_command()} credential-process --profile {shlex.quote(profile)}"


def sso_profile_items(session: str, account_id: str, role_name: str, *, region: str | None,
                      output: str | None, profile: str, credential_process: bool,
                      extra: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """The keys of a new SSO profile, in the AWS CLI's order."""
    if credential_process:
        items = [("credential_process", credential_process_line(profile)),
                 (CP_SESSION_KEY, session), (CP_ACCOUNT_KEY, account_id), (CP_ROLE_KEY, role_name)]
    else:
        items = [("sso_session", session), ("sso_account_id", account_id), ("sso_role_name", role_name)]
    if region:
        items.append(("region", region))
    if output:
        items.append(("output", output))
    return items + list(extra)


# ---------------------------------------------------------------------------
# sso-sessions


def add_session(name: str, start_url: str, region: str, scopes: str | None = None, *,
                force: bool = False, dry_run: bool = False) -> EditResult:
    validate.name(name, "sso-session")
    validate.start_url(start_url)
    validate.region(region)
    scopes = validate.scopes(scopes) if scopes else DEFAULT_SCOPES
    items = [("sso_start_url", start_url), ("sso_region", region), ("sso_registration_scopes", scopes)]

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if doc.section(SESSION, name) is None:
            doc.append_sections([(header_for(SESSION, name), items)])
            return
        if not force:
            raise UsageError(
                f"sso-session {name!r} already exists in {config.config_path}",
                hint=f"change it with: rolecall config set --session {shlex.quote(name)} KEY VALUE "
                     "(or pass --force to overwrite its start URL, region and scopes)",
            )
        for key, value in items:
            doc.set(SESSION, name, key, value)

    def check(new: awsconfig.AwsConfig) -> None:
        session = new.session(name)
        _expect(session.start_url == start_url and session.region == region
                and ",".join(session.scopes) == scopes, f"sso-session {name}")

    return edit(change, check, dry_run=dry_run)


def remove_session(name: str, *, force: bool = False, dry_run: bool = False) -> EditResult:
    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if doc.section(SESSION, name) is None:
            raise ConfigError(f"sso-session {name!r} not found", path=str(config.config_path),
                              hint="run: rolecall config sessions")
        users = sorted(p.name for p in config.profiles.values()
                       if p.sso_session == name or p.get(CP_SESSION_KEY) == name)
        if users and not force:
            raise UsageError(
                f"sso-session {name!r} is used by {len(users)} profile(s): {_some(users)}",
                hint="remove them first (rolecall config rm …) or pass --force to leave them broken",
            )
        if users:
            notes.append(f"profiles still naming sso-session {name!r}: {_some(users)}")
        doc.remove(SESSION, name)

    def check(new: awsconfig.AwsConfig) -> None:
        _expect(name not in new.sessions, f"removal of sso-session {name}")

    return edit(change, check, dry_run=dry_run)


# ---------------------------------------------------------------------------
# profiles


def add_profile(name: str, *, sso_session: str | None = None, account_id: str | None = None,
                role_name: str | None = None, role_arn: str | None = None,
                source_profile: str | None = None, region: str | None = None,
                output: str | None = None, credential_process: bool = False,
                force: bool = False, dry_run: bool = False) -> EditResult:
    validate.name(name)
    sso_mode = any(v is not None for v in (sso_session, account_id, role_name))
    role_mode = any(v is not None for v in (role_arn, source_profile))
    if sso_mode == role_mode:
        raise UsageError(
            "give either --sso-session, --account-id and --role-name, or --role-arn and --source-profile",
            hint="e.g. rolecall config add-profile dev --sso-session my-sso --account-id 123456789012 "
                 "--role-name ReadOnlyAccess",
        )
    if sso_mode:
        missing = [flag for flag, v in (("--sso-session", sso_session), ("--account-id", account_id),
                                        ("--role-name", role_name)) if v is None]
        if missing:
            raise UsageError(f"an SSO profile also needs {' and '.join(missing)}")
        assert sso_session is not None and account_id is not None and role_name is not None  # (just checked)
        validate.account_id(account_id)
        validate.role_name(role_name)
        items = sso_profile_items(sso_session, account_id, role_name, region=region, output=output,
                                  profile=name, credential_process=credential_process)
    else:
        if role_arn is None or source_profile is None:
            raise UsageError("a role-chain profile needs both --role-arn and --source-profile")
        if credential_process:
            raise UsageError("--credential-process applies to SSO profiles (--sso-session …)")
        validate.role_arn(role_arn)
        if source_profile == name:
            raise UsageError(f"profile {name!r} cannot be its own source_profile")
        items = [("role_arn", role_arn), ("source_profile", source_profile)]
        items += [(k, v) for k, v in (("region", region), ("output", output)) if v]
    if region:
        validate.region(region)
    if output:
        validate.output(output)
    wanted = dict(items)

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if sso_session is not None and sso_session not in config.sessions:
            config.session(sso_session)  # raises: names the session and the fix
        if source_profile is not None and source_profile not in config.profiles:
            raise ProfileNotFound(source_profile, str(config.config_path))
        if doc.section(PROFILE, name) is None:
            if name in config.profiles and not force:
                notes.append(f"profile {name!r} also has a section in {config.credentials_path}; "
                             "its keys still apply")
            doc.append_sections([(header_for(PROFILE, name), items)])
            return
        if not force:
            raise UsageError(f"profile {name!r} already exists in {config.config_path}",
                             hint="pass --force to rewrite it, or: rolecall config set "
                                  f"{shlex.quote(name)} KEY VALUE")
        stale = (ROLE_KEYS + PROCESS_KEYS) if sso_mode and not credential_process else (
            (SSO_KEYS + ROLE_KEYS) if credential_process else (SSO_KEYS + PROCESS_KEYS))
        doc.replace(PROFILE, name, items, stale=stale)

    def check(new: awsconfig.AwsConfig) -> None:
        raw = new.profile(name).raw
        _expect(all(raw.get(k) == v for k, v in wanted.items()), f"profile {name}")

    return edit(change, check, dry_run=dry_run)


def set_value(target: str, key: str, value: str, *, session: bool = False, create: bool = False,
              dry_run: bool = False) -> EditResult:
    key = validate.key(key)
    if key in SECRET_KEYS:
        # The config file is usually 0644 and shared (dotfiles, screenshares); the
        # AWS CLI keeps secrets in the 0600 credentials file. Refuse, say where.
        raise UsageError(
            f"refusing to write {key} into the config file {paths.config_file()}: secrets belong in "
            "the credentials file (0600), which `rolecall config` does not edit",
            hint=f"run: aws configure set {key} … --profile {shlex.quote(target)}   "
                 "(writes ~/.aws/credentials), or use SSO: rolecall config add-profile",
        )
    top, _, sub = key.partition(".")
    if not sub:
        validate.value(value, key)
    elif value != value.strip() or "\n" in value or "\r" in value:
        raise UsageError(f"value for {key} has leading/trailing spaces or a line break")
    kind = SESSION if session else PROFILE

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if not sub:
            _check_reference(config, target, key, value)
        if doc.section(kind, target) is None:
            _require_target(config, kind, target, create, f"set {key}")
            doc.append_sections([(header_for(kind, target), [])])
        if sub:
            doc.set_nested(kind, target, top, sub, value)
        else:
            doc.set(kind, target, key, value)

    def check(new: awsconfig.AwsConfig) -> None:
        got = _file_view(new, kind, target).get(top)
        ok = (isinstance(got, dict) and got.get(sub) == value) if sub else got == value
        _expect(ok, f"{key} of {kind} {target}")

    return edit(change, check, dry_run=dry_run)


def unset_value(target: str, key: str, *, session: bool = False, dry_run: bool = False) -> EditResult:
    key = validate.key(key)
    top, _, sub = key.partition(".")
    kind = SESSION if session else PROFILE

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if doc.section(kind, target) is None:
            _require_target(config, kind, target, False, f"unset {key}")
            notes.append(f"{kind} {target!r} has no section in {config.config_path}; nothing to unset")
            return
        removed = doc.unset_nested(kind, target, top, sub) if sub else doc.unset(kind, target, key)
        if not removed:
            notes.append(f"{key} is not set in [{header_for(kind, target)}]; nothing changed")

    def check(new: awsconfig.AwsConfig) -> None:
        raw = _file_view(new, kind, target)
        got = raw.get(top)
        gone = (not isinstance(got, dict) or sub not in got) if sub else top not in raw
        _expect(gone, f"removal of {key} from {kind} {target}")

    return edit(change, check, dry_run=dry_run)


def remove_profiles(names: list[str], *, force: bool = False, dry_run: bool = False) -> EditResult:
    wanted = list(dict.fromkeys(names))

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        for name in wanted:
            if doc.section(PROFILE, name) is None:
                _require_target(config, PROFILE, name, False, "remove it")
                raise ConfigError(f"profile {name!r} is only in the credentials file",
                                  path=str(config.credentials_path),
                                  hint="rolecall config edits the config file; remove it from the "
                                       "credentials file by hand")
        dependents = sorted(
            f"{p.name} (source_profile = {p.source_profile})" for p in config.profiles.values()
            if p.source_profile in wanted and p.name not in wanted
        )
        if dependents and not force:
            raise UsageError(f"other profiles chain from it: {_some(dependents)}",
                             hint="remove or repoint those first, or pass --force")
        for name in wanted:
            while doc.remove(PROFILE, name):
                pass  # [default] and [profile default] are both the profile "default"
            if config.profiles[name].in_credentials:
                notes.append(f"profile {name!r} still has a section in {config.credentials_path}")

    def check(new: awsconfig.AwsConfig) -> None:
        for name in wanted:
            _expect(not _in_file(new, PROFILE, name), f"removal of {name}")

    return edit(change, check, dry_run=dry_run)


def rename_profile(old: str, new_name: str, *, force: bool = False, dry_run: bool = False) -> EditResult:
    validate.name(new_name)
    if old == new_name:
        raise UsageError("the old and new names are the same")

    def change(doc: ConfigDocument, config: awsconfig.AwsConfig, notes: list) -> None:
        if doc.section(PROFILE, old) is None:
            _require_target(config, PROFILE, old, False, "rename it")
            raise ConfigError(f"profile {old!r} is only in the credentials file",
                              path=str(config.credentials_path))
        if new_name in config.profiles:
            if not force:
                raise UsageError(f"profile {new_name!r} already exists",
                                 hint="pick another name, or pass --force to replace it")
            doc.remove(PROFILE, new_name)
        doc.rename(PROFILE, old, new_name)
        for other in doc.names(PROFILE):
            if doc.get(PROFILE, other, "source_profile") == old:
                doc.set(PROFILE, other, "source_profile", new_name)
        if config.profiles[old].in_credentials:
            notes.append(f"[{old}] in {config.credentials_path} keeps its name; "
                         "its keys no longer apply to the renamed profile")

    def check(new: awsconfig.AwsConfig) -> None:
        _expect(_in_file(new, PROFILE, new_name) and not _in_file(new, PROFILE, old), f"rename {old} -> {new_name}")
        _expect(not any(v.get("source_profile") == old for v in new.raw_profiles.values()),
                "source_profile references")

    return edit(change, check, dry_run=dry_run)


# ---------------------------------------------------------------------------
# read-only views


def show(config: awsconfig.AwsConfig, name: str) -> dict:
    """The resolved view of a profile: its keys, its session's, the credentials file's."""
    profile = config.profile(name)
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    session_name = profile.sso_session or profile.get(CP_SESSION_KEY)
    session = config.sessions.get(session_name) if session_name else None
    if session is not None:
        for key, value in session.raw.items():
            values[key] = value
            sources[key] = f"sso-session {session.name}"
    cred_keys = set()
    if profile.in_credentials:
        cred_sections = awsconfig.parse_ini(config.credentials_text or "", str(config.credentials_path),
                                            "credentials")
        cred_keys = set(cred_sections.get(name, {}))
    for key, value in profile.raw.items():
        values[key] = _mask(key, value)
        sources[key] = "credentials" if key in cred_keys else config.section_header(name)
    return {
        "name": name,
        "kind": profile.kind,
        "section": config.section_header(name) if profile.in_config else None,
        "sso_session": session_name,
        "values": values,
        "sources": sources,
        "problems": [str(p) for p in config.profile_problems(name)],
    }


def sessions(config: awsconfig.AwsConfig) -> list[dict]:
    rows = []
    for name in sorted(config.sessions):
        session = config.sessions[name]
        users = sorted(p.name for p in config.profiles.values()
                       if p.sso_session == name or p.get(CP_SESSION_KEY) == name)
        rows.append({
            "name": name,
            "sso_start_url": session.start_url,
            "sso_region": session.region,
            "sso_registration_scopes": list(session.scopes),
            "profiles": len(users),
            "generated_profiles": sum(1 for p in users if config.profiles[p].get("rolecall_generated_from") == name),
        })
    return rows


# ---------------------------------------------------------------------------
# helpers


def _mask(key: str, value: object) -> object:
    if key in SECRET_KEYS and isinstance(value, str):
        return "****" + value[-4:] if len(value) > 8 else "****"
    return value


def _check_reference(config: awsconfig.AwsConfig, target: str, key: str, value: str) -> None:
    if key == "sso_session" and value not in config.sessions:
        config.session(value)  # raises with the fix
    if key == "source_profile":
        if value == target:
            raise UsageError(f"profile {target!r} cannot be its own source_profile")
        if value not in config.profiles:
            raise ProfileNotFound(value, str(config.config_path))


def _require_target(config: awsconfig.AwsConfig, kind: str, name: str, create: bool, action: str) -> None:
    """Raise unless a missing section may be created (credentials-only profile, --create)."""
    if create:
        validate.name(name, kind)
        return
    if kind == SESSION:
        config.session(name)
    elif name not in config.profiles:
        raise ConfigError(
            f"profile {name!r} not found", path=str(config.config_path),
            hint="check the name with `rolecall list`" + ("" if action == "remove it"
                                                          else f", or pass --create to {action} on a new profile"),
        )


def _file_view(new: awsconfig.AwsConfig, kind: str, name: str) -> dict:
    return (new.raw_sessions if kind == SESSION else new.raw_profiles).get(name, {})


def _in_file(new: awsconfig.AwsConfig, kind: str, name: str) -> bool:
    return name in (new.raw_sessions if kind == SESSION else new.raw_profiles)


def _expect(ok: bool, what: str) -> None:
    if not ok:
        raise ConfigError(f"after the edit, {what} does not read back as asked")


def _some(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
