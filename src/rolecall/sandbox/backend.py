"""State and behaviour of the emulated services, independent of HTTP.

Every public ``op_*`` method returns a :class:`Reply` or raises :class:`ApiError`; the HTTP layer
(:mod:`rolecall.sandbox.server`) only parses requests and serialises replies.  All times come from
:meth:`Backend.now`, which includes the clock-offset knob.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from rolecall.sandbox.org import Account, IamRole, Org

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_SHORT = {DEVICE_GRANT: "device_code", "authorization_code": "authorization_code",
               "refresh_token": "refresh_token"}
DEVICE_CODE_TTL = 600
AUTH_CODE_TTL = 300
SIGNIN_TOKEN_TTL = 900
REFRESH_TOKEN_TTL = 90 * 86400
MFA_CODE = "123456"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

_UPPER_ALNUM = string.ascii_uppercase + string.digits
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels, no look-alikes
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")


class ApiError(Exception):
    """An error reply: ``code`` is the wire error name (``InvalidGrantException``, ``AccessDenied``)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


@dataclass
class Reply:
    status: int = 200
    body: Any = None                 # dict → JSON, str/bytes → sent as is
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def iso8601(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def role_id(account_id: str, role_name: str) -> str:
    """A stable, realistic-looking role id (``AROA`` + 17 chars) for an account/role pair."""
    digest = hashlib.sha256(f"{account_id}/{role_name}".encode()).digest()
    return "AROA" + base64.b32encode(digest).decode()[:17]


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


# ---------------------------------------------------------------------------------------- records
@dataclass
class Client:
    client_id: str
    secret: str
    name: str
    issued_at: int
    expires_at: int
    scopes: tuple[str, ...]
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    issuer_url: str | None


@dataclass
class DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    start_url: str
    expires_at: float
    interval: int
    status: str = "pending"          # pending | approved | denied | consumed
    last_poll: float | None = None


@dataclass
class AuthRequest:
    request_id: str
    client_id: str
    redirect_uri: str
    state: str | None
    challenge: str
    scopes: tuple[str, ...]
    status: str = "pending"          # pending | approved | denied
    code: str | None = None


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    challenge: str
    scopes: tuple[str, ...]
    expires_at: float
    used: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    expires_at: float
    refresh_token: str | None
    revoked: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    scopes: tuple[str, ...]
    expires_at: float
    revoked: bool = False


@dataclass
class Creds:
    access_key_id: str
    secret: str
    session_token: str
    account_id: str
    role_name: str
    session_name: str
    expires_at: float
    source: str                      # "sso" | "assume-role"
    chained: bool                    # obtained by AssumeRole from role credentials
    revoked: bool = False            # by the control API: every later call with it is refused

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account_id}:assumed-role/{self.role_name}/{self.session_name}"

    @property
    def user_id(self) -> str:
        return f"{role_id(self.account_id, self.role_name)}:{self.session_name}"


@dataclass
class SigninToken:
    token: str
    access_key_id: str
    expires_at: float


# ----------------------------------------------------------------------------------------- backend
class Backend:
    def __init__(self, org: Org, *, auto_approve: bool = False, token_ttl: int = 8 * 3600,
                 credential_ttl: int = 3600, registration_ttl: int = 90 * 86400,
                 clock_offset: float = 0.0, page_size: int = 5, device_interval: int = 1) -> None:
        self.org = org
        self.auto_approve = auto_approve
        self.token_ttl = int(token_ttl)
        self.credential_ttl = int(credential_ttl)
        self.registration_ttl = int(registration_ttl)
        self.clock_offset = float(clock_offset)
        self.page_size = int(page_size)
        self.device_interval = int(device_interval)
        self.base_url = ""
        self.lock = threading.RLock()
        self.clients: dict[str, Client] = {}
        self.devices: dict[str, DeviceAuth] = {}
        self.user_codes: dict[str, str] = {}
        self.auth_requests: dict[str, AuthRequest] = {}
        self.auth_codes: dict[str, AuthCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.creds: dict[str, Creds] = {}
        self.signin_tokens: dict[str, SigninToken] = {}
        self.console_sessions: dict[str, str] = {}  # console cookie → the access key it signed in

    def now(self) -> float:
        return time.time() + self.clock_offset

    # ------------------------------------------------------------------------------- knobs
    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            for rt in self.refresh_tokens.values():
                rt.revoked = True

    def expire_access_tokens(self) -> None:
        with self.lock:
            for at in self.access_tokens.values():
                at.revoked = True

    def approve_all(self) -> None:
        with self.lock:
            for dev in self.devices.values():
                if dev.status == "pending":
                    dev.status = "approved"
            for req in self.auth_requests.values():
                if req.status == "pending":
                    self._approve_request(req)

    # ------------------------------------------------------------------------------- sso-oidc
    def _oidc_error(self, status: int, name: str, description: str) -> ApiError:
        return ApiError(status, name + "Exception", description,
                        error=_OIDC_ERROR_CODES.get(name, name[0].lower() + name[1:]),
                        error_description=description)

    def op_register_client(self, body: dict) -> Reply:
        name = body.get("clientName")
        if not isinstance(name, str) or not name:
            raise self._oidc_error(400, "InvalidRequest", "clientName is required")
        if body.get("clientType") != "public":
            raise self._oidc_error(400, "InvalidClientMetadata", "clientType must be 'public'")
        scopes = tuple(body.get("scopes") or ())
        for scope in scopes:
            if not isinstance(scope, str) or not re.match(r"^[\w:.\-/]+$", scope):
                raise self._oidc_error(400, "InvalidScope", f"invalid scope {scope!r}")
        grant_types = tuple(body.get("grantTypes") or ())
        for grant in grant_types:
            if grant not in GRANT_SHORT:
                raise self._oidc_error(400, "UnsupportedGrantType", f"unsupported grant type {grant!r}")
        redirect_uris = tuple(body.get("redirectUris") or ())
        for uri in redirect_uris:
            if not _is_loopback_uri(uri):
                raise self._oidc_error(400, "InvalidRedirectUri", f"redirect URI {uri!r} is not a loopback URI")
        if "authorization_code" in grant_types and not redirect_uris:
            raise self._oidc_error(400, "InvalidRequest", "redirectUris are required for authorization_code")
        now = int(self.now())
        client = Client(
            client_id=_rand(string.ascii_letters + string.digits + "-_", 22) + "dXMtZWFzdC0x",
            secret="eyJraWQiOiJzYW5kYm94In0." + secrets.token_urlsafe(96),
            name=name, issued_at=now, expires_at=now + self.registration_ttl,
            scopes=scopes, grant_types=grant_types, redirect_uris=redirect_uris,
            issuer_url=body.get("issuerUrl"),
        )
        with self.lock:
            self.clients[client.client_id] = client
        return Reply(body={"clientId": client.client_id, "clientSecret": client.secret,
                           "clientIdIssuedAt": client.issued_at, "clientSecretExpiresAt": client.expires_at})

    def _check_client(self, body: dict) -> Client:
        client = self.clients.get(body.get("clientId") or "")
        if client is None:
            raise self._oidc_error(401, "InvalidClient", "unknown clientId")
        if not hmac.compare_digest(str(body.get("clientSecret") or ""), client.secret):
            raise self._oidc_error(401, "InvalidClient", "clientSecret does not match clientId")
        if self.now() >= client.expires_at:
            raise self._oidc_error(401, "InvalidClient", "client registration has expired")
        return client

    def op_start_device_authorization(self, body: dict) -> Reply:
        with self.lock:
            client = self._check_client(body)
            if client.grant_types and DEVICE_GRANT not in client.grant_types:
                raise self._oidc_error(400, "UnauthorizedClient", "client is not registered for the device grant")
            start_url = body.get("startUrl")
            if not isinstance(start_url, str) or not start_url:
                raise self._oidc_error(400, "InvalidRequest", "startUrl is required")
            while True:
                user_code = _rand(_USER_CODE_ALPHABET, 4) + "-" + _rand(_USER_CODE_ALPHABET, 4)
                if user_code not in self.user_codes:
                    break
            dev = DeviceAuth(
                device_code=secrets.token_urlsafe(48), user_code=user_code, client_id=client.client_id,
                start_url=start_url, expires_at=self.now() + DEVICE_CODE_TTL, interval=self.device_interval,
                status="approved" if self.auto_approve else "pending",
            )
            self.devices[dev.device_code] = dev
            self.user_codes[user_code] = dev.device_code
        return Reply(body={
            "deviceCode": dev.device_code, "userCode": user_code,
            "verificationUri": f"{self.base_url}/device",
            "verificationUriComplete": f"{self.base_url}/device?user_code={user_code}",
            "expiresIn": DEVICE_CODE_TTL, "interval": dev.interval,
        })

    def op_create_token(self, body: dict) -> Reply:
        with self.lock:
            client = self._check_client(body)
            grant = body.get("grantType")
            if grant not in GRANT_SHORT:
                raise self._oidc_error(400, "UnsupportedGrantType", f"unsupported grantType {grant!r}")
            if client.grant_types and grant not in client.grant_types:
                raise self._oidc_error(400, "UnauthorizedClient", f"client is not registered for {grant}")
            if grant == DEVICE_GRANT:
                scopes = self._grant_device(client, body)
            elif grant == "authorization_code":
                scopes = self._grant_code(client, body)
            else:
                scopes = self._grant_refresh(client, body)
            return Reply(body=self._issue_token(client, scopes))

    def _grant_device(self, client: Client, body: dict) -> tuple[str, ...]:
        dev = self.devices.get(body.get("deviceCode") or "")
        if dev is None or dev.client_id != client.client_id:
            raise self._oidc_error(400, "InvalidGrant", "invalid deviceCode")
        now = self.now()
        if dev.status == "consumed":
            raise self._oidc_error(400, "InvalidGrant", "deviceCode has already been used")
        if now >= dev.expires_at:
            raise self._oidc_error(400, "ExpiredToken", "deviceCode has expired")
        if dev.status == "denied":
            raise self._oidc_error(400, "AccessDenied", "the user denied the authorization request")
        too_fast = dev.last_poll is not None and now - dev.last_poll < dev.interval * 0.9
        dev.last_poll = now
        if dev.status == "pending":
            if too_fast:
                raise self._oidc_error(400, "SlowDown", "polling faster than the interval")
            raise self._oidc_error(400, "AuthorizationPending", "authorization is pending")
        dev.status = "consumed"
        return client.scopes

    def _grant_code(self, client: Client, body: dict) -> tuple[str, ...]:
        code = self.auth_codes.get(body.get("code") or "")
        if code is None or code.client_id != client.client_id:
            raise self._oidc_error(400, "InvalidGrant", "invalid authorization code")
        if code.used:
            raise self._oidc_error(400, "InvalidGrant", "authorization code has already been used")
        if self.now() >= code.expires_at:
            raise self._oidc_error(400, "InvalidGrant", "authorization code has expired")
        if body.get("redirectUri") != code.redirect_uri:
            raise self._oidc_error(400, "InvalidGrant", "redirectUri does not match the authorization request")
        verifier = body.get("codeVerifier")
        if not isinstance(verifier, str) or not verifier:
            raise self._oidc_error(400, "InvalidRequest", "codeVerifier is required")
        if not re.fullmatch(r"[A-Za-z0-9._~-]{43,128}", verifier):
            raise self._oidc_error(400, "InvalidRequest", "codeVerifier must be 43-128 unreserved characters")
        if not hmac.compare_digest(pkce_challenge(verifier), code.challenge):
            raise self._oidc_error(400, "InvalidGrant", "codeVerifier does not match code_challenge")
        code.used = True
        return code.scopes or client.scopes

    def _grant_refresh(self, client: Client, body: dict) -> tuple[str, ...]:
        rt = self.refresh_tokens.get(body.get("refreshToken") or "")
        if rt is None or rt.client_id != client.client_id:
            raise self._oidc_error(400, "InvalidGrant", "invalid refresh token")
        if rt.revoked:
            raise self._oidc_error(400, "InvalidGrant", "refresh token has been revoked")
        if self.now() >= rt.expires_at:
            raise self._oidc_error(400, "InvalidGrant", "refresh token has expired")
        rt.revoked = True  # rotation: a refresh token is single-use
        return rt.scopes

    def _issue_token(self, client: Client, scopes: tuple[str, ...]) -> dict:
        now = self.now()
        refresh = None
        # Like IAM Identity Center: refresh tokens only for clients registered with scopes
        # (or explicitly for the refresh_token grant).
        if scopes or "refresh_token" in client.grant_types:
            refresh = RefreshToken("aorAAAAAG" + secrets.token_urlsafe(96), client.client_id, scopes,
                                   now + REFRESH_TOKEN_TTL)
            self.refresh_tokens[refresh.token] = refresh
        at = AccessToken("aoaAAAAAG" + secrets.token_urlsafe(96), client.client_id, now + self.token_ttl,
                         refresh.token if refresh else None)
        self.access_tokens[at.token] = at
        out = {"accessToken": at.token, "tokenType": "Bearer", "expiresIn": self.token_ttl}
        if refresh:
            out["refreshToken"] = refresh.token
        return out

    # ------------------------------------------------------------------------------- browser side
    def authorize(self, params: dict[str, str]) -> Reply:
        """GET /authorize — the browser leg of the PKCE flow."""
        if params.get("response_type") != "code":
            return html_page(400, "Bad request", "<p>response_type must be <code>code</code>.</p>")
        with self.lock:
            client = self.clients.get(params.get("client_id", ""))
            if client is None or self.now() >= client.expires_at:
                return html_page(400, "Bad request", "<p>Unknown or expired client_id.</p>")
            redirect_uri = params.get("redirect_uri", "")
            if not _is_loopback_uri(redirect_uri) or (
                client.redirect_uris and not any(_same_loopback_target(redirect_uri, r) for r in client.redirect_uris)
            ):
                return html_page(400, "Bad request", "<p>redirect_uri is not a registered loopback URI.</p>")
            if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
                return _redirect(redirect_uri, {"error": "invalid_request",
                                                "error_description": "PKCE S256 code_challenge required",
                                                "state": params.get("state")})
            req = AuthRequest(
                request_id=secrets.token_urlsafe(16), client_id=client.client_id, redirect_uri=redirect_uri,
                state=params.get("state"), challenge=params["code_challenge"],
                scopes=tuple((params.get("scopes") or params.get("scope") or "").split()),
            )
            self.auth_requests[req.request_id] = req
            if self.auto_approve:
                return self._approve_request(req)
        rid = req.request_id
        return html_page(200, "Authorize rolecall sandbox",
                     f"<p>The application <b>{_esc(client.name)}</b> requests access to "
                     f"<b>{_esc(self.org.start_url)}</b>.</p>"
                     f'<p><a id="approve" data-rolecall-approve="1" href="/authorize/approve?request={rid}">Approve</a>'
                     f' &nbsp; <a id="deny" href="/authorize/deny?request={rid}">Deny</a></p>')

    def _approve_request(self, req: AuthRequest) -> Reply:
        code = AuthCode(secrets.token_urlsafe(32), req.client_id, req.redirect_uri, req.challenge,
                        req.scopes, self.now() + AUTH_CODE_TTL)
        self.auth_codes[code.code] = code
        req.status, req.code = "approved", code.code
        return _redirect(req.redirect_uri, {"code": code.code, "state": req.state})

    def authorize_decision(self, request_id: str, approve: bool) -> Reply:
        with self.lock:
            req = self.auth_requests.get(request_id)
            if req is None:
                return html_page(404, "Not found", "<p>Unknown authorization request.</p>")
            if req.status != "pending":
                return html_page(400, "Bad request", f"<p>This request was already {req.status}.</p>")
            if approve:
                return self._approve_request(req)
            req.status = "denied"
            return _redirect(req.redirect_uri, {"error": "access_denied",
                                                "error_description": "The user denied the request",
                                                "state": req.state})

    def device_page(self, params: dict[str, str]) -> Reply:
        """GET /device[?user_code=…] — a browser visiting the verification URI."""
        user_code = (params.get("user_code") or "").strip().upper()
        if not user_code:
            return html_page(200, "Authorize request",
                         '<form method="get" action="/device"><label>Code <input name="user_code"></label>'
                         "<button>Confirm</button></form>")
        with self.lock:
            dev = self.devices.get(self.user_codes.get(user_code, ""))
            if dev is None or self.now() >= dev.expires_at:
                return html_page(400, "Invalid code", f"<p>Code {_esc(user_code)} is invalid or expired.</p>")
            if params.get("action") == "deny":
                if dev.status == "pending":
                    dev.status = "denied"
                return html_page(200, "Request denied", f"<p>Request {_esc(user_code)} denied.</p>")
            if dev.status == "pending":
                dev.status = "approved"
            return html_page(200, "Request approved",
                         f'<p id="approved">Request {_esc(user_code)} approved. You may close this window.</p>')

    # ------------------------------------------------------------------------------- portal
    def _portal_error(self, status: int, name: str, message: str) -> ApiError:
        return ApiError(status, name, message)

    def _bearer(self, token: str | None) -> AccessToken:
        at = self.access_tokens.get(token or "")
        if at is None:
            raise self._portal_error(401, "UnauthorizedException", "Session token not found or invalid")
        if at.revoked or self.now() >= at.expires_at:
            raise self._portal_error(401, "UnauthorizedException", "Session token not found or invalid")
        return at

    def _page(self, items: list, params: dict[str, str], kind: str) -> tuple[list, str | None]:
        size = self.page_size
        raw = params.get("max_result")
        if raw is not None:
            if not raw.isdigit() or not 1 <= int(raw) <= 100:
                raise self._portal_error(400, "InvalidRequestException", "max_result must be between 1 and 100")
            size = int(raw)
        start = 0
        token = params.get("next_token")
        if token:
            try:
                tag, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
                start = int(offset)
                if tag != kind or start < 0:
                    raise ValueError
            except ValueError:
                raise self._portal_error(400, "InvalidRequestException", "invalid next_token") from None
        page = items[start:start + size]
        nxt = None
        if start + size < len(items):
            nxt = base64.urlsafe_b64encode(f"{kind}:{start + size}".encode()).decode()
        return page, nxt

    def op_list_accounts(self, token: str | None, params: dict[str, str]) -> Reply:
        with self.lock:
            self._bearer(token)
        page, nxt = self._page(list(self.org.accounts), params, "accounts")
        body: dict[str, Any] = {"accountList": [
            {"accountId": a.id, "accountName": a.name, "emailAddress": a.email} for a in page]}
        if nxt:
            body["nextToken"] = nxt
        return Reply(body=body)

    def _account(self, account_id: str | None) -> Account:
        account = self.org.account(account_id or "")
        if account is None:
            raise self._portal_error(404, "ResourceNotFoundException", "No access")
        return account

    def op_list_account_roles(self, token: str | None, params: dict[str, str]) -> Reply:
        with self.lock:
            self._bearer(token)
        if not params.get("account_id"):
            raise self._portal_error(400, "InvalidRequestException", "account_id is required")
        account = self._account(params.get("account_id"))
        page, nxt = self._page(list(account.roles), params, "roles-" + account.id)
        body: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account.id} for r in page]}
        if nxt:
            body["nextToken"] = nxt
        return Reply(body=body)

    def op_get_role_credentials(self, token: str | None, params: dict[str, str]) -> Reply:
        with self.lock:
            self._bearer(token)
            if not params.get("account_id") or not params.get("role_name"):
                raise self._portal_error(400, "InvalidRequestException", "account_id and role_name are required")
            account = self._account(params.get("account_id"))
            role = params["role_name"]
            if role not in account.roles:
                raise self._portal_error(404, "ResourceNotFoundException", "No access")
            session = self.org.user.email or self.org.user.name
            creds = self._issue_creds(account.id, role, session, self.credential_ttl, "sso", chained=False)
        return Reply(body={"roleCredentials": {
            "accessKeyId": creds.access_key_id, "secretAccessKey": creds.secret,
            "sessionToken": creds.session_token, "expiration": int(creds.expires_at * 1000)}})

    def op_logout(self, token: str | None) -> Reply:
        with self.lock:
            at = self._bearer(token)
            at.revoked = True
            if at.refresh_token and at.refresh_token in self.refresh_tokens:
                self.refresh_tokens[at.refresh_token].revoked = True
        return Reply(body=None)

    # ------------------------------------------------------------------------------- credentials
    def _issue_creds(self, account_id: str, role: str, session: str, ttl: int, source: str,
                     chained: bool) -> Creds:
        while True:
            akid = "ASIA" + _rand(_UPPER_ALNUM, 16)
            if akid not in self.creds:
                break
        token = base64.b64encode(b"rolecall-sandbox:" + secrets.token_bytes(300)).decode()
        creds = Creds(akid, _rand(_SECRET_ALPHABET, 40), token, account_id, role, session,
                      self.now() + ttl, source, chained)
        self.creds[akid] = creds
        return creds

    def revoke_creds(self, access_key_ids: list[str]) -> int:
        """Refuse these access keys from now on (as deleting a role session's keys would); how many were known."""
        with self.lock:
            known = [self.creds[akid] for akid in access_key_ids if akid in self.creds]
            for creds in known:
                creds.revoked = True
            return len(known)

    def lookup_creds(self, access_key_id: str) -> Creds | None:
        with self.lock:
            return self.creds.get(access_key_id)

    # ------------------------------------------------------------------------------- eks
    def has_cluster(self, account_id: str, region: str, name: str) -> bool:
        account = self.org.account(account_id)
        return account is not None and (name, region) in account.clusters

    def eks_list_clusters(self, caller: Creds, region: str) -> Reply:
        account = self.org.account(caller.account_id)
        names = [name for name, where in (account.clusters if account else ()) if where == region]
        return Reply(body={"clusters": names})

    def eks_describe_cluster(self, caller: Creds, region: str, name: str, kubernetes: Any) -> Reply:
        if not self.has_cluster(caller.account_id, region, name):
            raise ApiError(404, "ResourceNotFoundException", f"No cluster found for name: {name}.")
        arn = f"arn:aws:eks:{region}:{caller.account_id}:cluster/{name}"
        return Reply(body={"cluster": {
            "name": name, "arn": arn, "version": "1.31", "status": "ACTIVE", "createdAt": 1767225600.0,
            "endpoint": kubernetes.endpoint(caller.account_id, region, name),
            "certificateAuthority": {"data": kubernetes.certificate_authority_data},
            "platformVersion": "eks.1", "tags": {}}})

    # ------------------------------------------------------------------------------- sts
    def sts_get_caller_identity(self, caller: Creds, params: dict[str, str]) -> dict[str, str]:
        return {"Arn": caller.arn, "UserId": caller.user_id, "Account": caller.account_id}

    def sts_assume_role(self, caller: Creds, params: dict[str, str]) -> dict[str, Any]:
        role_arn = params.get("RoleArn", "")
        session = params.get("RoleSessionName", "")
        if not role_arn:
            raise _sts_error(400, "ValidationError", "1 validation error detected: Value null at 'roleArn' "
                             "failed to satisfy constraint: Member must not be null")
        if not session:
            raise _sts_error(400, "ValidationError", "1 validation error detected: Value null at "
                             "'roleSessionName' failed to satisfy constraint: Member must not be null")
        if not _SESSION_NAME.match(session):
            raise _sts_error(400, "ValidationError", f"1 validation error detected: Value '{session}' at "
                             "'roleSessionName' failed to satisfy constraint: Member must satisfy regular "
                             "expression pattern: [\\w+=,.@-]*")
        match = _ROLE_ARN.match(role_arn)
        if not match:
            raise _sts_error(400, "ValidationError", f"{role_arn} is invalid")
        duration = 3600
        if "DurationSeconds" in params:
            try:
                duration = int(params["DurationSeconds"])
            except ValueError:
                raise _sts_error(400, "ValidationError", "DurationSeconds must be an integer") from None
            if not 900 <= duration <= 43200:
                raise _sts_error(400, "ValidationError", f"1 validation error detected: Value '{duration}' at "
                                 "'durationSeconds' failed to satisfy constraint: Member must have value "
                                 "greater than or equal to 900 and less than or equal to 43200")
        account_id, role_name = match.groups()
        account = self.org.account(account_id)
        role: IamRole | None = account.iam_role(role_name) if account else None
        denied = (f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}")
        if role is None:
            raise _sts_error(403, "AccessDenied", denied)
        # Every sandbox credential is a role session, so AssumeRole is always role chaining.
        if duration > 3600:
            raise _sts_error(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session "
                             "limit for roles assumed by role chaining.")
        if role.external_id is not None and params.get("ExternalId") != role.external_id:
            raise _sts_error(403, "AccessDenied", denied)
        if role.mfa:
            if not params.get("SerialNumber") or not params.get("TokenCode"):
                raise _sts_error(403, "AccessDenied", denied)
            if params["TokenCode"] != MFA_CODE:
                raise _sts_error(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one "
                                 "time pass code.")
        with self.lock:
            creds = self._issue_creds(account_id, role.name, session, duration, "assume-role", chained=True)
        return {
            "Credentials": {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret,
                            "SessionToken": creds.session_token, "Expiration": iso8601(creds.expires_at)},
            "AssumedRoleUser": {"AssumedRoleId": creds.user_id, "Arn": creds.arn},
        }

    def sts_assume_role_with_web_identity(self, params: dict[str, str]) -> dict[str, Any]:
        """Unsigned, as in STS: the web identity token is the proof. The sandbox's identity provider
        issues tokens that start with WEB_IDENTITY_PREFIX; anything else is InvalidIdentityToken."""
        role_arn, session = params.get("RoleArn", ""), params.get("RoleSessionName", "")
        token = params.get("WebIdentityToken", "")
        if not role_arn or not session or not _SESSION_NAME.match(session):
            raise _sts_error(400, "ValidationError", "RoleArn and a valid RoleSessionName are required")
        if not token.startswith(WEB_IDENTITY_PREFIX):
            raise _sts_error(400, "InvalidIdentityToken", "The web identity token that was passed could not be "
                             "validated by AWS. Get a new identity token from the identity provider and try again.")
        match = _ROLE_ARN.match(role_arn)
        account = self.org.account(match.group(1)) if match else None
        role = account.iam_role(match.group(2)) if account and match else None
        if role is None or match is None:
            raise _sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
        with self.lock:
            creds = self._issue_creds(match.group(1), role.name, session, 3600, "web-identity", chained=False)
        return {
            "Credentials": {"AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret,
                            "SessionToken": creds.session_token, "Expiration": iso8601(creds.expires_at)},
            "SubjectFromWebIdentityToken": token[len(WEB_IDENTITY_PREFIX):][:64] or "subject",
            "AssumedRoleUser": {"AssumedRoleId": creds.user_id, "Arn": creds.arn},
            "Provider": "rolecall-sandbox", "Audience": "sts.amazonaws.com",
        }

    # ------------------------------------------------------------------------------- console
    def get_signin_token(self, params: dict[str, str]) -> Reply:
        try:
            session = json.loads(params.get("Session", ""))
            akid, key, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
        except (ValueError, KeyError, TypeError):
            return _text(400, "Session must be URL-encoded JSON with sessionId, sessionKey and sessionToken")
        with self.lock:
            creds = self.creds.get(akid)
            if creds is None or creds.secret != key or creds.session_token != token:
                return _text(400, "The security token included in the request is invalid")
            if self.now() >= creds.expires_at:
                return _text(400, "The security token included in the request is expired")
            if "SessionDuration" in params:
                raw = params["SessionDuration"]
                if not raw.isdigit() or not 900 <= int(raw) <= 43200:
                    return _text(400, "SessionDuration must be an integer between 900 and 43200")
                if creds.chained:
                    return _text(400, "SessionDuration cannot be used with credentials obtained by role "
                                 "chaining (AssumeRole called with role credentials)")
            st = SigninToken(secrets.token_urlsafe(120), akid, self.now() + SIGNIN_TOKEN_TTL)
            self.signin_tokens[st.token] = st
        return Reply(body={"SigninToken": st.token})

    def console_login(self, params: dict[str, str]) -> Reply:
        """Sign the browser in: like the AWS console, one session per browser profile (a cookie,
        replaced by the next sign-in in the same profile)."""
        with self.lock:
            st = self.signin_tokens.get(params.get("SigninToken", ""))
            if st is None or self.now() >= st.expires_at:
                return html_page(400, "Sign-in failed", "<p>The sign-in token is invalid or expired.</p>")
            creds = self.creds[st.access_key_id]
            session = secrets.token_urlsafe(24)
            self.console_sessions[session] = creds.access_key_id
        page = html_page(200, "Signed in",
                         f'<p id="signed-in">signed in to {_esc(self._console_label(creds))}, '
                         f"destination {_esc(params.get('Destination', ''))}</p>"
                         f"<p>issuer {_esc(params.get('Issuer', ''))}</p>")
        page.headers[CONSOLE_COOKIE_HEADER] = f"{CONSOLE_COOKIE}={session}; Path=/; Max-Age=43200; HttpOnly"
        return page

    def console_page(self, cookie_header: str | None) -> Reply:
        """Who this browser profile is signed in as (the cookie of its last sign-in)."""
        from http.cookies import CookieError, SimpleCookie

        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie_header or "")
        except CookieError:
            pass
        morsel = jar.get(CONSOLE_COOKIE)
        with self.lock:
            key = self.console_sessions.get(morsel.value) if morsel is not None else None
            creds = self.creds.get(key) if key else None
        if creds is None:
            return html_page(200, "Console", '<p id="signed-out">not signed in</p>')
        return html_page(200, "Console", f'<p id="signed-in">signed in to {_esc(self._console_label(creds))}</p>')

    def _console_label(self, creds: Creds) -> str:
        account = self.org.account(creds.account_id)
        return f"{account.name if account else creds.account_id} ({creds.account_id})/{creds.role_name}"


_OIDC_ERROR_CODES = {
    "AuthorizationPending": "authorization_pending", "SlowDown": "slow_down", "ExpiredToken": "expired_token",
    "AccessDenied": "access_denied", "InvalidGrant": "invalid_grant", "InvalidClient": "invalid_client",
    "InvalidRequest": "invalid_request", "InvalidScope": "invalid_scope",
    "UnauthorizedClient": "unauthorized_client", "UnsupportedGrantType": "unsupported_grant_type",
    "InternalServer": "server_error", "InvalidClientMetadata": "invalid_client_metadata",
    "InvalidRedirectUri": "invalid_redirect_uri",
}


def _sts_error(status: int, code: str, message: str) -> ApiError:
    return ApiError(status, code, message)


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


CONSOLE_COOKIE = "sandbox-console-session"
WEB_IDENTITY_PREFIX = "rolecall-sandbox-web-identity:"  # the sandbox identity provider's tokens
CONSOLE_COOKIE_HEADER = "Set-Cookie"


def html_page(status: int, title: str, body: str) -> Reply:
    page = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{_esc(title)}</title></head>"
            f"<body><h1>{_esc(title)}</h1>{body}"
            "<p><small>rolecall sandbox &mdash; a LOCAL EMULATOR, not AWS.</small></p></body></html>")
    return Reply(status=status, body=page, content_type="text/html; charset=utf-8")


def _text(status: int, message: str) -> Reply:
    return Reply(status=status, body=message + "\n", content_type="text/plain; charset=utf-8")


def _redirect(uri: str, params: dict[str, str | None]) -> Reply:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    sep = "&" if urlsplit(uri).query else "?"
    return Reply(status=302, body=b"", content_type="text/plain", headers={"Location": f"{uri}{sep}{query}"})


def _is_loopback_uri(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return False
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS and not parts.fragment


def _same_loopback_target(uri: str, registered: str) -> bool:
    """RFC 8252 §7.3: a loopback redirect matches a registered one whatever its port."""
    a, b = urlsplit(uri), urlsplit(registered)
    return a.scheme == b.scheme and a.hostname == b.hostname and (a.path or "/") == (b.path or "/")


def new_request_id() -> str:
    return str(uuid.uuid4())
