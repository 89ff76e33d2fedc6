"""Portal (sso) emulation: pagination, role credentials, authorisation, logout."""

from __future__ import annotations

import re

import boto3
import pytest

from rolecall.sandbox.org import generate_org, load_org
from rolecall.sandbox.server import Sandbox
from tests.support.sandbox_clients import device_login, unsigned_config


def _all_accounts(portal, token, **config):
    pages = list(portal.get_paginator("list_accounts").paginate(accessToken=token, PaginationConfig=config))
    return pages, [a for page in pages for a in page["accountList"]]


def test_list_accounts_paginates_every_account(portal, token, sbx):
    pages, accounts = _all_accounts(portal, token["accessToken"])
    assert len(pages) == 1 and len(accounts) == 4  # 4 accounts < page size 5
    assert [a["accountId"] for a in accounts] == [a.id for a in sbx.org.accounts]
    assert {"accountId", "accountName", "emailAddress"} == set(accounts[0])
    assert "Sandbox Prod ✓" in {a["accountName"] for a in accounts}
    pages, again = _all_accounts(portal, token["accessToken"], PageSize=1)
    assert len(pages) == 4 and again == accounts


def test_list_account_roles_paginates(portal, token, sbx):
    sbx.backend.page_size = 2
    pages = list(portal.get_paginator("list_account_roles").paginate(accessToken=token["accessToken"],
                                                                      accountId="111111111111"))
    assert len(pages) == 2 and "nextToken" in pages[0] and "nextToken" not in pages[-1]
    roles = [r for page in pages for r in page["roleList"]]
    assert roles == [{"roleName": r, "accountId": "111111111111"} for r in load_org().accounts[0].roles]


def test_bad_page_arguments(portal, token):
    with pytest.raises(portal.exceptions.InvalidRequestException):
        portal.list_accounts(accessToken=token["accessToken"], nextToken="garbage!")
    with pytest.raises(portal.exceptions.ResourceNotFoundException):
        portal.list_account_roles(accessToken=token["accessToken"], accountId="999999999999")


def test_thousand_account_org_lists_completely(monkeypatch):
    org = generate_org(1000)
    assert org == generate_org(1000) and len({a.id for a in org.accounts}) == 1000
    with Sandbox(org, auto_approve=True, page_size=50) as box:
        for key, value in box.env().items():
            monkeypatch.setenv(key, value)
        oidc = boto3.client("sso-oidc", config=unsigned_config())
        portal = boto3.client("sso", config=unsigned_config())
        tok = device_login(box, oidc)
        pages, accounts = _all_accounts(portal, tok["accessToken"])
        assert len(pages) == 20
        assert [a["accountId"] for a in accounts] == [a.id for a in org.accounts]
        assert box.count("ListAccounts") == 20


def test_get_role_credentials_shape(sbx, portal, token):
    creds = portal.get_role_credentials(accessToken=token["accessToken"], accountId="333333333333",
                                        roleName="ReadOnlyAccess")["roleCredentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", creds["accessKeyId"])
    assert len(creds["secretAccessKey"]) == 40
    assert len(creds["sessionToken"]) > 300
    # epoch MILLISECONDS, credential_ttl (1 h) ahead
    assert abs(creds["expiration"] / 1000 - (sbx.now() + 3600)) < 10


def test_role_credentials_unknown_account_or_role(portal, token):
    for account, role in [("999999999999", "AdministratorAccess"), ("111111111111", "SecurityAudit")]:
        with pytest.raises(portal.exceptions.ResourceNotFoundException):
            portal.get_role_credentials(accessToken=token["accessToken"], accountId=account, roleName=role)


@pytest.mark.parametrize("how", ["missing", "unknown", "expired-by-clock", "expire_access_tokens"])
def test_unauthorized(sbx, portal, token, how):
    access = token["accessToken"]
    if how == "missing":
        access = ""
    elif how == "unknown":
        access = "aoa-not-issued"
    elif how == "expired-by-clock":
        sbx.set_clock_offset(8 * 3600 + 1)
    else:
        sbx.expire_access_tokens()
    with pytest.raises(portal.exceptions.UnauthorizedException) as exc:
        portal.list_accounts(accessToken=access)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401


def test_logout_revokes_access_and_refresh_token(sbx, oidc, portal, token):
    portal.logout(accessToken=token["accessToken"])
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token["accessToken"])
    client = token["client"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                          grantType="refresh_token", refreshToken=token["refreshToken"])
    assert sbx.count("Logout") == 1
