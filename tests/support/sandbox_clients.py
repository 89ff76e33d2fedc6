"""Helpers for tests that drive a :class:`~rolecall.sandbox.server.Sandbox` with real botocore clients.

Imported by the test-suite only (it needs boto3).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
from botocore import UNSIGNED
from botocore.config import Config

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
NO_RETRY = {"total_max_attempts": 1}


def unsigned_config() -> Config:
    return Config(signature_version=UNSIGNED, region_name="us-east-1", retries=NO_RETRY)


def sts_client(creds: dict, **config):
    """An STS client signed with sandbox-issued credentials (GetRoleCredentials or AssumeRole shape)."""
    akid = creds.get("accessKeyId") or creds["AccessKeyId"]
    secret = creds.get("secretAccessKey") or creds["SecretAccessKey"]
    token = creds.get("sessionToken") or creds["SessionToken"]
    return boto3.client("sts", region_name="us-east-1", aws_access_key_id=akid, aws_secret_access_key=secret,
                        aws_session_token=token, config=Config(retries=NO_RETRY, **config))


def register(oidc, scopes=("sso:account:access",), **extra) -> dict:
    kwargs = {"clientName": "rolecall-test", "clientType": "public", **extra}
    if scopes:
        kwargs["scopes"] = list(scopes)
    return oidc.register_client(**kwargs)


def device_login(sbx, oidc, client: dict | None = None) -> dict:
    """Device flow, approved by the sandbox knob; returns the CreateToken answer."""
    client = client or register(oidc)
    auth = oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                           startUrl=sbx.org.start_url)
    sbx.approve_all()
    token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                              grantType=DEVICE_GRANT, deviceCode=auth["deviceCode"])
    token["client"] = client
    return token


def raw_get(url: str, headers: dict | None = None) -> tuple[int, dict[str, str], str]:
    """GET without following redirects."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_url(sbx, client: dict, redirect_uri: str, challenge: str, state: str = "st-1") -> str:
    query = urlencode({"response_type": "code", "client_id": client["clientId"], "redirect_uri": redirect_uri,
                       "state": state, "code_challenge_method": "S256", "scopes": "sso:account:access",
                       "code_challenge": challenge})
    return f"{sbx.url}/authorize?{query}"


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
