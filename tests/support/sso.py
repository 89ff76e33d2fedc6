"""SSO as the AWS CLI does it, independent of rolecall's own code, and the standard test config.

`cli_login` runs the device flow with a plain botocore sso-oidc client against
the sandbox and writes the token file exactly as the AWS CLI does: it proves
that a token written by the CLI is used by rolecall, and it keeps tests
independent of rolecall's login code. `sandbox_config` writes one profile per
account × role of a sandbox org.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

SESSION = "sandbox"
START_URL = "https://rolecall-sandbox.invalid/start"
REGION = "us-east-1"
FMT = "%Y-%m-%dT%H:%M:%SZ"  # the AWS CLI's timestamps on disk
DEV = "111111111111"
STAGING = "222222222222"
PROD = "333333333333"

# python -m rolecall, as an absolute command line for credential_process
ROLECALL_CMD = f"{sys.executable} -m rolecall"

BASE_CONFIG = f"""\
[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_registration_scopes = sso:account:access

[profile dev-admin]
sso_session = {SESSION}
sso_account_id = {DEV}
sso_role_name = AdministratorAccess
region = eu-west-1

[profile dev-ro]
sso_session = {SESSION}
sso_account_id = {DEV}
sso_role_name = ReadOnlyAccess

[profile legacy-staging]
sso_start_url = {START_URL}
sso_region = {REGION}
sso_account_id = {STAGING}
sso_role_name = ReadOnlyAccess

[profile staging-deploy]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = dev-admin

[profile dev-deploy]
role_arn = arn:aws:iam::{DEV}:role/deploy
source_profile = staging-deploy
role_session_name = chained-session

[profile partner]
role_arn = arn:aws:iam::{STAGING}:role/partner-access
source_profile = dev-admin
external_id = rolecall-external-id

[profile partner-no-id]
role_arn = arn:aws:iam::{STAGING}:role/partner-access
source_profile = dev-admin

[profile break-glass]
role_arn = arn:aws:iam::{PROD}:role/break-glass
source_profile = dev-admin
mfa_serial = arn:aws:iam::{DEV}:mfa/sandbox-user

[profile short-deploy]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = dev-admin
duration_seconds = 900

[profile via-process]
credential_process = {ROLECALL_CMD} credential-process --profile dev-admin
"""


_LOADER = None


def botocore_session():
    """A fresh botocore session sharing one data loader (service models parse once per run)."""
    global _LOADER
    import botocore.session

    session = botocore.session.Session()
    if _LOADER is None:
        _LOADER = session.get_component("data_loader")
    session.register_component("data_loader", _LOADER)
    return session


def token_path(home: Path, key_source: str = SESSION) -> Path:
    """Where the AWS CLI keeps the SSO token of `key_source` (an sso-session name, or a legacy start URL)."""
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(key_source.encode()).hexdigest() + ".json")


def cli_login(home: Path, *, session: str | None = SESSION, start_url: str = START_URL,
              expires_in: int | None = None, sandbox=None) -> dict:
    """Device-flow login with botocore's own client; token file written in the CLI format.

    Independent of rolecall's login code. Against `sandbox` when given (its
    device knob approves), else the AWS_ENDPOINT_URL_* one (auto-approve).
    `expires_in` (seconds, may be negative) rewrites expiresAt to simulate an
    old token; the refresh token stays valid.
    """
    from botocore import UNSIGNED
    from botocore.config import Config

    client = botocore_session().create_client(
        "sso-oidc", region_name=REGION, endpoint_url=sandbox.url if sandbox is not None else None,
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    name = f"botocore-client-{session}" if session else "botocore-client"
    reg = client.register_client(clientName=name, clientType="public", scopes=["sso:account:access"])
    auth = client.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                             startUrl=start_url)
    if sandbox is not None:
        sandbox.approve_all()
    token = client.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                                clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                deviceCode=auth["deviceCode"])
    now = datetime.now(timezone.utc)
    lifetime = token["expiresIn"] if expires_in is None else expires_in
    data = {
        "startUrl": start_url,
        "region": REGION,
        "accessToken": token["accessToken"],
        "expiresAt": (now + timedelta(seconds=lifetime)).strftime(FMT),
        "clientId": reg["clientId"],
        "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": datetime.fromtimestamp(reg["clientSecretExpiresAt"], timezone.utc).strftime(FMT),
        "refreshToken": token["refreshToken"],
    }
    path = token_path(home, session if session else start_url)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
    return data


def sso_role_credentials(access_token: str, account_id: str, role_name: str) -> dict:
    """GetRoleCredentials straight through botocore (for sources rolecall must not produce itself)."""
    from botocore import UNSIGNED
    from botocore.config import Config

    client = botocore_session().create_client(
        "sso", region_name=REGION, config=Config(signature_version=UNSIGNED))
    rc = client.get_role_credentials(roleName=role_name, accountId=account_id,
                                     accessToken=access_token)["roleCredentials"]
    return {
        "AccessKeyId": rc["accessKeyId"],
        "SecretAccessKey": rc["secretAccessKey"],
        "SessionToken": rc["sessionToken"],
        "Expiration": datetime.fromtimestamp(rc["expiration"] / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def caller_identity(creds: dict) -> dict:
    """GetCallerIdentity with credential_process-style `creds` (through the sandbox)."""
    import boto3

    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds.get("SessionToken"), region_name=REGION,
                            botocore_session=botocore_session())
    return session.client("sts").get_caller_identity()


def cli_cache_files(home: Path) -> list[Path]:
    directory = home / ".aws" / "cli" / "cache"
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def assert_no_secrets(text: str, *values: str | None) -> None:
    for value in values:
        if value:
            assert value not in text, "a secret leaked into captured output"


def sandbox_config(org, *, session: str, limit: int | None = None, extra: str = "") -> tuple[str, list[str]]:
    """An sso-session for the sandbox and one profile per account×role: (text, profile names)."""
    lines = [f"[sso-session {session}]", f"sso_start_url = {org.start_url}", f"sso_region = {org.region}",
             "sso_registration_scopes = sso:account:access", ""]
    names = []
    for account in org.accounts:
        for role in account.roles:
            name = f"p{len(names)}"
            names.append(name)
            lines += [f"[profile {name}]", f"sso_session = {session}", f"sso_account_id = {account.id}",
                      f"sso_role_name = {role}", f"region = {org.region}", ""]
            if limit is not None and len(names) >= limit:
                return "\n".join(lines) + extra, names
    return "\n".join(lines) + extra, names


def cache_files(home: Path) -> list[Path]:
    """Every token and role-credentials file in the AWS CLI's two caches."""
    found = []
    for sub in (("sso", "cache"), ("cli", "cache")):
        directory = home.joinpath(".aws", *sub)
        if directory.is_dir():
            found += sorted(directory.glob("*.json"))
    return found


def aws_cli_credentials(home: Path, profile: str):
    """What the AWS CLI resolves for `profile`: botocore's chain with the CLI's file caches
    (~/.aws/cli/cache) on its SSO and assume-role providers (frozen credentials)."""
    from botocore.utils import JSONFileCache

    session = botocore_session()
    session.set_config_variable("profile", profile)
    resolver = session.get_component("credential_provider")
    cache = JSONFileCache(str(home / ".aws" / "cli" / "cache"))
    for name in ("sso", "assume-role", "assume-role-with-web-identity"):
        resolver.get_provider(name).cache = cache
    return session.get_credentials().get_frozen_credentials()
