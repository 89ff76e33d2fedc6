"""AWS console sign-in through the federation endpoint.

Temporary credentials → `getSigninToken` → a one-time login URL whose
Destination is the console page for a service and region; then the URL is
opened in a browser, copied to the clipboard, or handed back to the caller.

botocore has no client for the federation endpoint, so this is the one place
rolecall speaks HTTP itself (stdlib urllib). It honours what botocore would:
`AWS_ENDPOINT_URL_SIGNIN` / `AWS_ENDPOINT_URL` (unless
`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`), `AWS_CA_BUNDLE` / the profile's
`ca_bundle`, and the proxy variables (with NO_PROXY; loopback never proxied).

The login URL is a bearer secret for 15 minutes: nothing here logs or prints
it; the caller decides where it goes (`--url` → stdout, nothing else).
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rolecall.console_services import GLOBAL_SERVICES, SERVICES
from rolecall.errors import AwsError, ConfigError, EndpointError, RolecallError, UsageError
from rolecall.hot import MAX_DURATION, MIN_DURATION
from rolecall.term import printable, redacted

ISSUER = "rolecall"
DEFAULT_REGION = "us-east-1"
FEDERATION_TIMEOUT = 10.0  # seconds, per attempt
MAX_ATTEMPTS = 3  # throttling / 5xx / dropped connections are retried
SIGNIN_TOKEN_MINUTES = 15  # how long AWS honours a sign-in token
_MAX_RESPONSE = 64 * 1024


# --------------------------------------------------------------------------
# Partitions and URLs (pure: no network, no environment except the override).


@dataclass(frozen=True)
class Partition:
    name: str
    signin_host: str
    console_host: str
    regional_console: bool  # aws: https://<region>.console.aws.amazon.com/…


AWS = Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", True)
AWS_US_GOV = Partition("aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com", False)
AWS_CN = Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn", False)
AWS_EUSC = Partition("aws-eusc", "signin.amazonaws-eusc.eu", "console.amazonaws-eusc.eu", False)


def partition_for(region: str) -> Partition:
    if region.startswith("us-gov-"):
        return AWS_US_GOV
    if region.startswith("cn-"):
        return AWS_CN
    if region.startswith("eusc-"):
        return AWS_EUSC
    return AWS


def check_destination(url: str, region: str) -> str:
    """A `--destination` must be a console page of the region's partition (https, its console host)."""
    from urllib.parse import urlsplit

    host = partition_for(region).console_host
    try:
        parts = urlsplit(url.strip())
        found = parts.hostname or ""
        port = parts.port
    except ValueError:
        parts, found, port = None, "", None
    if parts is None or parts.scheme != "https" or parts.username or parts.password or port is not None \
            or not (found == host or found.endswith("." + host)):
        raise UsageError(
            f"--destination must be a console page on https://{host} (or https://REGION.{host}) for region "
            f"{region}, not {printable(url)!r}",
            hint=f"for example: --destination 'https://{host}/ec2/home'   (or -s ec2)")
    return url.strip()


def service_path(service: str | None) -> tuple[str, bool]:
    """(console path, is_global) for a shortcut; anything else is a path as given."""
    if not service:
        return "console/home", False
    key = service.strip().lower()
    if key in SERVICES:
        return SERVICES[key], key in GLOBAL_SERVICES
    return service.strip().lstrip("/"), False


def destination_url(service: str | None, region: str) -> str:
    """The console page to land on: `https://<region>.console.aws.amazon.com/<path>?region=<region>`.

    Global services (iam, route53, billing …) get neither the region host nor
    `?region=`. A full https URL is used as given.
    """
    if service and service.strip().lower().startswith("https://"):
        return service.strip()
    from urllib.parse import urlencode, urlsplit, urlunsplit

    path, is_global = service_path(service)
    partition = partition_for(region)
    host = partition.console_host
    if partition.regional_console and not is_global:
        host = f"{region}.{host}"
    # A shortcut may carry a fragment (logs → cloudwatch/home#logsV2:…): the query goes before it.
    parts = urlsplit(f"https://{host}/{path}")
    query = parts.query
    if not is_global:
        query = f"{query}&{urlencode({'region': region})}" if query else urlencode({"region": region})
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def federation_endpoint(region: str) -> str:
    """`<signin base>/federation`: the sandbox/override when configured, else the partition's."""
    base = _configured_endpoint() or f"https://{partition_for(region).signin_host}"
    return base.rstrip("/") + "/federation"


def _configured_endpoint() -> str | None:
    """The explicit signin override, if any.

    Only AWS_ENDPOINT_URL_SIGNIN: getSigninToken carries the secret key in its
    query, and the generic AWS_ENDPOINT_URL usually points at LocalStack or
    MinIO, which must never see it (no SDK sends a secret there either). Plain
    http only to a loopback host.
    """
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    url = os.environ.get("AWS_ENDPOINT_URL_SIGNIN") or None
    if url is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("https", "http") or not host:
        raise ConfigError(f"AWS_ENDPOINT_URL_SIGNIN is not an http(s) URL: {printable(url)!r}",
                          hint="unset AWS_ENDPOINT_URL_SIGNIN   (or set it to https://HOST)")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ConfigError(f"AWS_ENDPOINT_URL_SIGNIN is plain http to {printable(host)!r}: console sign-in sends "
                          "your secret key there, so it must be https (or a loopback address)",
                          hint=f"export AWS_ENDPOINT_URL_SIGNIN=https://{printable(host)}")
    return url


def login_url(endpoint: str, signin_token: str, destination: str, issuer: str = ISSUER) -> str:
    from urllib.parse import urlencode

    query = urlencode({
        "Action": "login",
        "Issuer": issuer,
        "Destination": destination,
        "SigninToken": signin_token,
    })
    return f"{endpoint}?{query}"


def signin_credentials(profile: str | None, *, pick: Any = None, mfa_token: str | None = None,
                       no_login: bool = False, refresh: bool = False) -> Any:
    """The credentials a console signs in with — one rule for `rolecall console` and `assume -c`.

    PROFILE's; without one, the credentials exported in this shell (after
    `assume`), else AWS_PROFILE's, else `pick(config)`'s choice (None: the user
    cancelled). With nothing to go on and no picker: an error saying so.
    """
    from rolecall import awsconfig

    if profile is None:
        from_env = env_credentials()
        if from_env is not None:
            return from_env
        profile = awsconfig.env_profile()
    config = awsconfig.load()
    if profile is None:
        if pick is None:
            raise RolecallError("no profile given and no AWS credentials in this shell",
                                hint="run: rolecall console PROFILE   (see: rolecall list)")
        profile = pick(config)
        if profile is None:
            return None
    config.profile(profile)
    from rolecall.session import resolve

    return resolve(config, profile, mfa_token=mfa_token, no_login=no_login, refresh=refresh)


def check_duration(duration: int | None) -> None:
    if duration is None:
        return
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise UsageError(
            f"--duration must be between {MIN_DURATION} and {MAX_DURATION} seconds (15 minutes to 12 hours), "
            f"got {duration}",
            hint="for example: rolecall console PROFILE --duration 3600",
        )


# --------------------------------------------------------------------------
# Credentials from the environment (`rolecall console` with no profile).


@dataclass(frozen=True)
class SessionCredentials:
    """The attributes open_console needs; rolecall.credentials.Credentials has them too."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None
    expiration: datetime | None = None
    account_id: str | None = None
    role_name: str | None = None
    profile: str | None = None

    def __repr__(self) -> str:  # never show the secrets
        return f"SessionCredentials(access_key_id={self.access_key_id!r}, profile={self.profile!r})"


def env_credentials() -> SessionCredentials | None:
    """The keys exported in this shell, or None when there are none."""
    akid = os.environ.get("AWS_ACCESS_KEY_ID")
    secret = os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not akid and not secret:
        return None
    if not akid or not secret:
        missing = "AWS_SECRET_ACCESS_KEY" if akid else "AWS_ACCESS_KEY_ID"
        raise RolecallError(
            f"{missing} is not set but its partner is: the credentials in this shell are incomplete",
            hint="run: assume PROFILE   (or: rolecall console PROFILE)",
        )
    expiration = None
    raw_exp = os.environ.get("AWS_CREDENTIAL_EXPIRATION")
    if raw_exp:
        from rolecall.clock import parse_timestamp

        try:
            expiration = parse_timestamp(raw_exp)
        except ValueError:
            expiration = None
    return SessionCredentials(akid, secret, os.environ.get("AWS_SESSION_TOKEN") or None, expiration)


# --------------------------------------------------------------------------
# getSigninToken over HTTP.


def request_signin_token(
    credentials: Any,
    endpoint: str,
    *,
    duration: int | None = None,
    ca_bundle: str | None = None,
    who: str = "these credentials",
) -> str:
    """The SigninToken for `credentials` from `<endpoint>?Action=getSigninToken`."""
    session = json.dumps({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key,
        "sessionToken": credentials.session_token,
    })
    params = {"Action": "getSigninToken"}
    if duration is not None:
        params["SessionDuration"] = str(duration)
    params["Session"] = session
    status, body = _get_with_retries(_query_url(endpoint, params), endpoint, ca_bundle)
    if status == 400 and duration is not None:
        # 400 for the duration (chained-role credentials) or for the credentials themselves?
        # Asking again without it tells which; the token of that answer is not used.
        del params["SessionDuration"]
        retry_status, _ = _get_with_retries(_query_url(endpoint, params), endpoint, ca_bundle)
        if retry_status == 200:
            raise AwsError(
                f"the console federation endpoint {endpoint} refused --duration {duration} for {who}: "
                "credentials from a chained role (role → role) cannot set the console session length "
                f"({_first_line(body)})",
                code="SessionDurationNotAllowed",
                hint="run the same command without --duration",
            )
    if status == 400:
        raise AwsError(
            f"the console federation endpoint {endpoint} rejected {who} (HTTP 400: {_first_line(body)})",
            code="InvalidCredentials",
            hint="the credentials may have expired: get fresh ones (assume PROFILE / rolecall login) and retry",
        )
    if status >= 500 or status == 429:
        raise AwsError(
            f"the console federation endpoint {endpoint} failed: HTTP {status} after {MAX_ATTEMPTS} attempts",
            code=f"HTTP{status}", hint="the service is failing or throttling; try again in a minute",
        )
    if status != 200:
        raise AwsError(
            f"the console federation endpoint {endpoint} answered HTTP {status}: {_first_line(body)}",
            code=f"HTTP{status}",
        )
    try:
        token = json.loads(body.decode("utf-8"))["SigninToken"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        token = None
    if not isinstance(token, str) or not token:
        raise EndpointError(
            f"invalid response from {endpoint}: not a getSigninToken answer",
            hint="is AWS_ENDPOINT_URL_SIGNIN pointing at the wrong server?",
        )
    return token


def _query_url(endpoint: str, params: dict[str, str]) -> str:
    """The getSigninToken URL. It holds the secret key: never logged, never in an error."""
    from urllib.parse import urlencode

    return f"{endpoint}?{urlencode(params)}"


class _Dropped(Exception):
    """The connection was closed mid-request: worth another attempt."""


def _get_with_retries(url: str, endpoint: str, ca_bundle: str | None) -> tuple[int, bytes]:
    import time

    opener = _opener(endpoint, ca_bundle)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            status, body = _get(opener, url, endpoint)
        except _Dropped:
            if attempt == MAX_ATTEMPTS:
                raise EndpointError(
                    f"{endpoint} closed the connection ({MAX_ATTEMPTS} attempts)", hint=_NETWORK_HINT,
                ) from None
        else:
            if not (status == 429 or status >= 500) or attempt == MAX_ATTEMPTS:
                return status, body
        time.sleep(0.2 * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


_NETWORK_HINT = "check your network, proxy and AWS_CA_BUNDLE; for the local sandbox: rolecall sandbox start"


def _get(opener: Any, url: str, endpoint: str) -> tuple[int, bytes]:
    import http.client
    import socket
    import ssl
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": ISSUER, "Accept": "application/json"})
    try:
        with opener.open(request, timeout=FEDERATION_TIMEOUT) as response:
            return response.status, response.read(_MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read(_MAX_RESPONSE)
        except OSError:
            body = b""
        return exc.code, body
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead):
        raise _Dropped() from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (http.client.RemoteDisconnected, ConnectionResetError)):
            raise _Dropped() from None
        if isinstance(reason, ssl.SSLError):
            raise EndpointError(
                f"TLS error talking to {endpoint}: {_short(reason)}",
                hint="check AWS_CA_BUNDLE / ca_bundle and any TLS-intercepting proxy",
            ) from None
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise EndpointError(f"timed out talking to {endpoint}", hint=_NETWORK_HINT) from None
        raise EndpointError(f"cannot reach {endpoint}: {_short(reason)}", hint=_NETWORK_HINT) from None
    except ssl.SSLError as exc:
        raise EndpointError(
            f"TLS error talking to {endpoint}: {_short(exc)}",
            hint="check AWS_CA_BUNDLE / ca_bundle and any TLS-intercepting proxy",
        ) from None
    except (socket.timeout, TimeoutError):
        raise EndpointError(f"timed out talking to {endpoint} (after {FEDERATION_TIMEOUT:g} s)",
                            hint=_NETWORK_HINT) from None
    except ValueError as exc:  # a malformed AWS_ENDPOINT_URL_SIGNIN
        raise ConfigError(f"bad console federation endpoint {endpoint!r}: {_short(exc)}",
                          hint="fix AWS_ENDPOINT_URL_SIGNIN (e.g. https://signin.aws.amazon.com)") from None
    except (OSError, http.client.HTTPException) as exc:
        raise EndpointError(f"HTTP error talking to {endpoint}: {type(exc).__name__}",
                            hint=_NETWORK_HINT) from None


def _opener(endpoint: str, ca_bundle: str | None) -> Any:
    import ssl
    import urllib.request
    from urllib.parse import urlsplit

    handlers: list[Any] = []
    if _is_loopback(urlsplit(endpoint).hostname or ""):
        # A proxy can never reach our loopback (the sandbox), whatever NO_PROXY says.
        handlers.append(urllib.request.ProxyHandler({}))
    else:
        handlers.append(urllib.request.ProxyHandler())  # *_proxy / NO_PROXY from the environment
    if ca_bundle:
        try:
            context = ssl.create_default_context(cafile=ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the CA bundle {ca_bundle}: {_short(exc)}",
                hint="point AWS_CA_BUNDLE (or ca_bundle in the profile) at a PEM file",
            ) from None
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _first_line(body: bytes, *secrets: str) -> str:
    """The first line of a program's or server's output, secrets redacted first, then cut."""
    text = redacted(body.decode("utf-8", "replace"), *secrets).strip()
    line = text.splitlines()[0] if text else "no details"
    return printable(line)[:200]


def _short(exc: object) -> str:
    text = str(exc)
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


# --------------------------------------------------------------------------
# Profile facts: region, CA bundle, role chaining.


def _load_profile(name: str | None) -> tuple[Any, Any]:
    """(AwsConfig, Profile) for a named profile; (None, None) for shell credentials."""
    if not name:
        return None, None
    from rolecall import awsconfig

    config = awsconfig.load()
    return config, config.profiles.get(name)


def resolve_region(region: str | None, profile: Any) -> str:
    """-r, else the profile's region, else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.

    Checked whatever its source: it becomes part of a host name and a URL.
    """
    from rolecall import regions

    for value, source in ((region, "--region"), (profile.region if profile is not None else None, "profile"),
                          (os.environ.get("AWS_REGION"), "AWS_REGION"),
                          (os.environ.get("AWS_DEFAULT_REGION"), "AWS_DEFAULT_REGION")):
        if not value:
            continue
        why = regions.problem(value)
        if why is None:
            return value
        if source == "profile":
            name = getattr(profile, "name", "?")
            raise ConfigError(f"region of profile {printable(name)}: {why}", key="region",
                              hint=f"run: rolecall config set {shlex.quote(name)} region us-east-1")
        if source == "--region":
            raise UsageError(f"--region does not look like an AWS region: {why}", hint="for example: -r eu-west-1")
        raise ConfigError(f"{source}: {why}", hint=f"run: export {source}=us-east-1   (or unset {source})")
    return DEFAULT_REGION


def _ca_bundle(profile: Any) -> str | None:
    bundle = os.environ.get("AWS_CA_BUNDLE") or (profile.get("ca_bundle") if profile is not None else None)
    return os.path.expanduser(bundle) if bundle else None


# --------------------------------------------------------------------------
# Delivering the URL: clipboard (the browser: rolecall.browsers).


def copy_to_clipboard(url: str) -> None:
    from rolecall import clipboard

    clipboard.copy(url, instead="rolecall console --url")


def _url_secrets(url: str) -> list[str]:
    """The SigninToken in a login URL, raw and decoded (a browser may print either)."""
    from urllib.parse import parse_qs, quote_plus, urlsplit

    found = []
    for token in parse_qs(urlsplit(url).query).get("SigninToken", []):
        found += [token, quote_plus(token)]
    return found


# --------------------------------------------------------------------------
# The whole thing.


def describe(credentials: Any) -> str:
    """`profile (account/role)` for messages; no secrets."""
    name = getattr(credentials, "profile", None)
    account = getattr(credentials, "account_id", None)
    role = getattr(credentials, "role_name", None)
    where = "/".join(x for x in (account, role) if x)
    if name and where:
        text = f"{name} ({where})"
    else:
        text = name or where or "the credentials in this shell"
    # Profile names may hold control characters: never let them reach a terminal raw.
    return printable(text)


def sign_in_url(
    credentials: Any,
    *,
    service: str | None = None,
    region: str | None = None,
    duration: int | None = None,
    destination: str | None = None,
) -> str:
    """The one-time console login URL for `credentials` (a secret: handle with care)."""
    check_duration(duration)
    if destination is not None and service is not None:
        raise UsageError("--destination and -s/--service both name the page to open; give one",
                         hint="keep -s SERVICE, or the full URL in --destination")
    profile_name = getattr(credentials, "profile", None)
    who = f"profile {profile_name}" if profile_name else "the credentials in this shell"
    if not getattr(credentials, "session_token", None):
        raise RolecallError(
            f"{who} has long-term access keys (no session token); "
            "console sign-in needs temporary credentials",
            hint="use an SSO or role profile: rolecall console PROFILE   (or: assume PROFILE, then rolecall console)",
        )
    expiration = getattr(credentials, "expiration", None)
    if expiration is not None:
        from rolecall import clock

        if expiration <= clock.utcnow():
            raise RolecallError(
                f"{who} expired at {clock.format_timestamp(expiration)}",
                hint=f"get fresh ones: {'rolecall console ' + _quote(profile_name) if profile_name else 'assume PROFILE'}",
            )
    config, profile = _load_profile(profile_name)
    if duration is not None and profile is not None:
        chain = config.chained_role_path(profile.name)
        if chain is not None:
            raise UsageError(
                f"profile {profile.name} gets its credentials by role chaining ({' → '.join(chain)}); "
                "AWS does not let such console sessions set --duration (they last at most 1 hour)",
                hint=f"run without --duration: rolecall console {_quote(profile.name)}",
            )
    region = resolve_region(region, profile)
    page = check_destination(destination, region) if destination is not None else destination_url(service, region)
    endpoint = federation_endpoint(region)
    token = request_signin_token(credentials, endpoint, duration=duration, ca_bundle=_ca_bundle(profile), who=who)
    return login_url(endpoint, token, page)


@dataclass(frozen=True)
class Opened:
    """What open_console did: `url` is for the caller to print (--url, or the stdout browser)."""

    url: str | None
    browser: str  # the browser name (rolecall.browsers.NAMES)
    isolation: str | None  # its browser profile / container (None: the browser cannot isolate)
    copied: bool = False


def isolation_name(credentials: Any, override: str | None = None) -> str:
    """The browser profile a console opens in: --browser-profile, else the profile's
    `rolecall_browser_profile`, else the profile's name (shell credentials: ROLECALL_PROFILE)."""
    if override:
        return override
    name = getattr(credentials, "profile", None)
    if name:
        _, profile = _load_profile(name)
        configured = profile.get("rolecall_browser_profile") if profile is not None else None
        return configured or name
    return os.environ.get("ROLECALL_PROFILE") or "default"


def open_console(
    credentials: Any,
    *,
    service: str | None = None,
    region: str | None = None,
    url_only: bool = False,
    copy: bool = False,
    duration: int | None = None,
    destination: str | None = None,
    browser_name: str | None = None,
    browser_profile: str | None = None,
) -> Opened:
    """Sign `credentials` in to the console.

    url_only (or the `stdout` browser) → the URL is returned for the caller to
    print; copy → put on the clipboard; otherwise opened in the remembered
    browser (or `browser_name` for this call), in the browser profile or
    container of its own. Prints nothing: stdout may be a shell's eval.
    """
    from rolecall import browsers, settings

    chosen = browsers.for_call(browser_name, browsers.from_settings(settings.load().get("browser")))
    url = sign_in_url(credentials, service=service, region=region, duration=duration, destination=destination)
    isolation = isolation_name(credentials, browser_profile) if chosen.isolates or chosen.name == "stdout" else None
    if copy:
        copy_to_clipboard(url)
        return Opened(url if url_only else None, chosen.name, isolation, copied=True)
    if url_only or chosen.name == "stdout":
        return Opened(url, chosen.name, isolation)
    browsers.open_in(chosen, url, isolation or "default", secrets=[url, *_url_secrets(url)],
                     instead="rolecall console --url  (or --copy)")
    return Opened(None, chosen.name, isolation)


def opened_message(who: str, opened: Opened) -> str:
    """The one line both `console` and `assume -c` say on stderr."""
    if opened.copied:
        return f"rolecall: console sign-in URL for {who} copied to the clipboard (valid {SIGNIN_TOKEN_MINUTES} minutes)"
    where = f"browser profile {printable(opened.isolation)}" if opened.isolation else ""
    if opened.browser == "firefox" and opened.isolation:
        where = f"container {printable(opened.isolation)}"
    if opened.url is not None:
        return (f"rolecall: console sign-in URL for {who}" + (f" [{where}]" if opened.browser == "stdout" else "")
                + f", valid {SIGNIN_TOKEN_MINUTES} minutes")
    if opened.browser == "default":
        return f"rolecall: opened the AWS console for {who}"
    return f"rolecall: opened the AWS console for {who} in {opened.browser}" + (f" [{where}]" if where else "")


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)
