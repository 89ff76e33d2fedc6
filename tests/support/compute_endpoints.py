"""Compute credential endpoints on loopback: an ECS-format container endpoint and an IMDSv2 stub,
both handing out keys the sandbox issued (so STS through the sandbox accepts them)."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rolecall.credential_server import CredentialServer
from rolecall.credentials.model import Credentials


def sandbox_creds(sandbox):
    issued = sandbox.backend._issue_creds("111111111111", "AdministratorAccess", "compute", 3600, "sso", False)
    return Credentials(issued.access_key_id, issued.secret, issued.session_token,
                       datetime.fromtimestamp(issued.expires_at, timezone.utc))


def container(sandbox, monkeypatch):
    """The container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI …) until the generator is closed."""
    base = sandbox_creds(sandbox)
    server = CredentialServer(lambda: base, window_seconds=60)
    server.__enter__()
    for name, value in server.environment().items():
        if value is not None:
            monkeypatch.setenv(name, value)
    yield base
    server.__exit__(None, None, None)


class _Imds(BaseHTTPRequestHandler):
    creds: Credentials
    tokens: set = set()

    def log_message(self, *args):
        pass

    def do_PUT(self):
        if self.path != "/latest/api/token" or not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self._send(400, "")
        token = "imds-session-token"
        self.tokens.add(token)
        self._send(200, token)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") not in self.tokens:
            return self._send(401, "")  # IMDSv2 only
        if self.path == "/latest/meta-data/iam/security-credentials/":
            return self._send(200, "stub-role")
        if self.path == "/latest/meta-data/iam/security-credentials/stub-role":
            c = self.creds
            return self._send(200, json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": c.access_key_id,
                "SecretAccessKey": c.secret_access_key, "Token": c.session_token,
                "Expiration": c.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "LastUpdated": (c.expiration - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}))
        self._send(404, "")

    def _send(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def imds(sandbox, monkeypatch):
    """The IMDSv2 stub (AWS_EC2_METADATA_SERVICE_ENDPOINT) until the generator is closed."""
    _Imds.creds = sandbox_creds(sandbox)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Imds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}/")
    yield _Imds.creds
    server.shutdown()
