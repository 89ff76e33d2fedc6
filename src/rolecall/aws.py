"""The one place rolecall talks to AWS: botocore clients and error translation.

Every AWS call goes through a botocore client, so endpoints (including
`AWS_ENDPOINT_URL_SSO` / `_SSO_OIDC` / `_STS`), retries (standard mode: 429
and 5xx with backoff), `AWS_CA_BUNDLE` and proxies behave exactly as in the
AWS CLI. botocore is imported lazily: it costs ~100 ms and the hot paths
(credential-process cache hit, completion) must not pay it.

botocore exceptions are translated here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from rolecall.errors import AwsError, EndpointError

USER_AGENT = "rolecall"
MAX_ATTEMPTS = 4  # in total (standard mode): 3 retries with jittered backoff for 429, 5xx, connection errors
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30  # seconds; ROLECALL_READ_TIMEOUT overrides it (documented in README)


def _read_timeout() -> float:
    import os

    try:
        return float(os.environ.get("ROLECALL_READ_TIMEOUT") or READ_TIMEOUT)
    except ValueError:
        return READ_TIMEOUT


def client(
    service: str,
    region: str | None,
    *,
    profile: str | None = None,
    credentials: Any = None,
    unsigned: bool | None = None,
    read_timeout: float | None = None,
    attempts: int | None = None,
) -> Any:
    """A botocore client for `service` in `region`.

    `profile` selects which profile's settings (ca_bundle, endpoint_url,
    services…) apply, as botocore's own providers do; without one the default
    profile's settings apply, whatever AWS_PROFILE says (it may name the very
    profile being resolved, or one that does not exist).
    `credentials` (an object with access_key_id/secret_access_key/session_token)
    signs the calls; sso and sso-oidc are unsigned.
    """
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import InvalidRegionError, ProfileNotFound

    if unsigned is None:
        unsigned = service in ("sso", "sso-oidc")
    config = Config(
        signature_version=UNSIGNED if unsigned else None,
        retries={"mode": "standard", "total_max_attempts": attempts or MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout or _read_timeout(),
        user_agent_extra=USER_AGENT,
        region_name=region,
    )
    session = None
    if profile:
        try:
            session = botocore.session.Session(profile=profile)
            session.get_scoped_config()
        except ProfileNotFound:
            session = None
    if session is None:
        # No profile: the [default] settings (if any), never AWS_PROFILE's.
        session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if credentials is not None:
        kwargs["aws_access_key_id"] = credentials.access_key_id
        kwargs["aws_secret_access_key"] = credentials.secret_access_key
        kwargs["aws_session_token"] = credentials.session_token
    elif unsigned:
        # Never let botocore go looking for credentials for an unsigned client.
        kwargs["aws_access_key_id"] = kwargs["aws_secret_access_key"] = None
    try:
        return session.create_client(service, **kwargs)
    except InvalidRegionError:
        from rolecall.errors import ConfigError

        raise ConfigError(
            f"invalid region {region!r} for {service} (from the profile, its sso-session or AWS_REGION)",
            hint="use a region code such as us-east-1: rolecall config show PROFILE",
        ) from None


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError (None for anything else)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def endpoint_of(client_obj: Any) -> str:
    try:
        return client_obj.meta.endpoint_url
    except AttributeError:
        return "the AWS endpoint"


def call(client_obj: Any, operation: str, *, require: tuple[str, ...] = (), **kwargs: Any) -> dict:
    """`client.<operation>(**kwargs)` with botocore failures translated.

    ClientError → AwsError (with `.code`); unreachable/slow/TLS/garbage →
    EndpointError naming the endpoint; so is a 200 answer lacking a
    `require`d key. Callers that give some codes a meaning
    (UnauthorizedException → LoginRequired …) check `AwsError.code`.
    """
    try:
        response = getattr(client_obj, operation)(**kwargs)
    except Exception as exc:  # translated below, re-raised if unknown
        translated = translate(exc, client_obj, operation)
        if translated is exc:
            raise
        raise translated from exc
    # botocore's rest-json parser accepts a garbage 200 body as an empty answer.
    missing = [key for key in require if response.get(key) in (None, "")]
    if missing:
        raise EndpointError(
            f"invalid response from {endpoint_of(client_obj)} ({operation}): no {', '.join(missing)}",
            hint="is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?",
        )
    return response


def translate(exc: BaseException, client_obj: Any, operation: str) -> BaseException:
    from botocore import exceptions as bx

    endpoint = endpoint_of(client_obj)
    service = getattr(getattr(client_obj, "meta", None), "service_model", None)
    service_name = service.service_name if service is not None else "aws"
    env_hint = (
        "check your network, proxy and AWS_CA_BUNDLE; for the local sandbox: rolecall sandbox start"
    )
    if isinstance(exc, bx.ClientError):
        code = _one_line(error_code(exc) or "Unknown")
        # A proxy or a wrong endpoint may answer with a whole HTML page: one line of it.
        message = _one_line(exc.response.get("Error", {}).get("Message") or code)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        text = f"{service_name} {operation} failed: {code}: {message}"
        if status and status >= 500:
            return AwsError(text + f" (HTTP {status} from {endpoint}, after retries)", code=code,
                            hint="the service is failing; try again in a minute")
        if code in ("TooManyRequestsException", "Throttling", "ThrottlingException", "SlowDownException"):
            return AwsError(text + f" (still throttled by {endpoint} after retries)", code=code,
                            hint="wait a minute and run the command again")
        return AwsError(text, code=code)
    if isinstance(exc, bx.ParamValidationError):
        from rolecall.errors import UsageError

        return UsageError(f"{service_name} {operation}: invalid parameters: {_one_line(str(exc), 300)}",
                          hint="check the profile's values: rolecall config show PROFILE")
    if isinstance(exc, bx.SSLError):
        return EndpointError(
            f"TLS error talking to {endpoint} ({operation}): {_short(exc)}",
            hint="check AWS_CA_BUNDLE / ca_bundle and any TLS-intercepting proxy",
        )
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        return EndpointError(f"timed out talking to {endpoint} ({operation})", hint=env_hint)
    if isinstance(exc, (bx.EndpointConnectionError, bx.ProxyConnectionError, bx.ConnectionClosedError)):
        return EndpointError(f"cannot reach {endpoint} ({operation}): connection failed", hint=env_hint)
    if isinstance(exc, bx.HTTPClientError):
        return EndpointError(f"HTTP error talking to {endpoint} ({operation}): {_short(exc)}", hint=env_hint)
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ResponseParserError):
        return EndpointError(
            f"invalid response from {endpoint} ({operation}): not what the {service_name} API returns",
            hint="is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?",
        )
    if isinstance(exc, bx.NoRegionError):
        return AwsError(f"no region for {service_name}", hint="set region in the profile or AWS_REGION")
    if isinstance(exc, bx.BotoCoreError):
        return EndpointError(f"{service_name} {operation} failed: {_short(exc)}", hint=env_hint)
    return exc


def _one_line(text: str, limit: int = 200) -> str:
    """First non-empty line, printable, at most `limit` characters."""
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    from rolecall.term import printable

    line = printable(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
