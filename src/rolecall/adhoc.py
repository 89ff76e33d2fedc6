"""Roles without a profile: `assume --account-id A --role-name R` and `--chain ROLE_ARN`.

An ad-hoc role is resolved as the profile it would be: its keys are added to
the loaded config in memory (`AwsConfig.with_profiles`), named by its label
unless a profile has that name, and the ordinary resolver runs on that. So it keeps every rule a
saved profile keeps: the AWS CLI's caches, the STS region of chains, the
one-hour cap on chained roles. Nothing is memoised for the hot path (that memo
is keyed by profile name).

In a shell the request travels as `_ROLECALL_AD_HOC` (JSON), beside
ROLECALL_PROFILE = its label (`123456789012/ReadOnly`), so the shell hook can
renew it as it renews a profile. `--save-as NAME` writes the same keys as a
real profile through the config editor.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from rolecall.errors import UsageError


@dataclass(frozen=True)
class Request:
    account_id: str | None = None
    role_name: str | None = None
    sso_session: str | None = None
    start_url: str | None = None
    sso_region: str | None = None
    chain: str | None = None  # a role ARN assumed with the credentials of `profile` or of the SSO role
    profile: str | None = None  # the profile --chain starts from

    @property
    def sso(self) -> bool:
        return any(v is not None for v in (self.account_id, self.role_name, self.sso_session, self.start_url,
                                           self.sso_region))

    @property
    def wanted(self) -> bool:
        return self.sso or self.chain is not None

    def label(self) -> str:
        """`ACCOUNT/ROLE` of the role the credentials are for (ROLECALL_PROFILE in the shell)."""
        if self.chain is not None:
            account, path = self.chain.split(":", 5)[4:]
            return f"{account}/{path.rsplit('/', 1)[-1]}"
        return f"{self.account_id}/{self.role_name}"

    def to_env(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, sort_keys=True)


def from_env(text: str | None) -> Request | None:
    """The request a shell keeps in _ROLECALL_AD_HOC; None for anything else."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return None
    known = {f.name for f in fields(Request)}
    if not isinstance(data, dict) or not set(data) <= known or not all(isinstance(v, str) for v in data.values()):
        return None
    request = Request(**data)
    try:
        check(request)
    except UsageError:
        return None
    return request if request.wanted else None


def check(request: Request) -> None:
    """Raise UsageError for a request that cannot mean one role (before anything is read)."""
    from rolecall.configedit import validate

    if request.sso:
        if request.profile is not None:
            raise UsageError("give a PROFILE or --account-id/--role-name, not both",
                             hint="a role from a profile: assume PROFILE --chain ROLE_ARN")
        missing = [flag for flag, v in (("--account-id", request.account_id), ("--role-name", request.role_name))
                   if v is None]
        if missing:
            raise UsageError(f"a role without a profile also needs {' and '.join(missing)}",
                             hint="run: assume --account-id 123456789012 --role-name ReadOnly")
        if request.sso_session is not None and (request.start_url or request.sso_region):
            raise UsageError("give --sso-session or --sso-start-url/--sso-region, not both",
                             hint="run: rolecall config sessions   (the sso-sessions you have)")
        if (request.start_url is None) != (request.sso_region is None):
            raise UsageError("--sso-start-url and --sso-region go together",
                             hint="e.g. --sso-start-url https://my-org.awsapps.com/start --sso-region eu-west-1")
        validate.account_id(request.account_id or "")
        validate.role_name(request.role_name or "")
        if request.start_url is not None:
            validate.start_url(request.start_url)
            validate.region(request.sso_region or "", "--sso-region")
    if request.chain is not None:
        validate.role_arn(request.chain)


def session_for(config: Any, request: Request) -> str | None:
    """The sso-session of an SSO request (None: --sso-start-url, the legacy keys)."""
    if request.sso_session is not None:
        config.session(request.sso_session)  # ConfigError naming it and the fix
        return request.sso_session
    if request.start_url is not None:
        return None
    names = sorted(config.sessions)
    if len(names) == 1:
        return names[0]
    if not names:
        raise UsageError(f"no [sso-session] in {config.config_path} to sign in to account {request.account_id}",
                         hint="add one: rolecall config add-session NAME --start-url URL --region REGION   "
                              "(or pass --sso-start-url URL --sso-region REGION)")
    import shlex

    from rolecall.term import printable

    shown = [printable(name) for name in names]  # names from the config file: quoted for a shell, made printable
    raise UsageError(f"{len(names)} sso-sessions in {config.config_path}: say which one has account "
                     f"{request.account_id}",
                     hint=f"add --sso-session {shlex.quote(shown[0])}   (all: {', '.join(shown)})")


def sso_keys(config: Any, request: Request) -> dict[str, str]:
    session = session_for(config, request)
    keys = {"sso_session": session} if session else {"sso_start_url": request.start_url or "",
                                                     "sso_region": request.sso_region or ""}
    keys.update(sso_account_id=request.account_id or "", sso_role_name=request.role_name or "")
    return keys


def _free_name(config: Any, label: str) -> str:
    """The in-memory profile's name: its label (so messages name the role), unless a profile has it."""
    candidate, n = label, 1
    while candidate in config.profiles:
        n += 1
        candidate = f"{label} (ad hoc {n})"
    return candidate


def build(config: Any, request: Request) -> tuple[Any, str]:
    """(the config with the request's profiles added in memory, the profile to resolve)."""
    extra: dict[str, dict[str, str]] = {}
    base = request.profile
    if request.sso:
        base = _free_name(config, f"{request.account_id}/{request.role_name}")
        extra[base] = sso_keys(config, request)
    elif base is not None:
        config.check_profile(base)  # a broken base fails as itself, not as the ad-hoc chain
    if base is None:
        raise UsageError("--chain needs the profile to start from", hint="run: assume PROFILE --chain ROLE_ARN")
    if request.chain is None:
        return config.with_profiles(extra), base
    with_base = config.with_profiles(extra)
    name = _free_name(with_base, request.label())
    keys = {"role_arn": request.chain, "source_profile": base}
    region = with_base.profile(base).region
    if region:  # the chain runs in its base's region, as a user of that profile expects
        keys["region"] = region
    return config.with_profiles({**extra, name: keys}), name


def account_name(request: Request) -> str | None:
    """The account's name, when `config generate` has seen it."""
    from rolecall import portal_roles

    account = request.label().split("/", 1)[0]
    return portal_roles.account_name(account)


def save(config: Any, request: Request, name: str, *, region: str | None) -> None:
    """Write `name` as the profile the request means (a profile already there must say the same)."""
    import shlex

    from rolecall import awsconfig
    from rolecall.configedit import ops, validate

    validate.name(name)
    if request.sso and request.chain is not None:
        raise UsageError("--save-as saves one profile: save the SSO role first, then the chain",
                         hint=f"run: assume --account-id {request.account_id} --role-name {request.role_name} "
                              f"--save-as BASE; then: assume BASE --chain {request.chain} "
                              f"--save-as {shlex.quote(name)}")
    if request.sso:
        session = session_for(config, request)
        if session is None:
            session = next((s.name for s in config.sessions.values()
                            if s.start_url == request.start_url and s.region == request.sso_region), None)
        if session is None:
            raise UsageError("--save-as writes profiles that use an [sso-session]; there is none for "
                             f"{request.start_url}",
                             hint=f"add one: rolecall config add-session NAME --start-url "
                                  f"{shlex.quote(request.start_url or '')} --region {request.sso_region}; "
                                  "then pass --sso-session NAME")
        keys = {"sso_session": session, "sso_account_id": request.account_id, "sso_role_name": request.role_name}
    else:
        keys = {"role_arn": request.chain, "source_profile": request.profile}
    if region:
        keys["region"] = region
    existing = config.profiles.get(name)
    if existing is not None:
        kind = awsconfig.KIND_SSO if request.sso else awsconfig.KIND_ROLE_CHAIN
        if existing.kind == kind and all(existing.raw.get(k) == v for k, v in keys.items()):
            return  # saved before: nothing to write
        from rolecall.term import printable

        raise UsageError(f"profile {printable(name)!r} already exists in {config.config_path} and is another role",
                         hint=f"pick another name for --save-as, or look at it: rolecall config show "
                              f"{shlex.quote(name)}")
    ops.add_profile(name, sso_session=keys.get("sso_session"), account_id=keys.get("sso_account_id"),
                    role_name=keys.get("sso_role_name"), role_arn=keys.get("role_arn"),
                    source_profile=keys.get("source_profile"), region=region)
