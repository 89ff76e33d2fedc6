"""The sso-oidc client and what its error codes mean for a login.

botocore is imported (through `rolecall.aws`) only when this module's
functions run, never at import.
"""

from __future__ import annotations

from typing import Any

from rolecall.sso.target import SsoTarget

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# CreateToken answers that mean "this grant / client is no good: log in again".
REJECTED_CODES = frozenset({
    "InvalidGrantException", "ExpiredTokenException", "InvalidClientException",
    "UnauthorizedClientException", "AccessDeniedException", "InvalidRequestException",
    "InvalidScopeException", "UnsupportedGrantTypeException",
})


def client(target: SsoTarget) -> Any:
    """An unsigned sso-oidc client in the target's region (AWS_ENDPOINT_URL_SSO_OIDC applies)."""
    from rolecall import aws

    return aws.client("sso-oidc", target.region, profile=target.profile_name)


def endpoint(client_obj: Any) -> str:
    """The base URL of the OIDC service, where the un-modelled /authorize page lives."""
    from rolecall import aws

    return aws.endpoint_of(client_obj).rstrip("/")
