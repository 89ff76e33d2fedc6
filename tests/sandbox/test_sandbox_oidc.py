"""sso-oidc emulation: registration, device flow, PKCE authorization code, refresh rotation."""

from __future__ import annotations

import urllib.request

import pytest

from tests.support.sandbox_clients import (
    DEVICE_GRANT, authorize_url, device_login, pkce_pair, query_of, raw_get, register,
)

CALLBACK = "http://127.0.0.1:{port}/oauth/callback"


def test_register_client_shape(sbx, oidc):
    reg = register(oidc)
    assert reg["clientId"] and len(reg["clientSecret"]) > 40
    assert isinstance(reg["clientIdIssuedAt"], int)
    # epoch seconds, 90 days ahead
    assert reg["clientSecretExpiresAt"] - reg["clientIdIssuedAt"] == 90 * 86400
    assert abs(reg["clientIdIssuedAt"] - sbx.now()) < 5


def test_register_rejects_non_public_and_non_loopback_redirect(oidc):
    with pytest.raises(oidc.exceptions.InvalidClientMetadataException):
        oidc.register_client(clientName="x", clientType="confidential")
    with pytest.raises(oidc.exceptions.InvalidRedirectUriException):
        oidc.register_client(clientName="x", clientType="public", grantTypes=["authorization_code"],
                             redirectUris=["https://evil.example/cb"])


def test_device_flow_pending_then_browser_approves(sbx, oidc):
    client = register(oidc)
    auth = oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                           startUrl=sbx.org.start_url)
    assert auth["verificationUri"] == f"{sbx.url}/device"
    assert auth["verificationUriComplete"] == f"{sbx.url}/device?user_code={auth['userCode']}"
    assert auth["expiresIn"] == 600 and auth["interval"] == 1
    args = dict(clientId=client["clientId"], clientSecret=client["clientSecret"], grantType=DEVICE_GRANT,
                deviceCode=auth["deviceCode"])
    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as exc:
        oidc.create_token(**args)
    assert exc.value.response["error"] == "authorization_pending"
    assert exc.value.response["Error"]["Code"] == "AuthorizationPendingException"
    with pytest.raises(oidc.exceptions.SlowDownException):
        oidc.create_token(**args)  # again at once: faster than `interval`
    with urllib.request.urlopen(auth["verificationUriComplete"], timeout=5) as page:  # the "browser"
        assert b"approved" in page.read()
    sbx.set_clock_offset(sbx.clock_offset + 2)  # let `interval` pass without sleeping
    tok = oidc.create_token(**args)
    assert tok["tokenType"] == "Bearer" and tok["expiresIn"] == 8 * 3600
    assert tok["accessToken"] and tok["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(**args)  # a device code is single-use
    assert sbx.count("CreateToken:device_code") == 4


def test_device_flow_auto_approve_first_try(sbx, oidc):
    sbx.set_auto_approve(True)
    client = register(oidc)
    auth = oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                           startUrl=sbx.org.start_url)
    tok = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                            grantType=DEVICE_GRANT, deviceCode=auth["deviceCode"])
    assert tok["accessToken"]


def test_device_flow_denied_and_expired(sbx, oidc):
    client = register(oidc)
    creds = dict(clientId=client["clientId"], clientSecret=client["clientSecret"])
    denied = oidc.start_device_authorization(startUrl=sbx.org.start_url, **creds)
    raw_get(denied["verificationUriComplete"] + "&action=deny")
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        oidc.create_token(grantType=DEVICE_GRANT, deviceCode=denied["deviceCode"], **creds)
    expired = oidc.start_device_authorization(startUrl=sbx.org.start_url, **creds)
    sbx.set_clock_offset(601)
    with pytest.raises(oidc.exceptions.ExpiredTokenException):
        oidc.create_token(grantType=DEVICE_GRANT, deviceCode=expired["deviceCode"], **creds)


def test_client_checks(sbx, oidc):
    client = register(oidc)
    with pytest.raises(oidc.exceptions.InvalidClientException) as exc:
        oidc.start_device_authorization(clientId=client["clientId"], clientSecret="wrong", startUrl="x")
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    with pytest.raises(oidc.exceptions.InvalidClientException):
        oidc.create_token(clientId="nope", clientSecret="x", grantType=DEVICE_GRANT, deviceCode="x")
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"], grantType="password")
    sbx.set_clock_offset(91 * 86400)  # the registration has expired
    with pytest.raises(oidc.exceptions.InvalidClientException):
        oidc.start_device_authorization(clientId=client["clientId"], clientSecret=client["clientSecret"],
                                        startUrl=sbx.org.start_url)


def _pkce_client(oidc):
    return register(oidc, grantTypes=["authorization_code", "refresh_token"],
                    redirectUris=["http://127.0.0.1/oauth/callback"], issuerUrl="https://rolecall-sandbox.invalid/start")


def test_pkce_flow_with_approval_page(sbx, oidc):
    client = _pkce_client(oidc)
    verifier, challenge = pkce_pair()
    redirect = CALLBACK.format(port=54321)
    status, _, page = raw_get(authorize_url(sbx, client, redirect, challenge, state="abc"))
    assert status == 200 and 'id="approve"' in page
    approve = page.split('id="approve" data-rolecall-approve="1" href="')[1].split('"')[0]
    status, headers, _ = raw_get(sbx.url + approve)
    assert status == 302
    location = headers["location"]
    assert location.startswith(redirect + "?")
    params = query_of(location)
    assert params["state"] == "abc"
    args = dict(clientId=client["clientId"], clientSecret=client["clientSecret"], grantType="authorization_code",
                code=params["code"], redirectUri=redirect)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(codeVerifier=pkce_pair()[0], **args)          # wrong verifier
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(codeVerifier=verifier, **{**args, "redirectUri": CALLBACK.format(port=1)})
    tok = oidc.create_token(codeVerifier=verifier, **args)
    assert tok["accessToken"] and tok["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(codeVerifier=verifier, **args)                # the code is single-use
    assert sbx.count("CreateToken:authorization_code") == 4


def test_pkce_auto_approve_redirects_at_once_and_deny(sbx, oidc):
    client = _pkce_client(oidc)
    _, challenge = pkce_pair()
    redirect = CALLBACK.format(port=40000)
    status, _, page = raw_get(authorize_url(sbx, client, redirect, challenge, state="s2"))
    deny = page.split('id="deny" href="')[1].split('"')[0]
    status, headers, _ = raw_get(sbx.url + deny)
    assert status == 302 and query_of(headers["location"]) == {
        "error": "access_denied", "error_description": "The user denied the request", "state": "s2"}
    sbx.set_auto_approve(True)
    status, headers, _ = raw_get(authorize_url(sbx, client, redirect, challenge, state="s3"))
    assert status == 302 and query_of(headers["location"])["state"] == "s3"


@pytest.mark.parametrize("redirect", ["https://127.0.0.1:5/oauth/callback", "http://example.com/oauth/callback",
                                      "http://127.0.0.1:5/other"], ids=["https", "remote", "other-path"])
def test_authorize_rejects_bad_redirect(sbx, oidc, redirect):
    client = _pkce_client(oidc)
    status, headers, _ = raw_get(authorize_url(sbx, client, redirect, pkce_pair()[1]))
    assert status == 400 and "location" not in headers


def test_refresh_rotates_both_tokens(sbx, oidc):
    first = device_login(sbx, oidc)
    client = first["client"]
    args = dict(clientId=client["clientId"], clientSecret=client["clientSecret"], grantType="refresh_token")
    second = oidc.create_token(refreshToken=first["refreshToken"], **args)
    assert second["accessToken"] != first["accessToken"]
    assert second["refreshToken"] != first["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(refreshToken=first["refreshToken"], **args)   # rotated away
    third = oidc.create_token(refreshToken=second["refreshToken"], **args)
    sbx.revoke_refresh_tokens()
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(refreshToken=third["refreshToken"], **args)
    assert sbx.count("CreateToken:refresh_token") == 4


def test_no_refresh_token_without_scopes(sbx, oidc):
    tok = device_login(sbx, oidc, register(oidc, scopes=()))
    assert "refreshToken" not in tok
