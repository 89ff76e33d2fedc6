"""Long-term (or pasted session) keys: from a profile, or `credential_source = Environment`."""

from __future__ import annotations

import os
import shlex

from rolecall.awsconfig import AwsConfig, Profile
from rolecall.credentials.model import Credentials
from rolecall.errors import ConfigError

# botocore's CanonicalNameCredentialSourcer names. Environment is read here; the compute ones go
# through botocore's own providers (rolecall.credentials.compute_source).
SUPPORTED_SOURCES = ("Environment",)
KNOWN_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


def has_static_keys(profile: Profile) -> bool:
    # botocore's _has_static_credentials: either key is enough to take this path.
    return "aws_access_key_id" in profile.raw or "aws_secret_access_key" in profile.raw


def from_profile(config: AwsConfig, profile: Profile) -> Credentials:
    raw = profile.raw
    header = config.section_header(profile.name)
    path = str(config.credentials_path if profile.in_credentials else config.config_path)
    section = profile.name if profile.in_credentials else header
    values = {}
    for key in ("aws_access_key_id", "aws_secret_access_key"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"profile has static keys but {key} is missing or empty", path=path,
                section=section, key=key, hint=f"add `{key} = …` to [{section}] in {path}",
            )
        values[key] = value.strip()
    token = raw.get("aws_session_token")
    return Credentials(
        access_key_id=values["aws_access_key_id"],
        secret_access_key=values["aws_secret_access_key"],
        session_token=token.strip() if isinstance(token, str) and token.strip() else None,
        expiration=None,
        account_id=account if isinstance(account := raw.get("aws_account_id"), str) else None,
        profile=profile.name,
    )


def from_credential_source(config: AwsConfig, profile: Profile) -> Credentials:
    source = profile.credential_source or ""
    header = config.section_header(profile.name)
    if source not in SUPPORTED_SOURCES:  # (the compute sources never get here: rolecall.credentials.compute_source)
        raise ConfigError(
            f"credential_source {source!r} is not one botocore knows ({', '.join(KNOWN_SOURCES)})",
            path=str(config.config_path), section=header, key="credential_source",
            hint=f"run: rolecall config set {shlex.quote(profile.name)} credential_source Environment   (or a source_profile)",
        )
    env = os.environ
    akid, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not akid or not secret:
        raise ConfigError(
            "credential_source = Environment but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set",
            path=str(config.config_path), section=header, key="credential_source",
            hint="export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) first",
        )
    expiration = None
    raw_expiry = env.get("AWS_CREDENTIAL_EXPIRATION")
    if raw_expiry:
        from rolecall import clock

        try:
            expiration = clock.parse_timestamp(raw_expiry)
        except ValueError:
            expiration = None
    return Credentials(
        access_key_id=akid,
        secret_access_key=secret,
        session_token=env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None,
        expiration=expiration,
        profile=profile.name,
    )
