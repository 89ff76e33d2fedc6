"""Fixtures for the console tests: real sandbox credentials, a recording browser, a fake clipboard (helpers: tests/support/console.py)."""

from __future__ import annotations

import boto3
import pytest

from rolecall.console import SessionCredentials
from tests.support.console import ACCOUNT, CHAIN_ROLE_ARN, ROLE, Recorder, _script
from tests.support.sandbox_clients import device_login, sts_client, unsigned_config


@pytest.fixture
def sso_token(sandbox) -> dict:
    """A device-flow login against the sandbox with plain boto3 (the CreateToken answer)."""
    oidc = boto3.client("sso-oidc", config=unsigned_config())
    return device_login(sandbox, oidc)

@pytest.fixture
def role_creds(sandbox, sso_token) -> dict:
    """GetRoleCredentials' roleCredentials for 111111111111/AdministratorAccess."""
    portal = boto3.client("sso", config=unsigned_config())
    return portal.get_role_credentials(accessToken=sso_token["accessToken"], accountId=ACCOUNT,
                                       roleName=ROLE)["roleCredentials"]

@pytest.fixture
def sso_creds(role_creds) -> SessionCredentials:
    return SessionCredentials(role_creds["accessKeyId"], role_creds["secretAccessKey"],
                              role_creds["sessionToken"], account_id=ACCOUNT, role_name=ROLE)

@pytest.fixture
def chained_creds(role_creds) -> SessionCredentials:
    """AssumeRole called with the SSO role's credentials: role chaining."""
    answer = sts_client(role_creds).assume_role(RoleArn=CHAIN_ROLE_ARN, RoleSessionName="console-test")
    c = answer["Credentials"]
    return SessionCredentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"],
                              account_id=ACCOUNT, role_name="deploy")

@pytest.fixture
def recorder(tmp_path) -> Recorder:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    return Recorder(bindir)

@pytest.fixture
def fake_xclip(tmp_path):
    """A directory holding a fake `xclip` that stores its stdin; returns (bindir, clipboard file)."""
    bindir = tmp_path / "clipbin"
    bindir.mkdir()
    clip = tmp_path / "clipboard.txt"
    _script(bindir / "xclip", (
        "import sys\n"
        "data = sys.stdin.buffer.read()\n"
        f"open({str(clip)!r}, 'wb').write(data)\n"
        f"open({str(clip) + '.argv'!r}, 'w').write(' '.join(sys.argv[1:]))\n"
    ))
    return bindir, clip
