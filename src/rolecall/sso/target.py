"""What to log in to: an sso-session, or a legacy profile's start URL + region.

Stdlib only: this sits on the credential-process hot path.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass
from pathlib import Path

from rolecall import paths
from rolecall.awsconfig import KIND_ROLE_CHAIN, AwsConfig, Profile
from rolecall.errors import ConfigError, LoginRequired


@dataclass(frozen=True)
class SsoTarget:
    """One IAM Identity Center login: the unit of the token cache.

    `session_name` is None for legacy profiles (start URL + region on the
    profile); those name a `profile_name` so hints can say `--profile P`.
    For sso-session targets `profile_name` is a profile using the session
    (None if none does): whose settings (ca_bundle, endpoints) the clients use.
    """

    session_name: str | None
    start_url: str
    region: str
    scopes: tuple[str, ...] = ()
    profile_name: str | None = None

    @property
    def is_legacy(self) -> bool:
        return self.session_name is None

    @property
    def cache_key(self) -> str:
        """sha1 of the session name, or of the start URL exactly as written (botocore SSOTokenLoader._generate_cache_key)."""
        source = self.session_name if self.session_name is not None else self.start_url
        return hashlib.sha1(source.encode("utf-8")).hexdigest()

    @property
    def token_path(self) -> Path:
        return paths.sso_cache_dir() / f"{self.cache_key}.json"

    @property
    def registration_key(self) -> str:
        """The AWS CLI's client-registration cache key (same for both flows)."""
        args = {
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.region,
            "scopes": list(self.scopes) if self.scopes else None,
            "session_name": self.session_name,
        }
        return hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()

    @property
    def registration_path(self) -> Path:
        return paths.sso_cache_dir() / f"{self.registration_key}.json"

    @property
    def login_command(self) -> str:
        if self.session_name is not None:
            return f"rolecall login --sso-session {shlex.quote(self.session_name)}"
        if self.profile_name is not None:
            return f"rolecall login --profile {shlex.quote(self.profile_name)}"
        return "rolecall login"

    @property
    def label(self) -> str:
        """How messages name this target."""
        if self.session_name is not None:
            return f"sso-session {self.session_name}"
        if self.profile_name is not None:
            return f"{self.start_url} (profile {self.profile_name})"
        return self.start_url

    def login_required(self, reason: str) -> LoginRequired:
        return LoginRequired(
            reason,
            session=self.session_name,
            profile=None if self.session_name is not None else self.profile_name,
            start_url=self.start_url,
        )


def _profile_using(config: AwsConfig, session: str) -> str | None:
    for name in sorted(config.profiles):
        if config.profiles[name].sso_session == session:
            return name
    return None


def target_for_session(config: AwsConfig, name: str, profile_name: str | None = None) -> SsoTarget:
    session = config.session(name)
    header = f"sso-session {name}"
    for key, value in (("sso_start_url", session.start_url), ("sso_region", session.region)):
        if not value:
            raise ConfigError(
                f"sso-session is missing {key}", path=str(config.config_path), section=header,
                hint=f"add `{key} = …` to [{header}]",
            )
    assert session.start_url and session.region
    return SsoTarget(name, session.start_url, session.region, tuple(session.scopes),
                     profile_name or _profile_using(config, name))


def token_path_of(config: AwsConfig, profile: str) -> str | None:
    """The SSO token file `profile`'s credentials come from; None if not SSO-based."""
    from rolecall.errors import RolecallError

    try:
        return str(target_for_profile(config, profile).token_path)
    except RolecallError:
        return None


def target_for_profile(config: AwsConfig, profile: str) -> SsoTarget:
    """The login behind `profile`: its sso-session or legacy start URL.

    A role-chain profile logs in to the SSO profile at the bottom of its
    source_profile chain. Any other kind is an error naming profile and kind.
    """
    found = config.profile(profile)
    if found.kind == KIND_ROLE_CHAIN:
        base = config.profile(config.source_chain(profile)[-1])
        if not base.is_sso:
            raise _not_sso(config, found, f"its source_profile chain ends in {base.kind} profile {base.name!r}")
        found = base
    if not found.is_sso:
        raise _not_sso(config, found, None)
    if found.sso_session is not None:
        if found.sso_session not in config.sessions:
            raise ConfigError(
                f"sso_session {found.sso_session!r} does not exist", path=str(config.config_path),
                section=config.section_header(found.name), key="sso_session",
                hint=f"run: rolecall config add-session {shlex.quote(found.sso_session)} --start-url URL --region REGION",
            )
        return target_for_session(config, found.sso_session, found.name)
    for key, value in (("sso_start_url", found.start_url), ("sso_region", found.sso_region)):
        if not value:
            raise ConfigError(
                f"legacy SSO profile is missing {key}", path=str(config.config_path),
                section=config.section_header(found.name), key=key,
                hint=f"run: rolecall config set {shlex.quote(found.name)} {key} VALUE",
            )
    assert found.start_url and found.sso_region
    return SsoTarget(None, found.start_url, found.sso_region, (), found.name)


def _not_sso(config: AwsConfig, profile: Profile, detail: str | None) -> ConfigError:
    what = f"profile {profile.name!r} is a {profile.kind} profile, not an SSO profile"
    if detail:
        what += f" ({detail})"
    return ConfigError(
        what, path=str(config.config_path), section=config.section_header(profile.name),
        hint="log in with an SSO profile or session: rolecall login --sso-session NAME   (see: rolecall list)",
    )


def all_targets(config: AwsConfig) -> list[SsoTarget]:
    """Every usable login in the config: each sso-session, then each legacy start URL once."""
    targets: list[SsoTarget] = []
    for name in sorted(config.sessions):
        session = config.sessions[name]
        if session.start_url and session.region:
            targets.append(SsoTarget(name, session.start_url, session.region, tuple(session.scopes),
                                     _profile_using(config, name)))
    seen: set[str] = set()
    for name in sorted(config.profiles):
        profile = config.profiles[name]
        if profile.is_sso and profile.sso_session is None and profile.start_url and profile.sso_region:
            if profile.start_url not in seen:
                seen.add(profile.start_url)
                targets.append(SsoTarget(None, profile.start_url, profile.sso_region, (), name))
    return targets


def select_targets(
    config: AwsConfig,
    *,
    profile: str | None = None,
    session: str | None = None,
    every: bool = False,
    environ_profile: str | None = None,
) -> list[SsoTarget]:
    """The targets a login/logout command line means (--profile | --sso-session | --all | default).

    The default is the profile AWS_PROFILE selects, else the only login in the config.
    """
    from rolecall.errors import UsageError

    chosen = [flag for flag, value in (("--profile", profile), ("--sso-session", session), ("--all", every))
              if value]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} cannot be used together",
                         hint="pick one of --profile P, --sso-session S or --all")
    if profile:
        return [target_for_profile(config, profile)]
    if session:
        return [target_for_session(config, session)]
    targets = all_targets(config)
    if every:
        if not targets:
            raise _nothing_configured(config)
        return targets
    if environ_profile:
        return [target_for_profile(config, environ_profile)]
    if len(targets) == 1:
        return targets
    if not targets:
        raise _nothing_configured(config)
    names = ", ".join(t.session_name or f"{t.start_url} (profile {t.profile_name})" for t in targets)
    raise UsageError(
        f"which login? {config.config_path} has several: {names}",
        hint=f"run: {targets[0].login_command}   (or --all, or set AWS_PROFILE)",
    )


def _nothing_configured(config: AwsConfig) -> ConfigError:
    return ConfigError(
        "no sso-session or SSO profile is configured", path=str(config.config_path),
        hint="run: rolecall config add-session NAME --start-url URL --region REGION",
    )
