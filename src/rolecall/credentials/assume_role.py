"""AssumeRole for `role_arn` profiles, with botocore's arguments and cache key.

The request is built from the profile the way botocore's AssumeRoleProvider
builds it (role_session_name, external_id, mfa_serial, duration_seconds), so
the cache key matches the AWS CLI's. botocore is imported only when the call
is actually made.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rolecall.awsconfig import AwsConfig, Profile
from rolecall.credentials import role_cache
from rolecall.credentials.model import Credentials
from rolecall.errors import AwsError, ConfigError, EndpointError

DEFAULT_STS_REGION = "us-east-1"


@dataclass(frozen=True)
class RoleRequest:
    """One AssumeRole call as configured by a profile (TokenCode comes later)."""

    profile: str
    kwargs: dict[str, Any] = field(hash=False)
    auto_session_name: bool

    @property
    def role_arn(self) -> str:
        return self.kwargs["RoleArn"]

    @property
    def mfa_serial(self) -> str | None:
        return self.kwargs.get("SerialNumber")

    @property
    def cache_key(self) -> str:
        return role_cache.assume_role_key(self.kwargs)

    def call_kwargs(self, token_code: str | None = None) -> dict[str, Any]:
        args = dict(self.kwargs)
        if self.auto_session_name:
            # botocore's default name; left out of the cache key because it changes.
            args["RoleSessionName"] = f"botocore-session-{int(time.time())}"
        if token_code is not None:
            args["TokenCode"] = token_code
        return args


def request_for(config: AwsConfig, profile: Profile, *, duration_seconds: int | None = None) -> RoleRequest:
    """The AssumeRole request of a role_arn profile; `duration_seconds` overrides the profile's."""
    raw = profile.raw
    kwargs: dict[str, Any] = {"RoleArn": profile.role_arn}
    session_name = raw.get("role_session_name")
    if isinstance(session_name, str):
        kwargs["RoleSessionName"] = session_name
    external_id = raw.get("external_id")
    if isinstance(external_id, str):
        kwargs["ExternalId"] = external_id
    serial = raw.get("mfa_serial")
    if isinstance(serial, str):
        kwargs["SerialNumber"] = serial
    if duration_seconds is None:
        configured = raw.get("duration_seconds")
        if isinstance(configured, str):
            try:
                duration_seconds = int(configured)
            except ValueError:
                header = config.section_header(profile.name)
                raise ConfigError(
                    f"duration_seconds must be an integer, got {configured!r}", path=str(config.config_path),
                    section=header, key="duration_seconds",
                    hint=f"run: rolecall config set {_q(profile.name)} duration_seconds 3600",
                ) from None
    if duration_seconds is not None:
        kwargs["DurationSeconds"] = duration_seconds
    return RoleRequest(profile=profile.name, kwargs=kwargs, auto_session_name="RoleSessionName" not in kwargs)


def assume(request: RoleRequest, source: Credentials, region: str | None, token_code: str | None = None,
           client_creator: Any = None) -> dict:
    """Call AssumeRole with `source`; returns the response as botocore parsed it (+ AccountId)."""
    from rolecall import aws

    client = (client_creator or aws.client)("sts", region or DEFAULT_STS_REGION, credentials=source,
                                            profile=request.profile)
    try:
        response = aws.call(client, "assume_role", **request.call_kwargs(token_code))
    except AwsError as exc:
        if exc.code == "AccessDenied" and exc.hint is None:
            raise AwsError(
                f"{exc.message} (profile {request.profile!r})", code=exc.code,
                hint="check role_arn, external_id, mfa_serial and the role's trust policy",
            ) from None
        raise
    creds = response.get("Credentials")
    if not isinstance(creds, dict) or not all(
        creds.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    ):
        raise EndpointError(
            f"invalid response from {aws.endpoint_of(client)} (assume_role): no credentials in it",
            hint="is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?",
        )
    _add_account_id(response)
    return response


def _add_account_id(response: dict) -> None:
    # botocore's _add_account_id_to_response: the account of the assumed-role ARN.
    arn = response.get("AssumedRoleUser", {}).get("Arn")
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) >= 6 and parts[0] == "arn" and parts[4]:
        response["Credentials"]["AccountId"] = parts[4]


def role_name_of(role_arn: str) -> str | None:
    """`arn:aws:iam::123456789012:role/path/name` → `name`."""
    resource = role_arn.split(":", 5)[-1] if role_arn.count(":") >= 5 else ""
    return resource.rsplit("/", 1)[-1] if resource.startswith("role/") else None


def account_of(role_arn: str) -> str | None:
    parts = role_arn.split(":")
    return parts[4] if len(parts) >= 6 and parts[4] else None


def _q(value: str) -> str:
    import shlex

    return shlex.quote(value)
