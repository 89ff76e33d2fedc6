"""A local credential endpoint for long work: the container-credentials protocol, renewing itself.

botocore, the AWS CLI and every AWS SDK read credentials from
`AWS_CONTAINER_CREDENTIALS_FULL_URI` (a loopback http URL is allowed) with
`AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as the `Authorization` header, and
ask again whenever what they hold nears its expiry. This server answers
those requests from the credentials it holds, fetching new ones through the
core (`fetch`) once they are inside `window_seconds` of expiring, so a child
that runs for hours never meets an expired key.

Only loopback, only with the token (a fresh 256-bit secret; anything else
gets 401 and no credentials), GET only. Nothing is logged: the handler's
request log is switched off. A fetch that fails while the held credentials
are still valid keeps serving those (and reports once through `on_problem`);
once they have expired the answer is 503 with the reason, never stale keys.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from rolecall.errors import RolecallError

PATH = "/rolecall/credentials"
URI_VAR = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
TOKEN_VAR = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
# botocore prefers these two over the pair above: a child must not inherit them.
SHADOWING_VARS = ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
# After a failed renewal, SDKs still ask on every call: the held keys answer for this long before a retry.
RETRY_SECONDS = 30.0


def document(credentials: Any) -> dict:
    """The container-credentials answer (what botocore's ContainerProvider parses)."""
    from rolecall import clock

    out = {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "Token": credentials.session_token or "",
    }
    if credentials.expiration is not None:
        out["Expiration"] = clock.format_timestamp(credentials.expiration)
    if getattr(credentials, "account_id", None):
        out["AccountId"] = credentials.account_id
    return out


class CredentialServer:
    """`fetch()` → Credentials (raises RolecallError); served on 127.0.0.1 at a random port."""

    def __init__(self, fetch: Callable[[], Any], *, window_seconds: float,
                 on_problem: Callable[[str], None] | None = None) -> None:
        self._fetch = fetch
        self.window_seconds = window_seconds
        self._on_problem = on_problem
        self._reported: set[str] = set()
        self.token = secrets.token_urlsafe(32)  # 256 bits
        self._lock = threading.Lock()
        self._current: Any = None
        self._quiet_until = 0.0  # after a failed renewal: serve the held keys, do not retry before this
        self.fetches = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def environment(self) -> dict[str, str | None]:
        """The variables that point an SDK at this server (and clear the ones that would win over it)."""
        changes: dict[str, str | None] = {name: None for name in SHADOWING_VARS}
        changes[URI_VAR] = self.url
        changes[TOKEN_VAR] = self.token
        return changes

    def start(self) -> CredentialServer:
        """Fetch the first credentials (errors raise here, before any child starts), then serve."""
        try:
            self.credentials()
        except BaseException:
            self._httpd.server_close()
            raise
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="rolecall-credential-server",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    def __enter__(self) -> CredentialServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def credentials(self) -> Any:
        """What a request gets now: the held credentials, or new ones inside the window."""
        with self._lock:
            held = self._current
            left = None if held is None else _seconds_left(held)
            due = left is None or left <= 0 or (left <= self.window_seconds and time.monotonic() >= self._quiet_until)
            if due:
                try:
                    self._current = self._fetch()
                    self.fetches += 1
                except Exception as exc:  # noqa: BLE001 - whatever failed, the held keys may still serve
                    problem = exc if isinstance(exc, RolecallError) else RolecallError(
                        f"unexpected {type(exc).__name__}: {exc}")
                    if held is None:
                        raise  # the first fetch: the caller reports it as any command would
                    if _seconds_left(held) <= 0:
                        raise problem from exc
                    self._report(str(problem))  # still valid: keep serving them
                    self._quiet_until = time.monotonic() + RETRY_SECONDS
            return self._current

    def _report(self, message: str) -> None:
        if self._on_problem is not None and message not in self._reported:
            self._reported.add(message)
            self._on_problem(message)

    def authorized(self, header: str | None) -> bool:
        return header is not None and hmac.compare_digest(header.encode("utf-8", "surrogateescape"),
                                                          self.token.encode())


def _seconds_left(credentials: Any) -> float:
    if credentials.expiration is None:
        return float("inf")
    return credentials.expiration.timestamp() - time.time()


def _handler_for(server: CredentialServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "rolecall"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - never log requests
            pass

        def _reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if not server.authorized(self.headers.get("Authorization")):
                return self._reply(401, {"code": "Unauthorized", "message": "missing or wrong authorization token"})
            if self.path.split("?", 1)[0] != PATH:
                return self._reply(404, {"code": "NotFound", "message": "no such path"})
            try:
                credentials = server.credentials()
            except RolecallError as exc:
                server._report(str(exc))
                return self._reply(503, {"code": "CredentialsUnavailable", "message": str(exc)})
            return self._reply(200, document(credentials))

        def _not_allowed(self) -> None:
            self._reply(405, {"code": "MethodNotAllowed", "message": "GET only"})

        do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed  # noqa: N815

    return Handler
