"""A cached client registration the server no longer knows is replaced, once, in every flow.

The sandbox forgetting its clients stands for any server-side invalidation
(a restart here; IAM Identity Center reconfigured on AWS): the registration
file still looks valid, and without recovery every login would fail for good.
"""

from __future__ import annotations

import json

import pytest

from rolecall.errors import LoginRequired
from rolecall.sso.login import login
from rolecall.sso.tokens import access_token, read_token

from .test_refresh import expire_in


def _forget_clients(sandbox) -> None:
    with sandbox.backend.lock:
        sandbox.backend.clients.clear()


def _registration(target) -> dict:
    return json.loads(target.registration_path.read_text())


def _consistent(target) -> None:
    """The AWS CLI's view: the token names the registration that is cached."""
    reg, token = _registration(target), read_token(target)
    assert token["clientId"] == reg["clientId"] and token["clientSecret"] == reg["clientSecret"]
    assert token["registrationExpiresAt"] == reg["expiresAt"]


def test_device_login_registers_again_when_the_client_is_forgotten(sandbox, corp):
    login(corp, device_code=True)
    old = _registration(corp)["clientId"]
    _forget_clients(sandbox)
    sandbox.reset_counts()
    token = login(corp, device_code=True)
    assert _registration(corp)["clientId"] != old
    assert sandbox.count("RegisterClient") == 1
    _consistent(corp)
    assert access_token(corp) == token["accessToken"]


def test_pkce_login_registers_again_before_opening_the_browser(sandbox, corp, browser, monkeypatch):
    monkeypatch.setenv("ROLECALL_LOGIN_TIMEOUT", "5")  # the old code waited for a redirect that never came
    login(corp)
    old = _registration(corp)["clientId"]
    _forget_clients(sandbox)
    sandbox.reset_counts()
    browser.write_text("")
    login(corp)
    new = _registration(corp)["clientId"]
    assert new != old and sandbox.count("RegisterClient") == 1
    opened = browser.read_text().splitlines()
    assert len(opened) == 1 and f"client_id={new}" in opened[0]  # only the new client went to the browser
    _consistent(corp)


def test_a_known_cached_client_is_reused(sandbox, corp, browser):
    login(corp)
    old = _registration(corp)["clientId"]
    sandbox.reset_counts()
    login(corp)
    assert _registration(corp)["clientId"] == old and sandbox.count("RegisterClient") == 0


def test_refresh_refused_for_an_unknown_client_drops_the_registration(sandbox, corp):
    login(corp, device_code=True)
    _forget_clients(sandbox)
    expire_in(corp, -60)
    with pytest.raises(LoginRequired) as info:
        access_token(corp)
    assert "InvalidClientException" in info.value.message
    assert not corp.registration_path.exists()  # the next login registers afresh
    sandbox.reset_counts()
    login(corp, device_code=True)
    assert sandbox.count("RegisterClient") == 1
    _consistent(corp)


def test_cli_device_login_recovers(sandbox, corp, rolecall):
    assert rolecall("login", "--sso-session", "corp", "--device-code").returncode == 0
    _forget_clients(sandbox)
    result = rolecall("login", "--sso-session", "corp", "--device-code")
    assert result.returncode == 0, result.stderr
    assert "InvalidClientException" not in result.stderr
    _consistent(corp)
