"""Read `~/.aws/config` and `~/.aws/credentials` exactly as botocore does.

Stdlib only (this runs on the hot path). Parsing follows botocore's
`configloader`: RawConfigParser (whole-line comments, `=`/`:` delimiters,
continuation lines, duplicate sections/keys rejected), nested values for
values that start with a newline, shlex-split `profile X` / `sso-session X` /
`services X` headers, `[default]` vs `[profile default]` last-one-wins, and
the credentials file merged into the profile of the same name.

On top of botocore's dictionaries it builds frozen `Profile` / `SsoSession`
models and validates them; validation errors name file, section, key and line.
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, Union

from rolecall import paths
from rolecall.errors import ConfigError, NoConfigFile, ProfileNotFound

Value = Union[str, Mapping[str, str]]

KIND_SSO = "sso"
KIND_SSO_LEGACY = "sso-legacy"
KIND_ROLE_CHAIN = "role-chain"
KIND_PROCESS = "process"
KIND_STATIC = "static"
KIND_OTHER = "other"

_ACCOUNT_ID = re.compile(r"\d{12}\Z", re.ASCII)
_ROLE_ARN = re.compile(r"arn:[a-z-]+:iam::\d{12}:role/[\w+=,.@/-]{1,512}\Z", re.ASCII)

# A profile generated with --credential-process keeps its SSO settings under
# these keys: botocore (and tools without SSO support) run credential_process,
# while rolecall itself must resolve the profile as SSO, not run itself again.
ROLECALL_SSO_KEYS = {
    "rolecall_sso_session": "sso_session",
    "rolecall_sso_account_id": "sso_account_id",
    "rolecall_sso_role_name": "sso_role_name",
}


@dataclass(frozen=True)
class SsoSession:
    name: str
    start_url: str | None
    region: str | None
    scopes: tuple[str, ...]
    raw: Mapping[str, Value] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Profile:
    """One profile, after the credentials file has been merged in.

    `kind` follows botocore's provider order: role_arn (role chain) beats SSO,
    which beats static keys from the credentials file, then credential_process,
    then static keys in the config file.
    """

    name: str
    kind: str
    region: str | None = None
    output: str | None = None
    account_id: str | None = None
    role_name: str | None = None
    sso_session: str | None = None
    start_url: str | None = None
    sso_region: str | None = None
    role_arn: str | None = None
    source_profile: str | None = None
    credential_source: str | None = None
    credential_process: str | None = None
    raw: Mapping[str, Value] = field(default_factory=dict, repr=False, compare=False)
    # What rolecall acts on: `raw`, except for profiles written by
    # `rolecall config … --credential-process` (see ROLECALL_SSO_KEYS).
    settings: Mapping[str, Value] = field(default_factory=dict, repr=False, compare=False)
    in_config: bool = True
    in_credentials: bool = False

    def get(self, key: str) -> str | None:
        value = self.raw.get(key)
        return value if isinstance(value, str) else None

    @property
    def is_sso(self) -> bool:
        return self.kind in (KIND_SSO, KIND_SSO_LEGACY)

    @property
    def is_process(self) -> bool:
        """Resolved by its own credential_process (whose program decides how long an answer holds)."""
        return self.kind == KIND_PROCESS


# --------------------------------------------------------------------------
# Raw parsing: botocore's configloader, reproduced on the stdlib.


def _read_text(path: Path, what: str) -> str | None:
    """The file's text, None when it does not exist; clear errors otherwise."""
    from rolecall import hot

    try:
        data = hot.read_regular(str(path))
        if data is None:
            return None
    except hot.NotARegularFile:
        raise ConfigError(
            f"the {what} file is not a regular file (a FIFO, device or socket)", path=str(path),
            hint=f"point {_env_name(what)} at a regular file",
        ) from None
    except hot.FileTooLarge:
        raise ConfigError(
            f"the {what} file is larger than {hot.MAX_FILE_BYTES >> 20} MiB: not an AWS {what} file",
            path=str(path), hint=f"point {_env_name(what)} at the real file",
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"the {what} file is a directory", path=str(path),
            hint=f"move the directory away or point {_env_name(what)} at a file",
        ) from None
    except PermissionError:
        raise ConfigError(
            f"the {what} file is not readable (permission denied)", path=str(path),
            hint=f"run: chmod u+r {shlex.quote(str(path))}",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the {what} file: {exc.strerror}", path=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"the {what} file is not valid UTF-8 (byte {exc.start})", path=str(path), line=line,
            hint="fix or remove the bad bytes, then run: rolecall doctor",
        ) from None


def _env_name(what: str) -> str:
    return "AWS_SHARED_CREDENTIALS_FILE" if what == "credentials" else "AWS_CONFIG_FILE"


def _parse_nested(value: str) -> dict[str, str]:
    nested: dict[str, str] = {}
    for line in value.splitlines():
        line = line.strip()
        if not line:
            continue
        key, nested_value = line.split("=", 1)  # ValueError: botocore rejects it too
        nested[key.strip()] = nested_value.strip()
    return nested


def parse_ini(text: str, path: str, what: str = "config") -> dict[str, dict[str, Value]]:
    """Section name → {key → value} with botocore's raw_config_parse semantics."""
    # botocore opens the file in text mode: universal newlines (CRLF, lone CR).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=path)
    except configparser.DuplicateSectionError as exc:
        raise ConfigError(
            f"duplicate section [{exc.section}]", path=path, line=exc.lineno,
            hint=f"merge or rename one of the [{exc.section}] sections in {path}",
        ) from None
    except configparser.DuplicateOptionError as exc:
        raise ConfigError(
            f"duplicate key {exc.option!r}", path=path, section=exc.section, line=exc.lineno,
            hint=f"keep one {exc.option} line in [{exc.section}] of {path}",
        ) from None
    except configparser.MissingSectionHeaderError as exc:
        raise ConfigError(
            "text before the first [section] header", path=path, line=exc.lineno,
            hint=f"every key must sit under a [section] header in {path}",
        ) from None
    except configparser.ParsingError as exc:
        line = exc.errors[0][0] if getattr(exc, "errors", None) else None
        raise ConfigError(
            "line is not `key = value`, a [section] header or a comment", path=path, line=line,
            hint=f"fix that line of {path}",
        ) from None
    except configparser.Error as exc:
        raise ConfigError(f"cannot parse the {what} file: {exc}", path=path) from None
    sections: dict[str, dict[str, Value]] = {}
    for section in parser.sections():
        values: dict[str, Value] = {}
        for option in parser.options(section):
            value = parser.get(section, option)
            if value is not None and value.startswith("\n"):
                try:
                    values[option] = _parse_nested(value)
                except ValueError:
                    raise ConfigError(
                        "nested value has a line without `=`", path=path, section=section,
                        key=option, line=_locate(text, section, option),
                        hint=f"indented lines under {option} must be `key = value`",
                    ) from None
            else:
                values[option] = value if value is not None else ""
        sections[section] = values
    return sections


def _split_section(header: str) -> str | None:
    """The name in `profile X` / `sso-session X` (shlex, exactly two words)."""
    try:
        parts = shlex.split(header)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


@dataclass
class _ProfileMap:
    profiles: dict[str, dict[str, Value]]
    sessions: dict[str, dict[str, Value]]
    services: dict[str, dict[str, Value]]
    headers: dict[str, str]  # profile name → the section header it came from


def build_profile_map(sections: Mapping[str, Mapping[str, Value]]) -> _ProfileMap:
    """botocore's build_profile_map (same prefix tests, same last-one-wins)."""
    result = _ProfileMap({}, {}, {}, {})
    for header, values in sections.items():
        if header.startswith("profile"):
            name = _split_section(header)
            if name is not None:
                result.profiles[name] = dict(values)
                result.headers[name] = header
        elif header.startswith("sso-session"):
            name = _split_section(header)
            if name is not None:
                result.sessions[name] = dict(values)
        elif header.startswith("services"):
            name = _split_section(header)
            if name is not None:
                result.services[name] = dict(values)
        elif header == "default":
            result.profiles["default"] = dict(values)
            result.headers["default"] = header
    return result


def _locate(text: str | None, section: str | None, key: str | None = None) -> int | None:
    """1-based line of `[section]` (or of `key` inside it); None if not found."""
    if not text or section is None:
        return None
    in_section = False
    key_re = re.compile(rf"\s*{re.escape(key)}\s*[=:]", re.IGNORECASE) if key else None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if in_section and key_re is not None:
                return None
            in_section = stripped[1:-1] == section
            if in_section and key_re is None:
                return number
        elif in_section and key_re is not None and key_re.match(line) and not line[:1].isspace():
            return number
    return None


# --------------------------------------------------------------------------
# The model.


def _str(values: Mapping[str, Value], key: str) -> str | None:
    value = values.get(key)
    return value if isinstance(value, str) else None


def _classify(values: Mapping[str, Value], credential_keys: frozenset[str]) -> str:
    if "role_arn" in values:
        return KIND_ROLE_CHAIN
    if "sso_account_id" in values or "sso_role_name" in values:
        return KIND_SSO if "sso_session" in values else KIND_SSO_LEGACY
    if "aws_access_key_id" in credential_keys:
        return KIND_STATIC
    if "credential_process" in values:
        return KIND_PROCESS
    if "aws_access_key_id" in values:
        return KIND_STATIC
    return KIND_OTHER


class AwsConfig:
    """The parsed config + credentials files. Cheap to build; validation is lazy."""

    def __init__(
        self,
        config_path: Path,
        credentials_path: Path,
        config_text: str | None,
        credentials_text: str | None,
    ) -> None:
        self.config_path = config_path
        self.credentials_path = credentials_path
        self.config_text = config_text
        self.credentials_text = credentials_text
        cfg_sections = parse_ini(config_text, str(config_path)) if config_text else {}
        cred_sections = (
            parse_ini(credentials_text, str(credentials_path), "credentials")
            if credentials_text
            else {}
        )
        mapped = build_profile_map(cfg_sections)
        self._headers = mapped.headers
        self.services = mapped.services
        raw_profiles = mapped.profiles
        in_config = set(raw_profiles)
        credential_keys: dict[str, frozenset[str]] = {}
        for name, values in cred_sections.items():
            credential_keys[name] = frozenset(values)
            raw_profiles.setdefault(name, {}).update(values)
        self.raw_profiles = raw_profiles
        self.raw_sessions = mapped.sessions
        self.sessions: dict[str, SsoSession] = {
            name: _make_session(name, values) for name, values in mapped.sessions.items()
        }
        self.profiles: dict[str, Profile] = {
            name: _make_profile(
                name, values, self.sessions,
                in_config=name in in_config,
                credential_keys=credential_keys.get(name, frozenset()),
            )
            for name, values in raw_profiles.items()
        }

    @property
    def no_files(self) -> bool:
        """Neither file exists (an empty file is not missing)."""
        return self.config_text is None and self.credentials_text is None

    def require_files(self) -> "AwsConfig":
        """Self, or NoConfigFile for commands that show or use profiles."""
        if self.no_files:
            raise NoConfigFile(str(self.config_path), str(self.credentials_path))
        return self

    # -- lookups ------------------------------------------------------------

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            from rolecall.term import printable

            raise ProfileNotFound(name, str(self.config_path), no_files=self.no_files,
                                  close=[printable(c) for c in close_names(name, self.profiles)],
                                  from_env=_ENV_CHOICE.get(name)) from None

    def session(self, name: str) -> SsoSession:
        try:
            return self.sessions[name]
        except KeyError:
            raise ConfigError(
                f"sso-session {name!r} not found", path=str(self.config_path),
                hint="run: rolecall config sessions   (or: rolecall config add-session NAME --start-url URL --region R)",
            ) from None

    def with_profiles(self, extra: Mapping[str, Mapping[str, str]]) -> "AwsConfig":
        """A copy that also has these profiles, in memory only (roles assumed without a profile)."""
        import copy

        new = copy.copy(self)
        new.raw_profiles = {**self.raw_profiles, **{name: dict(values) for name, values in extra.items()}}
        new.profiles = {**self.profiles, **{
            name: _make_profile(name, values, self.sessions, in_config=True, credential_keys=frozenset())
            for name, values in extra.items()}}
        return new

    def section_header(self, profile: str) -> str:
        return self._headers.get(profile, profile if profile == "default" else f"profile {profile}")

    def source_chain(self, name: str) -> list[str]:
        """[name, its source_profile, …] down to a non-chained profile.

        Raises ConfigError naming the whole chain on a cycle or a missing link.
        """
        chain = [name]
        current = self.profile(name)
        while current.kind == KIND_ROLE_CHAIN and current.source_profile is not None:
            nxt = current.source_profile
            if nxt in chain:
                # A profile whose source is itself with static keys is botocore's
                # special case (role_arn + own keys): not a cycle.
                if nxt == current.name and current.in_credentials and "aws_access_key_id" in current.raw:
                    break
                loop = " -> ".join(chain + [nxt])
                raise ConfigError(
                    f"source_profile cycle: {loop}", path=str(self.config_path),
                    section=self.section_header(current.name), key="source_profile",
                    line=_locate(self.config_text, self.section_header(current.name), "source_profile"),
                    hint=f"point source_profile of {current.name!r} at a profile outside the loop",
                )
            if nxt not in self.profiles:
                raise ConfigError(
                    f"source_profile {nxt!r} does not exist", path=str(self.config_path),
                    section=self.section_header(current.name), key="source_profile",
                    line=_locate(self.config_text, self.section_header(current.name), "source_profile"),
                    hint="run: rolecall list",
                )
            chain.append(nxt)
            current = self.profiles[nxt]
        return chain

    # -- validation ---------------------------------------------------------

    def chained_role_path(self, name: str) -> list[str] | None:
        """The source chain when profile `name` surely yields chained-role credentials, else None.

        Role chaining = AssumeRole called with role credentials: two role hops, or
        one hop whose base is an SSO role (or an instance/container role). AWS
        caps such sessions at one hour (AssumeRole and console alike). With user
        keys or unknown sources underneath we cannot tell: then AWS speaks.
        """
        from rolecall.errors import RolecallError

        try:
            chain = self.source_chain(name)
        except RolecallError:
            return None
        profiles = [self.profiles[n] for n in chain]
        hops = sum(1 for p in profiles if p.kind == KIND_ROLE_CHAIN)
        if hops == 0:
            return None
        base = profiles[-1]
        role_base = base.is_sso or (
            base.kind == KIND_ROLE_CHAIN
            and (base.credential_source or "") in ("Ec2InstanceMetadata", "EcsContainer")
        )
        return chain if hops >= 2 or role_base else None

    def check_profile(self, name: str) -> Profile:
        """The profile, or the first problem with it (or its chain) as ConfigError."""
        problems = self.profile_problems(name)
        if problems:
            raise problems[0]
        return self.profiles[name]

    def profile_problems(self, name: str) -> list[ConfigError]:
        """Problems of the profile itself, then the first one of each link of its chain.

        Linear in the chain's length: the chain is walked once, each link
        checked on its own (a 200-deep chain costs 200 checks, not 2^200).
        """
        problems = self._own_problems(name)
        profile = self.profiles[name]
        if profile.kind == KIND_ROLE_CHAIN and "source_profile" in profile.raw:
            try:
                for link in self.source_chain(name)[1:]:
                    problems.extend(self._own_problems(link)[:1])
            except ConfigError as exc:
                problems.append(exc)
        return problems

    def _collector(self, name: str):
        """(problems, err): err(message, key, hint) appends a ConfigError located in `name`'s section."""
        problems: list[ConfigError] = []
        header = self.section_header(name)

        def err(message: str, key: str | None, hint: str | None = None) -> None:
            problems.append(ConfigError(
                message, path=str(self.config_path), section=header, key=key,
                line=_locate(self.config_text, header, key), hint=hint,
            ))

        return problems, err

    def _own_problems(self, name: str) -> list[ConfigError]:
        profile = self.profile(name)
        problems, err = self._collector(name)
        raw = profile.settings
        self._role_rules(profile, err)
        if profile.kind == KIND_ROLE_CHAIN:
            duration = _str(raw, "duration_seconds")
            if duration is not None and not duration.strip().isdigit():
                err(f"duration_seconds must be an integer, got {duration!r}", "duration_seconds")
        if profile.is_sso:
            problems.extend(self._sso_problems(profile, err))
        return problems

    def role_problems(self, name: str) -> list[ConfigError]:
        """What stops `name` (a role_arn profile) from being assumed: the resolver's check."""
        problems, err = self._collector(name)
        self._role_rules(self.profile(name), err)
        return problems

    @staticmethod
    def _role_rules(profile: Profile, err) -> None:
        """The rules for role keys, in one place (doctor's problems and the resolver's check)."""
        raw, name = profile.settings, profile.name
        if "credential_source" in raw and "source_profile" in raw:
            err("credential_source and source_profile are mutually exclusive", "credential_source",
                f"run: rolecall config unset {shlex.quote(name)} credential_source")
        if profile.kind == KIND_ROLE_CHAIN:
            if "source_profile" not in raw and "credential_source" not in raw \
                    and "web_identity_token_file" not in raw:
                err("role_arn needs source_profile, credential_source or web_identity_token_file", "role_arn",
                    f"run: rolecall config set {shlex.quote(name)} source_profile OTHER_PROFILE")
            if not role_arn_is_valid(_str(raw, "role_arn") or ""):
                err(f"role_arn is not an IAM role ARN: {_str(raw, 'role_arn')!r}", "role_arn",
                    f"run: rolecall config set {shlex.quote(name)} role_arn arn:aws:iam::123456789012:role/NAME")

    def _sso_problems(self, profile: Profile, err) -> list[ConfigError]:
        raw = profile.settings
        name = profile.name
        for key in ("sso_account_id", "sso_role_name"):
            if key not in raw:
                err(f"SSO profile is missing {key}", None,
                    f"run: rolecall config set {shlex.quote(name)} {key} VALUE")
        account = _str(raw, "sso_account_id")
        if account is not None and not _ACCOUNT_ID.match(account):
            err(f"sso_account_id must be 12 digits, got {account!r}", "sso_account_id",
                f"run: rolecall config set {shlex.quote(name)} sso_account_id 123456789012")
        if profile.sso_session is not None:
            session = self.sessions.get(profile.sso_session)
            if session is None:
                err(f"sso_session {profile.sso_session!r} does not exist", "sso_session",
                    f"run: rolecall config add-session {shlex.quote(profile.sso_session)} --start-url URL --region REGION")
                return []
            session_header = f"sso-session {session.name}"
            for key in ("sso_start_url", "sso_region"):
                if key not in session.raw:
                    problem = ConfigError(
                        f"sso-session is missing {key}", path=str(self.config_path),
                        section=session_header, line=_locate(self.config_text, session_header),
                        hint=f"add `{key} = …` to [{session_header}]",
                    )
                    return [problem]
            for key, value in session.raw.items():
                mine = raw.get(key, value)
                if mine != value:
                    err(f"{key} = {mine!r} contradicts sso-session {session.name!r} ({value!r})", key,
                        f"run: rolecall config unset {shlex.quote(name)} {key}")
        else:
            for key in ("sso_start_url", "sso_region"):
                if key not in raw:
                    err(f"legacy SSO profile is missing {key}", None,
                        f"add sso_session = NAME (see: rolecall config sessions) or {key} to the profile")
        return []

    def problems(self) -> list[ConfigError]:
        """Every problem in every profile and session (for `doctor` / `list`)."""
        found: list[ConfigError] = []
        seen: set[str] = set()
        for name in self.profiles:
            for problem in self.profile_problems(name):
                if str(problem) not in seen:
                    seen.add(str(problem))
                    found.append(problem)
        for session in self.sessions.values():
            header = f"sso-session {session.name}"
            for key in ("sso_start_url", "sso_region"):
                problem = ConfigError(
                    f"sso-session is missing {key}", path=str(self.config_path), section=header,
                    line=_locate(self.config_text, header), hint=f"add `{key} = …` to [{header}]",
                )
                if key not in session.raw and str(problem) not in seen:
                    seen.add(str(problem))
                    found.append(problem)
        return found


def _make_session(name: str, values: Mapping[str, Value]) -> SsoSession:
    scopes_raw = _str(values, "sso_registration_scopes")
    scopes = tuple(s.strip() for s in scopes_raw.split(",") if s.strip()) if scopes_raw else ()
    return SsoSession(
        name=name,
        start_url=_str(values, "sso_start_url"),
        region=_str(values, "sso_region"),
        scopes=scopes,
        raw=MappingProxyType(dict(values)),
    )


def _make_profile(
    name: str,
    raw_values: Mapping[str, Value],
    sessions: Mapping[str, SsoSession],
    *,
    in_config: bool,
    credential_keys: frozenset[str],
) -> Profile:
    values = raw_values
    if any(key in values for key in ROLECALL_SSO_KEYS):
        settings = {k: v for k, v in values.items() if k != "credential_process" and k not in ROLECALL_SSO_KEYS}
        settings.update({ROLECALL_SSO_KEYS[k]: v for k, v in values.items() if k in ROLECALL_SSO_KEYS})
        values = settings
    kind = _classify(values, credential_keys)
    session_name = _str(values, "sso_session")
    session = sessions.get(session_name) if session_name else None
    start_url = _str(values, "sso_start_url")
    sso_region = _str(values, "sso_region")
    if session is not None:
        start_url = session.start_url or start_url
        sso_region = session.region or sso_region
    return Profile(
        name=name,
        kind=kind,
        region=_str(values, "region"),
        output=_str(values, "output"),
        account_id=_str(values, "sso_account_id"),
        role_name=_str(values, "sso_role_name"),
        sso_session=session_name,
        start_url=start_url,
        sso_region=sso_region,
        role_arn=_str(values, "role_arn"),
        source_profile=_str(values, "source_profile"),
        credential_source=_str(values, "credential_source"),
        credential_process=_str(values, "credential_process"),
        raw=MappingProxyType(dict(raw_values)),
        settings=MappingProxyType(dict(values)),
        in_config=in_config,
        in_credentials=bool(credential_keys),
    )


def load(config_path: Path | None = None, credentials_path: Path | None = None) -> AwsConfig:
    """Read both files (paths from the environment unless given)."""
    config_path = config_path if config_path is not None else paths.config_file()
    credentials_path = credentials_path if credentials_path is not None else paths.credentials_file()
    config_text = _read_text(config_path, "config")
    credentials_text = _read_text(credentials_path, "credentials")
    return AwsConfig(config_path, credentials_path, config_text, credentials_text)


def role_arn_is_valid(value: str) -> bool:
    return bool(_ROLE_ARN.match(value))


def account_id_is_valid(value: str) -> bool:
    return bool(_ACCOUNT_ID.match(value))


_ENV_CHOICE: dict[str, str] = {}  # profile name → the variable env_profile() took it from


def close_names(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to `name` (a case-only difference first), for a did-you-mean."""
    import difflib

    names = list(known)
    lowered = {k.lower(): k for k in names}
    found = [k for k in names if k.lower() == name.lower() and k != name]
    found += difflib.get_close_matches(name, names, n=n, cutoff=0.75)
    found += [lowered[k] for k in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.75)]
    return [k for k in dict.fromkeys(found) if k != name][:n]


def env_profile() -> str | None:
    """The profile the environment selects, in botocore's order: AWS_DEFAULT_PROFILE, then AWS_PROFILE
    (botocore.configprovider's `profile` variable; a differential test holds rolecall to it).

    Remembered, so that "not found" can say the name came from the environment.
    """
    for variable in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):
        value = os.environ.get(variable)
        if value:
            _ENV_CHOICE[value] = variable
            return value
    return None
