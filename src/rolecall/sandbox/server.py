"""`Sandbox`: a local IAM Identity Center / STS / console-federation emulator on one loopback port.

    with Sandbox(auto_approve=True) as sb:
        os.environ.update(sb.env())     # botocore now talks to the sandbox
        ...

It speaks the wire protocols botocore expects (rest-json for sso + sso-oidc, query/XML for STS,
the console federation endpoint), with knobs for faults, latency, clock skew and token revocation.
This is a test double: it binds to loopback only and never talks to AWS.
"""

from __future__ import annotations

import calendar
import hmac
import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from rolecall.sandbox.backend import GRANT_SHORT, ApiError, Backend, Creds, Reply, html_page, new_request_id
from rolecall.sandbox.org import Org, load_org

log = logging.getLogger("rolecall.sandbox")

STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
# "delay" waits before the request is handled; "slow_reply" handles it at once and
# waits before the answer goes out (the server acted, the client has not heard yet).
FAULT_KINDS = ("throttle", "error500", "delay", "slow_reply", "invalid_json", "close")
OPERATIONS = (
    "RegisterClient", "StartDeviceAuthorization", "CreateToken",
    "GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout",
    "AssumeRole", "GetCallerIdentity", "GetSigninToken", "ListClusters", "DescribeCluster",
    "AssumeRoleWithWebIdentity",
)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
PRESIGNED_MAX_AGE = 15 * 60



@dataclass
class _Fault:
    kind: str
    remaining: int
    delay: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True  # rebind the last port over TIME_WAIT (never a second listener)

    def __init__(self, address, handler, sandbox: "Sandbox") -> None:
        self.sandbox = sandbox
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        with self.conn_lock:
            conns = list(self.connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):  # quiet: clients hanging up is normal here
        log.debug("error while handling a request from %s", client_address, exc_info=True)


class Sandbox:
    """A local, in-process IAM Identity Center emulator (see module docstring)."""

    def __init__(self, org: Org | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 auto_approve: bool = False, token_ttl: int = 8 * 3600, credential_ttl: int = 3600,
                 registration_ttl: int = 90 * 86400, clock_offset: float = 0.0, latency: float = 0.0,
                 page_size: int = 5, device_interval: int = 1) -> None:
        if host not in LOOPBACK:
            raise ValueError(f"the sandbox only binds to loopback, not {host!r}")
        self.org = org if org is not None else load_org()
        self.host = host
        self.port = port
        self.latency = float(latency)
        self.backend = Backend(self.org, auto_approve=auto_approve, token_ttl=token_ttl,
                               credential_ttl=credential_ttl, registration_ttl=registration_ttl,
                               clock_offset=clock_offset, page_size=page_size, device_interval=device_interval)
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._faults: dict[str, list[_Fault]] = {}
        self._kubernetes: Any = None

    # ------------------------------------------------------------------------------- lifecycle
    def start(self) -> "Sandbox":
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler, self)
        port = self._server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        self.port = port
        self.backend.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"rolecall-sandbox-{port}", daemon=True)
        self._thread.start()
        return self

    def kubernetes(self) -> Any:
        """The EKS clusters' Kubernetes API (TLS, a CA of its own), started on first use."""
        with self._lock:
            if self._kubernetes is None:
                from rolecall.sandbox.kubernetes import KubernetesApi

                self._kubernetes = KubernetesApi(self)
            return self._kubernetes

    def stop(self) -> None:
        with self._lock:
            kube, self._kubernetes = self._kubernetes, None
        if kube is not None:
            kube.stop()
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_all_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Block until stop() is called from another thread (or KeyboardInterrupt)."""
        self.start()
        assert self._thread is not None
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Sandbox {self.url or 'not started'} accounts={len(self.org.accounts)}>"

    def env(self) -> dict[str, str]:
        if not self.url:
            raise RuntimeError("Sandbox.env() called before start()")
        from rolecall.sandbox.profiles import ENDPOINT_VARS

        return {name: self.url for name in ENDPOINT_VARS}

    # ------------------------------------------------------------------------------- knobs
    def inject_fault(self, operation: str, kind: str, count: int = 1, delay: float = 0.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
        if operation != "*" and operation not in OPERATIONS and operation != "ConsoleLogin":
            raise ValueError(f"unknown operation {operation!r}; expected one of {', '.join(OPERATIONS)} or '*'")
        if count < 1:
            raise ValueError("count must be >= 1")
        with self._lock:
            self._faults.setdefault(operation, []).append(_Fault(kind, int(count), float(delay)))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, operation: str) -> _Fault | None:
        with self._lock:
            for key in (operation, "*"):
                queue = self._faults.get(key)
                if key == "*" and operation not in OPERATIONS:
                    continue
                while queue:
                    fault = queue[0]
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.pop(0)
                    return fault
        return None

    def _record(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._counts[name] += 1

    def count(self, operation: str) -> int:
        with self._lock:
            return self._counts.get(operation, 0)

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()

    def revoke_refresh_tokens(self) -> None:
        self.backend.revoke_refresh_tokens()

    def expire_access_tokens(self) -> None:
        self.backend.expire_access_tokens()

    def revoke_credentials(self, access_key_ids: list[str]) -> int:
        return self.backend.revoke_creds(list(access_key_ids))

    def set_clock_offset(self, seconds: float) -> None:
        self.backend.clock_offset = float(seconds)

    @property
    def clock_offset(self) -> float:
        return self.backend.clock_offset

    def set_latency(self, seconds: float) -> None:
        self.latency = float(seconds)

    def set_auto_approve(self, on: bool) -> None:
        self.backend.auto_approve = bool(on)

    @property
    def auto_approve(self) -> bool:
        return self.backend.auto_approve

    def approve_all(self) -> None:
        self.backend.approve_all()

    def now(self) -> float:
        """The sandbox's clock (real time + clock offset)."""
        return self.backend.now()

    def configure(self, **settings: Any) -> dict[str, Any]:
        """Apply the settings of ``POST /_sandbox/config``; returns the current values."""
        if "clock_offset" in settings:
            self.set_clock_offset(settings["clock_offset"])
        if "latency" in settings:
            self.set_latency(settings["latency"])
        if "auto_approve" in settings:
            self.set_auto_approve(settings["auto_approve"])
        if "page_size" in settings:
            self.backend.page_size = int(settings["page_size"])
        if "device_interval" in settings:
            self.backend.device_interval = int(settings["device_interval"])
        if "credential_ttl" in settings:
            self.backend.credential_ttl = int(settings["credential_ttl"])
        return {"clock_offset": self.clock_offset, "latency": self.latency, "auto_approve": self.auto_approve,
                "page_size": self.backend.page_size, "device_interval": self.backend.device_interval,
                "credential_ttl": self.backend.credential_ttl}


# ------------------------------------------------------------------------------------------- HTTP
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "rolecall-sandbox/1"

    def version_string(self) -> str:
        return self.server_version
    timeout = 60  # idle keep-alive connections are dropped after this
    server: _Server

    # quiet logging through `logging`
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        if timestamp is None:
            timestamp = self.server.sandbox.now()
        return formatdate(timestamp, usegmt=True)

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle + delayed ACK add ~40 ms a call
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    @property
    def sandbox(self) -> Sandbox:
        return self.server.sandbox

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # ------------------------------------------------------------------------------- plumbing
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None,
              request_id: str | None = None) -> None:
        if getattr(self, "_reply_delay", 0.0) > 0:
            time.sleep(self._reply_delay)
        self.send_response(status)
        rid = request_id or new_request_id()
        self.send_header("x-amzn-RequestId", rid)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_reply(self, reply: Reply, request_id: str) -> None:
        body = reply.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = json.dumps(body).encode("utf-8")
        self._send(reply.status, data, reply.content_type, reply.headers, request_id)

    def _send_api_error(self, family: str, err: ApiError, request_id: str) -> None:
        if family in ("sts", "sts-query"):
            self._send(err.status, _sts_error_xml(err, request_id).encode(), "text/xml", request_id=request_id)
        elif family == "signin":
            self._send(err.status, (err.message + "\n").encode(), "text/plain; charset=utf-8",
                       request_id=request_id)
        else:
            body = {k: v for k, v in err.extra.items()} or {"message": err.message}
            if family in ("portal", "eks"):
                body = {"message": err.message}
            self._send(err.status, json.dumps(body).encode(), "application/json",
                       {"x-amzn-ErrorType": err.code}, request_id)

    # ------------------------------------------------------------------------------- routing
    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        body = self._read_body()
        if path.startswith("/_sandbox/"):
            return self._control(method, path, query, body)
        operation, family = self._route(method, path, query, body)
        request_id = new_request_id()
        sandbox = self.sandbox
        names = [operation]
        if operation == "CreateToken":
            grant = (_json_body(body) or {}).get("grantType") if body else None
            names.append(f"CreateToken:{GRANT_SHORT.get(str(grant), grant)}")
        sandbox._record(*names)
        if sandbox.latency > 0:
            time.sleep(sandbox.latency)
        fault = sandbox._take_fault(operation) if operation != "NotFound" else None
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.delay)
            fault = None
        self._reply_delay = 0.0
        if fault is not None and fault.kind == "slow_reply":
            self._reply_delay = fault.delay
            fault = None
        if fault is not None:
            return self._fault(fault, family, request_id)
        try:
            self._handle(operation, family, method, path, query, body, request_id)
        except ApiError as err:
            self._send_api_error(family, err, request_id)
        except Exception:  # a bug in the sandbox: answer 500 like AWS would, keep serving
            log.exception("sandbox failure in %s", operation)
            self._send_api_error(family, _internal_error(family), request_id)

    def _route(self, method: str, path: str, query: dict, body: bytes) -> tuple[str, str]:
        table = {
            ("POST", "/client/register"): ("RegisterClient", "oidc"),
            ("POST", "/device_authorization"): ("StartDeviceAuthorization", "oidc"),
            ("POST", "/token"): ("CreateToken", "oidc"),
            ("GET", "/authorize"): ("Authorize", "html"),
            ("GET", "/authorize/approve"): ("AuthorizeApprove", "html"),
            ("GET", "/authorize/deny"): ("AuthorizeDeny", "html"),
            ("GET", "/device"): ("DeviceVerification", "html"),
            ("GET", "/federation/credentials"): ("GetRoleCredentials", "portal"),
            ("GET", "/assignment/accounts"): ("ListAccounts", "portal"),
            ("GET", "/assignment/roles"): ("ListAccountRoles", "portal"),
            ("POST", "/logout"): ("Logout", "portal"),
            ("GET", "/"): ("Index", "html"),
            ("GET", "/console"): ("ConsolePage", "html"),
        }
        if method == "GET" and path == "/" and "Action" in query:  # a presigned STS URL (EKS tokens)
            return ("GetCallerIdentity" if query["Action"] == "GetCallerIdentity" else
                    f"STS:{query['Action'] or '?'}"), "sts-query"
        if (method, path) in table:
            return table[(method, path)]
        if method == "GET" and path == "/clusters":
            return "ListClusters", "eks"
        if method == "GET" and path.startswith("/clusters/") and path.count("/") == 2:
            return "DescribeCluster", "eks"
        if path == "/federation" and method == "GET":
            action = query.get("Action", "")
            if action == "getSigninToken":
                return "GetSigninToken", "signin"
            if action == "login":
                return "ConsoleLogin", "signin"
            return "Federation", "signin"
        if path == "/" and method == "POST":
            action = _form(body).get("Action", "")
            return (action if action in ("AssumeRole", "GetCallerIdentity", "AssumeRoleWithWebIdentity")
                    else f"STS:{action or '?'}"), "sts"
        return "NotFound", "html"

    def _handle(self, operation: str, family: str, method: str, path: str, query: dict, body: bytes,
                request_id: str) -> None:
        backend = self.sandbox.backend
        if family == "oidc":
            if operation == "CreateToken" and "aws_iam" in query:
                raise ApiError(400, "InvalidRequestException", "CreateTokenWithIAM is not emulated",
                               error="invalid_request", error_description="CreateTokenWithIAM is not emulated")
            data = _json_body(body)
            if data is None:
                raise ApiError(400, "InvalidRequestException", "request body must be a JSON object",
                               error="invalid_request", error_description="request body must be a JSON object")
            handler = {"RegisterClient": backend.op_register_client,
                       "StartDeviceAuthorization": backend.op_start_device_authorization,
                       "CreateToken": backend.op_create_token}[operation]
            return self._send_reply(handler(data), request_id)
        if family == "portal":
            token = self.headers.get("x-amz-sso_bearer_token")
            if operation == "Logout":
                reply = backend.op_logout(token)
            else:
                reply = {"GetRoleCredentials": backend.op_get_role_credentials,
                         "ListAccounts": backend.op_list_accounts,
                         "ListAccountRoles": backend.op_list_account_roles}[operation](token, query)
            return self._send_reply(reply, request_id)
        if family == "sts":
            return self._sts(operation, body, request_id)
        if family == "sts-query":
            return self._sts_query(operation, query, request_id)
        if family == "eks":
            caller = self._verify_sigv4(body)
            region = self._signed_region
            if operation == "ListClusters":
                return self._send_reply(backend.eks_list_clusters(caller, region), request_id)
            name = unquote(path[len("/clusters/"):])
            return self._send_reply(backend.eks_describe_cluster(caller, region, name, self.sandbox.kubernetes()),
                                    request_id)
        if family == "signin":
            if operation == "GetSigninToken":
                return self._send_reply(backend.get_signin_token(query), request_id)
            if operation == "ConsoleLogin":
                return self._send_reply(backend.console_login(query), request_id)
            raise ApiError(400, "InvalidAction", "Action must be getSigninToken or login")
        # browser pages
        if operation == "Authorize":
            return self._send_reply(backend.authorize(query), request_id)
        if operation in ("AuthorizeApprove", "AuthorizeDeny"):
            reply = backend.authorize_decision(query.get("request", ""), operation == "AuthorizeApprove")
            return self._send_reply(reply, request_id)
        if operation == "ConsolePage":
            return self._send_reply(backend.console_page(self.headers.get("Cookie")), request_id)
        if operation == "DeviceVerification":
            return self._send_reply(backend.device_page(query), request_id)
        if operation == "Index":
            return self._send_reply(html_page(200, "rolecall sandbox",
                                          f"<p>Local IAM Identity Center emulator serving "
                                          f"{len(self.sandbox.org.accounts)} accounts.</p>"), request_id)
        self._send(404, json.dumps({"message": f"no route for {method} {path}"}).encode(), "application/json",
                   {"x-amzn-ErrorType": "UnknownOperationException"}, request_id)

    # ------------------------------------------------------------------------------- STS
    def _sts(self, operation: str, body: bytes, request_id: str) -> None:
        params = _form(body)
        if operation.startswith("STS:"):
            raise ApiError(400, "InvalidAction", f"Could not find operation {params.get('Action')} for version "
                           f"{params.get('Version')}")
        backend = self.sandbox.backend
        if operation == "AssumeRoleWithWebIdentity":  # unsigned: the token is the proof
            result = backend.sts_assume_role_with_web_identity(params)
        else:
            caller = self._verify_sigv4(body)
            self.sandbox._record(f"{operation}@{self._signed_region}")  # (which region a client signed for)
            if operation == "GetCallerIdentity":
                result = backend.sts_get_caller_identity(caller, params)
            else:
                result = backend.sts_assume_role(caller, params)
        self._send_sts_result(operation, result, request_id)

    def _send_sts_result(self, operation: str, result: dict, request_id: str) -> None:
        """STS's query-protocol answer: `<OpResponse><OpResult>…` as XML."""
        xml = (f'<{operation}Response xmlns="{STS_NS}">\n  <{operation}Result>\n'
               f"{_to_xml(result, 4)}  </{operation}Result>\n"
               f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n"
               f"</{operation}Response>\n")
        self._send(200, xml.encode(), "text/xml", request_id=request_id)

    def _signed_header_values(self, names: list[str]) -> dict[str, str]:
        """The request's values of the headers a signature covers (a missing one: no match)."""
        headers = {}
        for name in names:
            values = self.headers.get_all(name)
            if values is None:
                raise ApiError(403, "SignatureDoesNotMatch", f"Signed header {name} is missing")
            headers[name] = ",".join(values)
        return headers

    def _verify_sigv4(self, body: bytes) -> Creds:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        auth = self.headers.get("Authorization", "")
        if not auth:
            raise ApiError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
        algorithm, _, rest = auth.partition(" ")
        if algorithm != "AWS4-HMAC-SHA256":
            raise ApiError(400, "IncompleteSignature", f"Unsupported AWS 'algorithm': '{algorithm}'")
        fields = {}
        for part in rest.split(","):
            key, _, value = part.strip().partition("=")
            fields[key] = value
        try:
            akid, date, region, service, terminal = fields["Credential"].split("/")
            signed_headers = fields["SignedHeaders"].split(";")
            signature = fields["Signature"]
        except (KeyError, ValueError):
            raise ApiError(400, "IncompleteSignature", "Authorization header is malformed") from None
        amz_date = self.headers.get("X-Amz-Date", "")
        if terminal != "aws4_request" or not amz_date.startswith(date) or "host" not in signed_headers:
            raise ApiError(400, "IncompleteSignature", "Authorization header is malformed")
        self._signed_region = region
        creds = self.sandbox.backend.lookup_creds(akid)
        if creds is None or creds.revoked:
            raise ApiError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        if self.headers.get("X-Amz-Security-Token") != creds.session_token:
            raise ApiError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        headers = self._signed_header_values(signed_headers)
        request = AWSRequest(method=self.command, url=f"http://{headers['host']}{self.path}",
                             headers=headers, data=body)
        signer = SigV4Auth(Credentials(akid, creds.secret, creds.session_token), service, region)
        _check_signature(signer, request, amz_date, signature)
        if self.sandbox.backend.now() >= creds.expires_at:
            raise ApiError(403, "ExpiredToken", "The security token included in the request is expired")
        return creds

    def _sts_query(self, operation: str, query: dict, request_id: str) -> None:
        """GET with SigV4 query auth: how EKS tokens reach STS. JSON when asked for, as STS does."""
        if operation.startswith("STS:"):
            raise ApiError(400, "InvalidAction", f"Could not find operation {query.get('Action')}")
        caller = self._verify_presigned(query)
        result = self.sandbox.backend.sts_get_caller_identity(caller, query)
        if "json" in self.headers.get("Accept", ""):
            payload = {"GetCallerIdentityResponse": {"GetCallerIdentityResult": result,
                                                     "ResponseMetadata": {"RequestId": request_id}}}
            return self._send(200, json.dumps(payload).encode(), "application/json", request_id=request_id)
        self._send_sts_result("GetCallerIdentity", result, request_id)

    def _verify_presigned(self, query: dict) -> Creds:
        """SigV4 query auth (botocore's SigV4QueryAuth, checked with its own canonical request).

        The URL is accepted up to PRESIGNED_MAX_AGE after X-Amz-Date, as STS accepts
        GetCallerIdentity URLs (the reason EKS tokens live 15 minutes whatever X-Amz-Expires says).
        """
        from botocore.auth import SigV4QueryAuth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        try:
            akid, date, region, service, terminal = query["X-Amz-Credential"].split("/")
            signed_headers = query["X-Amz-SignedHeaders"].split(";")
            signature = query["X-Amz-Signature"]
            amz_date = query["X-Amz-Date"]
            expires = int(query["X-Amz-Expires"])
        except (KeyError, ValueError):
            raise ApiError(403, "AccessDenied", "Request is missing or has a malformed query signature") from None
        if query.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or terminal != "aws4_request" \
                or not amz_date.startswith(date) or "host" not in signed_headers:
            raise ApiError(400, "IncompleteSignature", "the query signature is malformed")
        creds = self.sandbox.backend.lookup_creds(akid)
        if creds is None or creds.revoked or query.get("X-Amz-Security-Token") != creds.session_token:
            raise ApiError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
        headers = self._signed_header_values(signed_headers)
        raw = urlsplit(self.path).query
        unsigned_query = "&".join(p for p in raw.split("&") if not p.startswith("X-Amz-Signature="))
        request = AWSRequest(method="GET", url=f"http://{headers['host']}/?{unsigned_query}", headers=headers)
        signer = SigV4QueryAuth(Credentials(akid, creds.secret, creds.session_token), service, region,
                                expires=expires)
        _check_signature(signer, request, amz_date, signature)
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        if self.sandbox.backend.now() - signed_at > PRESIGNED_MAX_AGE:
            raise ApiError(403, "ExpiredToken", "The presigned URL has expired")
        if self.sandbox.backend.now() >= creds.expires_at:
            raise ApiError(403, "ExpiredToken", "The security token included in the request is expired")
        return creds

    # ------------------------------------------------------------------------------- faults
    def _fault(self, fault: _Fault, family: str, request_id: str) -> None:
        if fault.kind == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault.kind == "invalid_json":
            garbage = b"<<this is not json or xml>> {\"truncated\": "
            return self._send(200, garbage, "application/json" if family != "sts" else "text/xml",
                              request_id=request_id)
        if fault.kind == "throttle":
            if family == "sts":
                err = ApiError(400, "Throttling", "Rate exceeded")
            elif family == "oidc":
                err = ApiError(429, "TooManyRequestsException", "Rate exceeded",
                               error="too_many_requests", error_description="Rate exceeded")
            else:
                err = ApiError(429, "TooManyRequestsException", "Rate exceeded")
            return self._send_api_error(family, err, request_id)
        return self._send_api_error(family, _internal_error(family), request_id)

    # ------------------------------------------------------------------------------- control API
    def _control(self, method: str, path: str, query: dict, body: bytes) -> None:
        sandbox = self.sandbox
        data = _json_body(body) if body else {}
        if data is None:
            return self._control_reply(400, {"error": "body must be a JSON object"})
        action = path[len("/_sandbox/"):]
        try:
            if (method, action) == ("GET", "health"):
                return self._control_reply(200, {"ok": True, "url": sandbox.url, "pid": os.getpid(),
                                                 "accounts": len(sandbox.org.accounts),
                                                 "start_url": sandbox.org.start_url,
                                                 "region": sandbox.org.region})
            if (method, action) == ("GET", "counts"):
                return self._control_reply(200, sandbox.counts)
            if method != "POST":
                return self._control_reply(404, {"error": f"no control endpoint {method} {path}"})
            if action == "fault":
                sandbox.inject_fault(str(data.get("operation", "")), str(data.get("kind", "")),
                                     int(data.get("count", 1)), float(data.get("delay", 0.0)))
            elif action == "reset":
                if data.get("counts", True):
                    sandbox.reset_counts()
                if data.get("faults", True):
                    sandbox.clear_faults()
            elif action == "revoke-refresh-tokens":
                sandbox.revoke_refresh_tokens()
            elif action == "expire-access-tokens":
                sandbox.expire_access_tokens()
            elif action == "revoke-credentials":
                keys = data.get("access_key_ids")
                if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                    raise ValueError("access_key_ids must be a list of access key ids")
                return self._control_reply(200, {"revoked": sandbox.backend.revoke_creds(keys)})
            elif action == "approve-all":
                sandbox.approve_all()
            elif action == "config":
                return self._control_reply(200, sandbox.configure(**data))
            else:
                return self._control_reply(404, {"error": f"no control endpoint {method} {path}"})
        except (ValueError, TypeError) as exc:
            return self._control_reply(400, {"error": str(exc)})
        return self._control_reply(200, {"ok": True})

    def _control_reply(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")


# ------------------------------------------------------------------------------------------- helpers
def _json_body(body: bytes) -> dict | None:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _internal_error(family: str) -> ApiError:
    if family == "sts":
        return ApiError(500, "InternalFailure", "An internal error occurred")
    if family == "oidc":
        return ApiError(500, "InternalServerException", "An internal error occurred",
                        error="server_error", error_description="An internal error occurred")
    return ApiError(500, "InternalServerException", "An internal error occurred")


def _to_xml(value: dict, indent: int) -> str:
    pad = " " * indent
    out = []
    for key, item in value.items():
        if isinstance(item, dict):
            out.append(f"{pad}<{key}>\n{_to_xml(item, indent + 2)}{pad}</{key}>\n")
        else:
            out.append(f"{pad}<{key}>{xml_escape(str(item))}</{key}>\n")
    return "".join(out)


def _sts_error_xml(err: ApiError, request_id: str) -> str:
    kind = "Receiver" if err.status >= 500 else "Sender"
    return (f'<ErrorResponse xmlns="{STS_NS}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{xml_escape(err.code)}</Code>\n    <Message>{xml_escape(err.message)}</Message>\n"
            f"  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n")


def _check_signature(signer: Any, request: Any, amz_date: str, signature: str) -> None:
    """Recompute the signature with botocore's own signer (header or query auth) and compare."""
    request.context["timestamp"] = amz_date
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if not hmac.compare_digest(expected, signature):
        raise ApiError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                       "signature you provided. Check your AWS Secret Access Key and signing method.")
