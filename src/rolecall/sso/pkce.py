"""The authorization-code flow with PKCE (RFC 7636) and a loopback redirect (RFC 8252).

A one-shot HTTP server on 127.0.0.1 (random port) waits for the browser to
come back to `/oauth/callback?code=…&state=…`. Only a callback carrying the
`state` we sent counts — code or error alike; any other local request is
answered and ignored, and the wait goes on. What it carries is sanitised before
it is shown anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import string
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from rolecall.sso.errors import LoginFailed
from rolecall.term import printable

VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"
CALLBACK_PATH = "/oauth/callback"


def new_verifier() -> str:
    return "".join(secrets.choice(VERIFIER_ALPHABET) for _ in range(64))


def challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def authorize_url(endpoint: str, *, client_id: str, redirect_uri: str, state: str,
                  scopes: list[str], code_challenge: str) -> str:
    query = urlencode(
        [("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri),
         ("state", state), ("code_challenge_method", "S256"), ("scopes", " ".join(scopes))],
        quote_via=quote, safe="-_.~",
    )
    return f"{endpoint}/authorize?{query}&code_challenge={code_challenge}"


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>rolecall</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>{title}</h1><p>{text}</p></body></html>"""


class CallbackServer:
    """Serves one callback on 127.0.0.1:<random port>, in a background thread."""

    def __init__(self, expected_state: str) -> None:
        self.expected_state = expected_state
        self._done = threading.Event()
        self.code: str | None = None
        self.state: str | None = None
        self.error: str | None = None
        self.error_description: str | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                pass

            def version_string(self) -> str:
                return "rolecall"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != CALLBACK_PATH or owner._done.is_set():
                    self._page(404, "Not found", "This is rolecall's login callback.")
                    return
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                if not secrets.compare_digest(query.get("state", "").encode(), owner.expected_state.encode()):
                    # Not the sign-in we started (another local program, a stale tab): it
                    # neither ends the wait nor is believed.
                    self._page(400, "Not this sign-in",
                               "This callback does not belong to the sign-in rolecall is waiting for.")
                    return
                if "error" in query:
                    self._page(400, "Sign-in failed",
                               f"{printable(query['error'])}: {printable(query.get('error_description', ''))}. "
                               "Return to your terminal.")
                elif "code" in query:
                    self._page(200, "Signed in", "rolecall received the sign-in. You can close this tab.")
                else:
                    self._page(400, "Bad request", "The callback carried neither a code nor an error.")
                    return
                owner._finish(query)

            def _page(self, status: int, title: str, text: str) -> None:
                body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        try:
            self._server = HTTPServer(("127.0.0.1", 0), Handler)
        except OSError as exc:
            raise LoginFailed(f"cannot listen on 127.0.0.1 for the login callback: {exc.strerror}",
                              hint="use the device code flow: rolecall login --device-code") from None
        self._server.timeout = 0.2
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._serve, name="rolecall-login-callback", daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def _serve(self) -> None:
        while not self._stop.is_set() and not self._done.is_set():
            self._server.handle_request()

    def _finish(self, query: dict[str, str]) -> None:
        self.code = query.get("code")
        self.state = query.get("state")
        self.error = query.get("error")
        self.error_description = query.get("error_description")
        self._done.set()

    def wait(self, expected_state: str, timeout: float) -> str:
        """The authorization code; LoginFailed on an error callback or timeout."""
        deadline = time.monotonic() + timeout
        while not self._done.wait(timeout=min(0.5, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise LoginFailed(
                    f"timed out after {timeout:g} s waiting for the browser sign-in",
                    hint="run the login again, or without a browser: rolecall login --device-code",
                )
        if self.error:
            if self.error == "access_denied":
                raise LoginFailed("sign-in was denied in the browser (access_denied)",
                                  hint="run the login again and choose Allow")
            described = f" ({printable(self.error_description)[:200]})" if self.error_description else ""
            raise LoginFailed(f"sign-in failed in the browser: {printable(self.error)[:80]}{described}",
                              hint="run the login again")
        if not secrets.compare_digest(self.state or "", expected_state):
            raise LoginFailed("the login callback carried the wrong state; login aborted (possible forgery)",
                              hint="run the login again")
        assert self.code is not None
        return self.code

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.server_close()

    def __enter__(self) -> "CallbackServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
