"""`role_arn` + `web_identity_token_file`: AssumeRoleWithWebIdentity, as botocore's provider does it.

The request and cache key follow botocore's AssumeRoleWithWebIdentityCredentialFetcher
(RoleArn, RoleSessionName when configured; the default session name is left out of
the key), so the AWS CLI's cache entry is the same file. The token file is read
at each call, as given (botocore does not expand `~` in it). The call is unsigned:
the token is the proof.
"""

from __future__ import annotations

from typing import Any

from rolecall.awsconfig import AwsConfig, Profile
from rolecall.credentials.assume_role import RoleRequest
from rolecall.errors import AwsError, ConfigError, EndpointError

TOKEN_KEY = "web_identity_token_file"
MAX_TOKEN_BYTES = 1 << 20


def configured(profile: Profile) -> bool:
    return bool(profile.raw.get(TOKEN_KEY)) and bool(profile.role_arn)


def request_for(config: AwsConfig, profile: Profile) -> RoleRequest:
    kwargs: dict[str, Any] = {"RoleArn": profile.role_arn}
    session_name = profile.raw.get("role_session_name")
    if isinstance(session_name, str):
        kwargs["RoleSessionName"] = session_name
    return RoleRequest(profile=profile.name, kwargs=kwargs, auto_session_name="RoleSessionName" not in kwargs)


def _token(config: AwsConfig, profile: Profile) -> str:
    from rolecall import hot

    path = str(profile.raw.get(TOKEN_KEY))
    hint = "point web_identity_token_file at the token your identity provider writes"

    def problem(why: str) -> ConfigError:
        return ConfigError(f"web_identity_token_file {path!r} {why}", path=str(config.config_path),
                           section=config.section_header(profile.name), key=TOKEN_KEY, hint=hint)

    try:
        data = hot.read_regular(path, MAX_TOKEN_BYTES)
    except OSError as exc:
        raise problem(f"cannot be read ({exc.strerror or exc})") from None
    if not data or not data.strip():
        raise problem("does not exist" if data is None else "is empty")
    return data.decode("utf-8", "replace").strip()


def assume(config: AwsConfig, profile: Profile, request: RoleRequest, region: str, *,
           client_creator: Any = None) -> dict:
    """The AssumeRoleWithWebIdentity response (botocore-parsed, + AccountId)."""
    from rolecall import aws
    from rolecall.credentials.assume_role import _add_account_id

    token = _token(config, profile)
    client = (client_creator or aws.client)("sts", region, profile=profile.name, unsigned=True)
    try:
        response = aws.call(client, "assume_role_with_web_identity", WebIdentityToken=token,
                            **request.call_kwargs())
    except AwsError as exc:
        if exc.code in ("InvalidIdentityToken", "ExpiredTokenException", "AccessDenied"):
            raise AwsError(f"{exc.message} (profile {profile.name!r})", code=exc.code,
                           hint="check the token your identity provider wrote, and the role's trust policy") from None
        raise
    creds = response.get("Credentials")
    if not isinstance(creds, dict) or not all(
        creds.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
    ):
        raise EndpointError(f"invalid response from {aws.endpoint_of(client)} (assume_role_with_web_identity)",
                            hint="is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?")
    _add_account_id(response)
    return response
