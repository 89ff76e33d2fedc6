"""A minimal Kubernetes API for the sandbox's EKS clusters, authenticating as EKS does.

Served over TLS on its own loopback port with a CA made for this sandbox run
(by the `openssl` command, once, on first use). A bearer token is checked the
way aws-iam-authenticator checks it: `k8s-aws-v1.` + base64url of a URL that
must be this sandbox's STS GetCallerIdentity, with `x-k8s-aws-id` among the
signed headers, `X-Amz-Expires=60` and an `X-Amz-Date` at most 15 minutes old;
then the URL is called with `x-k8s-aws-id: <this cluster>` and the caller's
ARN is mapped to a user. Only the cluster's own account is let in.
One port per cluster (kubectl's `get --raw` ignores a path in the server URL).
Answers `/version`, discovery (`/api`, `/apis`, `/api/v1`) and `/api/v1/namespaces`; the rest is 404.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TOKEN_PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
MAX_TOKEN_AGE_SECONDS = 15 * 60
NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


class TestAuthority:
    """A throwaway CA and a server certificate for 127.0.0.1, made with openssl."""

    def __init__(self) -> None:
        openssl = shutil.which("openssl")
        if openssl is None:
            raise RuntimeError("the sandbox's Kubernetes API needs the openssl command (apt install openssl)")
        self.dir = tempfile.mkdtemp(prefix="rolecall-sandbox-ca-")
        join = lambda name: os.path.join(self.dir, name)  # noqa: E731
        with open(join("server.ext"), "w") as ext:
            ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                      "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        steps = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join("ca.key"), "-out", join("ca.crt"),
             "-days", "7", "-subj", "/CN=rolecall sandbox test CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", join("server.key"), "-out", join("server.csr"),
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", join("server.csr"), "-CA", join("ca.crt"), "-CAkey", join("ca.key"),
             "-CAcreateserial", "-out", join("server.crt"), "-days", "7", "-extfile", join("server.ext")],
        ]
        for step in steps:
            done = subprocess.run([openssl, *step], capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise RuntimeError(f"openssl {step[0]} failed: {done.stderr.strip()[:300]}")
        with open(join("ca.crt"), "rb") as handle:
            self.ca_pem = handle.read()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(join("server.crt"), join("server.key"))

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class KubernetesApi:
    """One TLS server per cluster; `authenticate(token, cluster)` calls back into the sandbox's STS."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.authority = TestAuthority()
        self.servers: dict[tuple[str, str, str], ThreadingHTTPServer] = {}
        self.lock = threading.Lock()

    def stop(self) -> None:
        with self.lock:
            servers, self.servers = list(self.servers.values()), {}
        for server in servers:
            server.shutdown()
            server.server_close()
        self.authority.remove()

    def endpoint(self, account_id: str, region: str, name: str) -> str:
        """The cluster's API URL (its server is started on first use)."""
        key = (account_id, region, name)
        with self.lock:
            server = self.servers.get(key)
            if server is None:
                server = ThreadingHTTPServer(("127.0.0.1", 0), _KubeHandler)
                server.daemon_threads = True
                server.api, server.cluster = self, key  # type: ignore[attr-defined]
                server.socket = self.authority.context.wrap_socket(server.socket, server_side=True)
                threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"rolecall-sandbox-k8s-{name}", daemon=True).start()
                self.servers[key] = server
        return f"https://127.0.0.1:{server.server_address[1]}"

    @property
    def certificate_authority_data(self) -> str:
        return base64.b64encode(self.authority.ca_pem).decode()

    def authenticate(self, header: str | None, cluster: str) -> tuple[str | None, str]:
        """(username, "") or (None, why the token is refused)."""
        if not header or not header.startswith("Bearer "):
            return None, "no bearer token"
        token = header[len("Bearer "):].strip()
        if not token.startswith(TOKEN_PREFIX):
            return None, "not an EKS token"
        body = token[len(TOKEN_PREFIX):]
        try:
            url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return None, "token is not base64url"
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.sandbox.url or parts.path not in ("", "/"):
            return None, f"token URL is not this sandbox's STS ({self.sandbox.url})"
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if query.get("Action") != "GetCallerIdentity":
            return None, "token URL is not GetCallerIdentity"
        if query.get("X-Amz-Expires") != "60":
            return None, "token URL does not have X-Amz-Expires=60"
        if CLUSTER_HEADER not in unquote(query.get("X-Amz-SignedHeaders", "")).split(";"):
            return None, f"{CLUSTER_HEADER} is not a signed header"
        try:
            signed = time.mktime(time.strptime(query.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ")) - time.timezone
        except ValueError:
            return None, "token URL has no valid X-Amz-Date"
        age = self.sandbox.now() - signed
        if age > MAX_TOKEN_AGE_SECONDS:
            return None, f"token expired ({int(age)} s old)"
        if age < -60:
            return None, "token is from the future"
        request = urllib.request.Request(url, headers={CLUSTER_HEADER: cluster, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the sandbox itself)
                found = json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return None, f"STS refused the token: HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            return None, f"STS could not be asked: {exc}"
        arn = (found.get("GetCallerIdentityResponse", {}).get("GetCallerIdentityResult", {}).get("Arn"))
        return (arn, "") if isinstance(arn, str) else (None, "STS gave no ARN")


class _KubeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        api: KubernetesApi = self.server.api  # type: ignore[attr-defined]
        account_id, _region, name = self.server.cluster  # type: ignore[attr-defined]
        rest = urlsplit(self.path).path
        api.sandbox._record("KubernetesRequest")
        user, why = api.authenticate(self.headers.get("Authorization"), name)
        if user is None or f":{account_id}:" not in user:
            api.sandbox._record("KubernetesUnauthorized")
            return self._status(401, "Unauthorized", why or "this principal has no access to the cluster")
        if rest == "/version":
            return self._json(200, {"major": "1", "minor": "31", "gitVersion": "v1.31.0-eks-sandbox",
                                    "platform": "linux/amd64"})
        if rest == "/api":
            return self._json(200, {"kind": "APIVersions", "versions": ["v1"],
                                    "serverAddressByClientCIDRs": []})
        if rest == "/api/v1":
            return self._json(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
                 "verbs": ["get", "list"], "shortNames": ["ns"]}]})
        if rest == "/apis":
            return self._json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if rest == "/api/v1/namespaces":
            items = [{"metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                      "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}} for ns in NAMESPACES]
            return self._json(200, {"kind": "NamespaceList", "apiVersion": "v1", "metadata": {},
                                    "items": items})
        return self._status(404, "NotFound", f"the server could not find the requested resource ({rest})")

    def _status(self, code: int, reason: str, message: str) -> None:
        self._json(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": message, "reason": reason, "code": code})

    def _json(self, code: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
