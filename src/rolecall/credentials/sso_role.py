"""GetRoleCredentials for an SSO profile (the network half; caching is the caller's)."""

from __future__ import annotations

from typing import Any

from rolecall.credentials import role_cache
from rolecall.errors import AwsError, EndpointError


def get_role_credentials(target: Any, access_token: str, account_id: str, role_name: str, *,
                         profile: str, client_creator: Any = None) -> dict:
    """The CLI-format cache entry for `role_name` in `account_id`.

    An UnauthorizedException (token revoked, expired server-side) is a
    LoginRequired: only a new login fixes it.
    """
    from rolecall import aws

    client = (client_creator or aws.client)("sso", target.region, profile=profile)
    try:
        response = aws.call(client, "get_role_credentials", roleName=role_name, accountId=account_id,
                            accessToken=access_token)
    except AwsError as exc:
        if exc.code == "UnauthorizedException":
            raise target.login_required("the SSO access token was rejected by the portal") from None
        if exc.code == "ForbiddenException" or exc.code == "ResourceNotFoundException":
            raise AwsError(
                f"no access to role {role_name!r} in account {account_id!r} (profile {profile!r}): {exc.message}",
                code=exc.code,
                hint="check sso_account_id / sso_role_name; run: rolecall list",
            ) from None
        raise
    rc = response.get("roleCredentials")
    fields = ("accessKeyId", "secretAccessKey", "sessionToken")
    if (not isinstance(rc, dict) or not all(isinstance(rc.get(k), str) and rc.get(k) for k in fields)
            or not isinstance(rc.get("expiration"), (int, float)) or isinstance(rc.get("expiration"), bool)):
        # botocore's rest-json parser turns an unparsable 200 body into an empty answer
        raise EndpointError(
            f"invalid response from {aws.endpoint_of(client)} (get_role_credentials): no role credentials in it",
            hint="is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?",
        )
    return role_cache.sso_entry(rc["accessKeyId"], rc["secretAccessKey"], rc["sessionToken"],
                                rc["expiration"], account_id)
