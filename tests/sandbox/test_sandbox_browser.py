"""The fake browser (`python -m rolecall.sandbox.browser`) and webbrowser/BROWSER integration."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import rolecall
from tests.support.sandbox_clients import authorize_url, pkce_pair, query_of, register

SRC = str(Path(rolecall.__file__).resolve().parent.parent)


def _env(**extra) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (SRC, env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def _browse(url: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall.sandbox.browser", url], capture_output=True,
                          text=True, timeout=30, env=_env(**env))


class _Callback(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_GET(self):
        type(self).received.append(self.path)
        body = b"login complete"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def callback_server():
    class Handler(_Callback):
        received: list[str] = []

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.received = Handler.received
    yield server
    server.server_close()


def _pkce_start(sbx, oidc, port):
    client = register(oidc, grantTypes=["authorization_code", "refresh_token"],
                      redirectUris=["http://127.0.0.1/oauth/callback"])
    verifier, challenge = pkce_pair()
    redirect = f"http://127.0.0.1:{port}/oauth/callback"
    return client, verifier, redirect, authorize_url(sbx, client, redirect, challenge, state="st-b")


def test_device_verification_url_approves(sbx, oidc):
    client = register(oidc)
    auth = oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                           startUrl=sbx.org.start_url)
    result = _browse(auth["verificationUriComplete"])
    assert result.returncode == 0 and result.stdout == ""
    assert next(iter(sbx.backend.devices.values())).status == "approved"


def test_pkce_approve_page_and_threaded_callback(sbx, oidc, callback_server):
    port = callback_server.server_address[1]
    client, verifier, redirect, url = _pkce_start(sbx, oidc, port)
    thread = threading.Thread(target=callback_server.handle_request, daemon=True)
    thread.start()
    result = _browse(url)
    assert result.returncode == 0, result.stderr
    thread.join(5)
    params = query_of(callback_server.received[0])
    assert params["state"] == "st-b"
    token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                              grantType="authorization_code", code=params["code"], redirectUri=redirect,
                              codeVerifier=verifier)
    assert token["accessToken"]


def test_callback_served_only_after_browser_returns(sbx, oidc, callback_server):
    """A login that handles its callback after webbrowser.open() returns must not deadlock."""
    port = callback_server.server_address[1]
    _, _, _, url = _pkce_start(sbx, oidc, port)
    sbx.set_auto_approve(True)
    result = _browse(url, ROLECALL_FAKE_BROWSER_CALLBACK_WAIT="0.2")
    assert result.returncode == 0
    callback_server.timeout = 10
    callback_server.handle_request()
    assert query_of(callback_server.received[0])["state"] == "st-b"


def test_deny_and_non_loopback(sbx, oidc, callback_server, tmp_path):
    port = callback_server.server_address[1]
    _, _, _, url = _pkce_start(sbx, oidc, port)
    thread = threading.Thread(target=callback_server.handle_request, daemon=True)
    thread.start()
    assert _browse(url, ROLECALL_FAKE_BROWSER_DENY="1").returncode == 0
    thread.join(5)
    assert query_of(callback_server.received[0])["error"] == "access_denied"
    log = tmp_path / "opened.txt"
    result = _browse("https://signin.aws.amazon.com/federation?Action=login", ROLECALL_FAKE_BROWSER_LOG=str(log))
    assert result.returncode == 0
    assert log.read_text() == "https://signin.aws.amazon.com/federation?Action=login\n"


def test_webbrowser_open_honours_browser_with_full_interpreter_path(sbx, oidc, monkeypatch):
    monkeypatch.setenv("BROWSER", f"{shlex.quote(sys.executable)} -m rolecall.sandbox.browser %s")
    monkeypatch.setenv("PYTHONPATH", _env()["PYTHONPATH"])
    # webbrowser reads BROWSER once per process: make it look again, and forget it afterwards
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    client = register(oidc)
    auth = oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                           startUrl=sbx.org.start_url)
    assert webbrowser.open(auth["verificationUriComplete"]) is True
    assert next(iter(sbx.backend.devices.values())).status == "approved"
