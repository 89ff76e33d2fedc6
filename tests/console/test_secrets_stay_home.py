"""Console sign-in sends the secret key only to the signin host or the explicit override (#14)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.console import creds_env


class _Listener:
    """A LocalStack/MinIO stand-in on AWS_ENDPOINT_URL that records every request line."""

    def __init__(self) -> None:
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                seen.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"SigninToken": "from-the-wrong-host"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    found = _Listener()
    yield found
    found.close()


def test_the_generic_endpoint_url_never_receives_the_secret(sandbox, sso_creds, listener, rolecall, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_SIGNIN")
    env = {**creds_env(sso_creds), "AWS_ENDPOINT_URL": listener.url, "HTTPS_PROXY": "http://127.0.0.1:9"}
    proc = rolecall("console", "--url", env=env, timeout=120)
    assert proc.returncode != 0  # the real signin host is not reachable here
    assert listener.seen == []
    assert sso_creds.secret_access_key not in proc.stderr + proc.stdout


def test_plain_http_signin_override_to_a_remote_host_is_refused(sandbox, sso_creds, rolecall):
    env = {**creds_env(sso_creds), "AWS_ENDPOINT_URL_SIGNIN": "http://signin.example.invalid"}
    proc = rolecall("console", "--url", env=env)
    assert proc.returncode == 3, proc.stderr
    assert "must be https" in proc.stderr and "hint: export AWS_ENDPOINT_URL_SIGNIN=https://" in proc.stderr
    assert proc.stdout == ""


def test_a_failing_browser_message_is_redacted_before_it_is_cut(sandbox, sso_creds, tmp_path, rolecall):
    browser = tmp_path / "chatty-browser"
    browser.write_text("#!/bin/sh\nprintf 'error: cannot open %s\\n' \"$1\" >&2\nexit 3\n")
    browser.chmod(0o755)
    proc = rolecall("console", env={**creds_env(sso_creds), "ROLECALL_BROWSER": str(browser)})
    assert proc.returncode == 1, proc.stderr
    assert "exited with status 3" in proc.stderr
    assert "SigninToken" not in proc.stderr and "<redacted>" in proc.stderr
    token_start = proc.stderr.find("<redacted>")
    assert token_start > 0


@pytest.mark.parametrize("where", ["profile", "AWS_REGION", "-r"])
def test_a_region_that_is_not_a_region_never_reaches_a_url(sandbox, sso_creds, aws_config, rolecall, where):
    evil = "evil.example/phish?"
    env = creds_env(sso_creds)
    if where == "profile":
        aws_config("[profile p]\nregion = evil.example/phish?\n"
                   f"aws_access_key_id = {sso_creds.access_key_id}\n"
                   f"aws_secret_access_key = {sso_creds.secret_access_key}\n"
                   f"aws_session_token = {sso_creds.session_token}\n")
        argv = ["console", "p", "--url"]
        env = {}
    elif where == "AWS_REGION":
        env["AWS_REGION"] = evil
        argv = ["console", "--url"]
    else:
        argv = ["console", "--url", "-r", evil]
    proc = rolecall(*argv, env=env)
    assert proc.returncode in (2, 3), proc.stdout + proc.stderr
    assert "is not a known AWS region" in proc.stderr and proc.stdout == ""
    assert "hint:" in proc.stderr and "Traceback" not in proc.stderr


def test_a_near_miss_region_gets_a_did_you_mean(rolecall, aws_config):
    aws_config("[profile p]\nregion = eu-west-1\n")
    proc = rolecall("config", "set", "p", "region", "eu-wset-1")
    assert proc.returncode == 2 and "did you mean eu-west-1" in proc.stderr
