"""Profile → Credentials: SSO, role chains, credential_process, static keys.

`Resolver(config).resolve(name)` follows botocore's provider order and
semantics, and shares the AWS CLI's role-credential cache (`~/.aws/cli/cache`,
same keys, same format — see `rolecall.credentials.role_cache`):

- SSO profiles: a cached entry with ≥ `window_seconds` left, else (under a file
  lock, re-checking after it) an access token from `rolecall.sso.tokens` and
  GetRoleCredentials.
- role_arn profiles: walk the source_profile chain down to the first link with a
  cached AssumeRole entry (or to its base: SSO, keys, credential_process,
  credential_source = Environment), then AssumeRole back up, one link at a time,
  each under its entry's lock, with the MFA code where a link needs one.
- credential_process profiles: run the command (it does its own caching).
- static keys from the credentials or config file.

A cache hit imports nothing heavy (no botocore, no sso code): it is the hot
path of `rolecall credential-process`.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from rolecall import awsconfig, fileio, hot, term
from rolecall.awsconfig import AwsConfig, Profile
from rolecall.credentials import (
    assume_role,
    compute_source,
    process_source,
    role_cache,
    static_source,
    web_identity,
)
from rolecall.credentials.model import Credentials
from rolecall.credentials.process_source import PROFILE_CHAIN_ENV, ProcessError
from rolecall.credentials.role_cache import DEFAULT_WINDOW_SECONDS, RoleCache
from rolecall.errors import ConfigError, LoginRequired, RolecallError

__all__ = [
    "Credentials", "Resolver", "RoleCache", "ProcessError", "PROFILE_CHAIN_ENV", "DEFAULT_WINDOW_SECONDS",
]

LoginHandler = Callable[[Any], Any]
MfaPrompter = Callable[[str, str], str]  # (mfa_serial, profile) → code


# The region an AssumeRole goes to when nothing names one, by the role ARN's partition.
PARTITION_DEFAULT_REGIONS = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1",
                             "aws-eusc": "eusc-de-east-1", "aws-iso": "us-iso-east-1", "aws-iso-b": "us-isob-east-1"}


class Resolver:
    """Resolves profiles to credentials; one instance may resolve many profiles.

    login_handler(target) runs an interactive login when an SSO token is
    missing or rejected (None: LoginRequired propagates). mfa_token is used for
    the first MFA prompt; mfa_prompter(serial, profile) answers the others
    (default: a line read on /dev/tty, rolecall.term.ask_mfa_code). cache and
    client_creator are injected too, as in botocore (tests pass `{}`-like caches
    and recording client factories).
    duration_seconds overrides the top-level role's duration_seconds.
    force_refresh fetches the requested profile's own credentials anew (its
    cache entry is replaced); what a chain's lower links need may come from
    the cache.
    """

    def __init__(
        self,
        config: AwsConfig,
        *,
        login_handler: LoginHandler | None = None,
        mfa_token: str | None = None,
        duration_seconds: int | None = None,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        cache: RoleCache | None = None,
        mfa_prompter: MfaPrompter | None = None,
        client_creator: Callable[..., Any] | None = None,
        force_refresh: bool = False,
    ) -> None:
        self.config = config
        self.login_handler = login_handler
        self.duration_seconds = duration_seconds
        self.window_seconds = window_seconds
        self.cache = cache if cache is not None else RoleCache()
        self._mfa_token = mfa_token
        self.mfa_prompter: MfaPrompter = mfa_prompter if mfa_prompter is not None else term.ask_mfa_code
        # rolecall.aws.client's signature (service, region, *, profile, credentials); None: that one
        self.client_creator = client_creator
        self.force_refresh = force_refresh
        self._top: str | None = None
        self._inherited = process_source.inherited_chain()
        self._stack: list[str] = []
        self._logged_in: set[str] = set()
        # The role-cache key of the last credentials handed out (the top of a
        # chain is resolved last); rolecall.hot watches that file.
        self.last_cache_key: str | None = None
        self._generation = "-"
        # (token file, access token) the last GetRoleCredentials used: rolecall.hot
        # checks the file still holds it instead of trusting a fingerprint.
        self.last_token: tuple[str, str] | None = None

    # -- public ----------------------------------------------------------------

    def resolve(self, profile_name: str) -> Credentials:
        if self.config.profile(profile_name).kind != awsconfig.KIND_ROLE_CHAIN:
            self.config.check_profile(profile_name)
        # role chains are checked link by link as they are walked (check_profile
        # re-walks every suffix of a chain: too slow for deep chains)
        self._stack = []
        self._top = profile_name
        self.last_cache_key = None
        self.last_token = None
        # Read before any token is: a logout that bumps it meanwhile means what
        # this resolve fetches must not be cached (rolecall.hot).
        self._generation = hot.generation()
        return self._resolve(profile_name, top=True)

    # -- dispatch --------------------------------------------------------------

    def _resolve(self, name: str, *, top: bool) -> Credentials:
        self._guard_loop(name)
        profile = self.config.profile(name)
        self._stack.append(name)
        try:
            if not top and static_source.has_static_keys(profile):
                # botocore: a source profile with keys provides those keys, role_arn or not.
                return static_source.from_profile(self.config, profile)
            if profile.kind == awsconfig.KIND_ROLE_CHAIN and web_identity.configured(profile):
                return self._web_identity(profile)
            if profile.kind == awsconfig.KIND_ROLE_CHAIN:
                return self._assume_chain(profile)
            if profile.is_sso:
                return self._sso(profile)
            if profile.kind == awsconfig.KIND_STATIC:
                return static_source.from_profile(self.config, profile)
            if profile.kind == awsconfig.KIND_PROCESS:
                return process_source.run(
                    profile.credential_process or "", profile=name,
                    chain=self._inherited + self._stack, config_path=str(self.config.config_path),
                )
            raise ConfigError(
                "profile has no credentials (no sso_*, role_arn, credential_process or keys)",
                path=str(self.config.config_path), section=self.config.section_header(name),
                hint=f"run: rolecall list   (profile {name!r} cannot produce credentials)",
            )
        finally:
            self._stack.pop()

    def _guard_loop(self, name: str) -> None:
        if name in self._inherited:
            loop = " -> ".join(self._inherited + self._stack + [name])
            raise ConfigError(
                f"credential_process loop: {loop} (a credential_process runs rolecall for a profile "
                "that is already being resolved)",
                path=str(self.config.config_path), section=self.config.section_header(name),
                hint=f"point the credential_process in that chain at a profile other than {name!r}",
            )

    # -- SSO -------------------------------------------------------------------

    def _sso(self, profile: Profile) -> Credentials:
        key = role_cache.sso_key(profile.account_id or "", profile.role_name or "",
                                 session_name=profile.sso_session, start_url=profile.start_url)
        hit = self._fresh(key, profile, profile.role_name)
        if hit is not None:
            return hit
        with self._locked(key):
            hit = self._fresh(key, profile, profile.role_name)  # another process may have fetched
            if hit is not None:
                return hit
            entry = self._fetch_sso(profile)
            self._store(key, entry)
        return role_cache.entry_credentials(entry, profile=profile.name, role_name=profile.role_name)

    def _fetch_sso(self, profile: Profile) -> dict:
        from rolecall.credentials import sso_role
        from rolecall.sso import tokens

        target = tokens.target_for_profile(self.config, profile.name)
        while True:
            try:
                token = tokens.access_token(target)
                self.last_token = (str(target.token_path), token)
                return sso_role.get_role_credentials(
                    target, token, profile.account_id or "", profile.role_name or "", profile=profile.name,
                    client_creator=self.client_creator)
            except LoginRequired:
                if not self._login(target):
                    raise

    def _login(self, target: Any) -> bool:
        """Run the login handler once per target; False when that is not possible."""
        ident = repr(getattr(target, "cache_key", None) or target)
        if self.login_handler is None or ident in self._logged_in:
            return False
        self._logged_in.add(ident)
        self.login_handler(target)
        return True

    # -- role chains -----------------------------------------------------------
    #
    # Iterative, not recursive: walk down to the first link with fresh cached
    # credentials (or the base source), then assume back up one link at a time,
    # each under its own lock. Deep chains need no deep stack, no nested locks.

    def _assume_chain(self, top: Profile) -> Credentials:
        names = self.config.source_chain(top.name)  # ConfigError naming the chain on a cycle
        links: list[Profile] = []
        base: Profile | None = None  # a source profile that is not assumed (SSO, keys, process…)
        for name in names:
            profile = self.config.profile(name)
            if links:
                self._guard_loop(name)
                # botocore: a source profile with keys provides those keys, role_arn or not; a web
                # identity profile is a source of its own (AssumeRoleWithWebIdentity).
                if static_source.has_static_keys(profile) or profile.kind != awsconfig.KIND_ROLE_CHAIN \
                        or web_identity.configured(profile):
                    base = profile
                    break
            self._check_role(profile)
            links.append(profile)
        requests = [
            assume_role.request_for(self.config, link, duration_seconds=self.duration_seconds if i == 0 else None)
            for i, link in enumerate(links)
        ]
        regions = [self._sts_region(names[0], links[0])] * len(links)
        self._stack.extend(link.name for link in links[1:])  # links[0] is already on it
        try:
            creds, start = None, len(links)
            for i, (link, request) in enumerate(zip(links, requests, strict=True)):
                creds = self._fresh_role(link, request)
                if creds is not None:
                    start = i
                    break
            if creds is None:
                creds = self._chain_base(links[-1], base)
            for i in range(start - 1, -1, -1):
                creds = self._assume_one(links[i], requests[i], creds, regions[i])
            return creds
        finally:
            del self._stack[len(self._stack) - (len(links) - 1):]

    def _web_identity(self, profile: Profile) -> Credentials:
        """role_arn + web_identity_token_file: AssumeRoleWithWebIdentity, cached like the AWS CLI does."""
        request = web_identity.request_for(self.config, profile)
        key = request.cache_key
        hit = self._fresh(key, profile, assume_role.role_name_of(request.role_arn),
                          default_account=assume_role.account_of(request.role_arn))
        if hit is not None:
            return hit
        region = self._sts_region(self._top or profile.name, profile)
        with self._locked(key):
            hit = self._fresh(key, profile, assume_role.role_name_of(request.role_arn),
                              default_account=assume_role.account_of(request.role_arn))
            if hit is not None:
                return hit
            response = web_identity.assume(self.config, profile, request, region, client_creator=self.client_creator)
            self._store(key, response)
        creds = response["Credentials"]
        return Credentials(
            access_key_id=creds["AccessKeyId"], secret_access_key=creds["SecretAccessKey"],
            session_token=creds["SessionToken"], expiration=_aware(creds["Expiration"]),
            account_id=creds.get("AccountId") or assume_role.account_of(request.role_arn),
            role_name=assume_role.role_name_of(request.role_arn), profile=profile.name,
        )

    def _check_role(self, profile: Profile) -> None:
        problems = self.config.role_problems(profile.name)  # awsconfig holds the rules
        if problems:
            raise problems[0]

    def _chain_base(self, last: Profile, base: Profile | None) -> Credentials:
        """The credentials the lowest role of the chain is assumed with."""
        if base is not None:
            if static_source.has_static_keys(base):
                return static_source.from_profile(self.config, base)
            self.config.check_profile(base.name)  # not a role (the walk stops at roles only for keys)
            return self._resolve(base.name, top=False)
        if last.credential_source in compute_source.PROVIDERS:
            return compute_source.from_compute(self.config, last, self._top or last.name)
        if last.credential_source is not None:
            return static_source.from_credential_source(self.config, last)
        return static_source.from_profile(self.config, last)  # source_profile = itself, with keys

    def _fresh_role(self, profile: Profile, request: assume_role.RoleRequest) -> Credentials | None:
        return self._fresh(request.cache_key, profile, assume_role.role_name_of(request.role_arn),
                           default_account=assume_role.account_of(request.role_arn))

    def _assume_one(self, profile: Profile, request: assume_role.RoleRequest, source: Credentials,
                    region: str | None) -> Credentials:
        key = request.cache_key
        with self._locked(key):
            hit = self._fresh_role(profile, request)  # another process may have assumed it meanwhile
            if hit is not None:
                return hit
            token_code = None
            if request.mfa_serial is not None:
                token_code = self._mfa_code(request.mfa_serial, profile.name)
            response = assume_role.assume(request, source, region, token_code, client_creator=self.client_creator)
            self._store(key, response)
        creds = response["Credentials"]
        return Credentials(
            access_key_id=creds["AccessKeyId"],
            secret_access_key=creds["SecretAccessKey"],
            session_token=creds["SessionToken"],
            expiration=_aware(creds["Expiration"]),
            account_id=creds.get("AccountId") or assume_role.account_of(request.role_arn),
            role_name=assume_role.role_name_of(request.role_arn),
            profile=profile.name,
        )

    def _mfa_code(self, serial: str, profile: str) -> str:
        if self._mfa_token:
            code, self._mfa_token = self._mfa_token, None  # one code serves one prompt
            return code
        return self.mfa_prompter(serial, profile)

    def _sts_region(self, top: str, link: Profile) -> str:
        """Where every AssumeRole of a chain goes, as botocore sends it: the session's region
        (AWS_DEFAULT_REGION, then the region of the profile being resolved); without one, the
        default region of the role ARN's partition, so a GovCloud, China or sovereign-cloud chain
        never calls commercial us-east-1 (where botocore would go to the global endpoint)."""
        import os

        region = os.environ.get("AWS_DEFAULT_REGION") or self.config.profiles[top].region
        if region:
            return region
        partition = (link.role_arn or "").split(":")[1] if (link.role_arn or "").count(":") >= 5 else "aws"
        return PARTITION_DEFAULT_REGIONS.get(partition, assume_role.DEFAULT_STS_REGION)

    # -- cache helpers ---------------------------------------------------------

    def _fresh(self, key: str, profile: Profile, role_name: str | None, *,
               default_account: str | None = None) -> Credentials | None:
        if self.force_refresh and profile.name == self._top:
            return None
        hit = self.cache.fresh(key, self.window_seconds, profile=profile.name, role_name=role_name)
        if hit is not None:
            self.last_cache_key = key
        if hit is not None and hit.account_id is None and default_account:
            hit = Credentials(hit.access_key_id, hit.secret_access_key, hit.session_token, hit.expiration,
                              default_account, hit.role_name, hit.profile)
        return hit

    def _store(self, key: str, entry: dict) -> None:
        """Cache what was fetched, unless a logout happened since this resolve began."""
        with hot.storing(self._generation) as current:
            if current:
                self.cache.store(key, entry)
                self.last_cache_key = key

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        def timed_out() -> RolecallError:
            return RolecallError(
                f"timed out waiting for the lock on {self.cache.path(key)} (another rolecall is fetching "
                "these credentials)",
                hint="wait for the other rolecall (a login or MFA prompt?) to finish, then run again",
            )

        with fileio.holding(self.cache.lock(key), timed_out):
            yield


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc) if value.tzinfo else value.replace(tzinfo=timezone.utc)
    from rolecall import clock

    return clock.parse_timestamp(str(value))
