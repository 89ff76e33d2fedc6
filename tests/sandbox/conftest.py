"""Fixtures for the sandbox tests: a fresh sandbox per test, real botocore clients over HTTP."""

from __future__ import annotations

import boto3
import pytest

from tests.support.sandbox_clients import device_login, unsigned_config
from tests.support.sandboxes import start_sandbox


@pytest.fixture
def sbx(monkeypatch):
    """A started sandbox (no auto-approve), endpoints exported through AWS_ENDPOINT_URL_*."""
    box = start_sandbox(monkeypatch, clear_credentials=True)
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def oidc(sbx):
    return boto3.client("sso-oidc", config=unsigned_config())


@pytest.fixture
def portal(sbx):
    return boto3.client("sso", config=unsigned_config())


@pytest.fixture
def token(sbx, oidc) -> dict:
    return device_login(sbx, oidc)


@pytest.fixture
def sso_creds(portal, token) -> dict:
    return portal.get_role_credentials(accessToken=token["accessToken"], accountId="111111111111",
                                       roleName="AdministratorAccess")["roleCredentials"]
