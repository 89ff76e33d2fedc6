"""STS emulation: SigV4 verification, GetCallerIdentity, AssumeRole (chaining, external id, MFA)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.sandbox_clients import sts_client


def _code(exc: pytest.ExceptionInfo) -> tuple[str, int]:
    resp = exc.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]


def test_caller_identity_of_sso_credentials(sso_creds):
    ident = sts_client(sso_creds).get_caller_identity()
    assert ident["Account"] == "111111111111"
    assert ident["Arn"] == "arn:aws:sts::111111111111:assumed-role/AdministratorAccess/user@example.invalid"
    assert ident["UserId"].startswith("AROA") and ident["UserId"].endswith(":user@example.invalid")


def test_signature_checks(sso_creds, sbx):
    bad_secret = {**sso_creds, "secretAccessKey": "x" * 40}
    with pytest.raises(ClientError) as exc:
        sts_client(bad_secret).get_caller_identity()
    assert _code(exc) == ("SignatureDoesNotMatch", 403)
    unknown = {**sso_creds, "accessKeyId": "ASIAAAAAAAAAAAAAAAAA"}
    with pytest.raises(ClientError) as exc:
        sts_client(unknown).get_caller_identity()
    assert _code(exc) == ("InvalidClientTokenId", 403)
    wrong_token = {**sso_creds, "sessionToken": "not-the-token"}
    with pytest.raises(ClientError) as exc:
        sts_client(wrong_token).get_caller_identity()
    assert _code(exc) == ("InvalidClientTokenId", 403)
    sbx.set_clock_offset(3601)
    with pytest.raises(ClientError) as exc:
        sts_client(sso_creds).get_caller_identity()
    assert _code(exc) == ("ExpiredToken", 403)


def test_unsigned_sts_call_is_rejected(sbx):
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.client("sts", region_name="us-east-1", config=Config(signature_version=UNSIGNED,
                                                                        retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as exc:
        client.get_caller_identity()
    assert _code(exc) == ("MissingAuthenticationToken", 403)


def test_assume_role_and_chain_again(sso_creds, sbx):
    sts = sts_client(sso_creds)
    out = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/deploy", RoleSessionName="ci-run")
    assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/deploy/ci-run"
    creds = out["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    remaining = creds["Expiration"] - datetime.now(timezone.utc)
    assert timedelta(minutes=55) < remaining <= timedelta(hours=1, seconds=5)
    ident = sts_client(creds).get_caller_identity()
    assert ident["Arn"] == out["AssumedRoleUser"]["Arn"]
    # a permission-set role of another account is assumable too, from the assumed role
    again = sts_client(creds).assume_role(RoleArn="arn:aws:iam::444444444444:role/ReadOnlyAccess",
                                          RoleSessionName="hop2", DurationSeconds=900)
    assert again["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ReadOnlyAccess/hop2")


@pytest.mark.parametrize(
    "kwargs, code, status",
    [
        (dict(RoleArn="arn:aws:iam::222222222222:role/deploy", RoleSessionName="s1", DurationSeconds=7200),
         "ValidationError", 400),
        (dict(RoleArn="arn:aws:iam::222222222222:role/deploy", RoleSessionName="s1", DurationSeconds=60),
         "ValidationError", 400),
        (dict(RoleArn="arn:aws:iam::222222222222:role/nope", RoleSessionName="s1"), "AccessDenied", 403),
        (dict(RoleArn="arn:aws:iam::999999999999:role/deploy", RoleSessionName="s1"), "AccessDenied", 403),
        (dict(RoleArn="not-an-arn", RoleSessionName="s1"), "ValidationError", 400),
        (dict(RoleArn="arn:aws:iam::222222222222:role/deploy", RoleSessionName="bad name!"), "ValidationError", 400),
        (dict(RoleArn="arn:aws:iam::222222222222:role/partner-access", RoleSessionName="s1"), "AccessDenied", 403),
        (dict(RoleArn="arn:aws:iam::222222222222:role/partner-access", RoleSessionName="s1", ExternalId="wrong"),
         "AccessDenied", 403),
        (dict(RoleArn="arn:aws:iam::333333333333:role/break-glass", RoleSessionName="s1"), "AccessDenied", 403),
        (dict(RoleArn="arn:aws:iam::333333333333:role/break-glass", RoleSessionName="s1",
              SerialNumber="arn:aws:iam::111111111111:mfa/me", TokenCode="000000"), "AccessDenied", 403),
    ],
    ids=["chain-over-1h", "too-short", "unknown-role", "unknown-account", "bad-arn", "bad-session-name",
         "external-id-missing", "external-id-wrong", "mfa-missing", "mfa-wrong-code"],
)
def test_assume_role_rejections(sso_creds, kwargs, code, status):
    with pytest.raises(ClientError) as exc:
        sts_client(sso_creds, parameter_validation=False).assume_role(**kwargs)
    assert _code(exc) == (code, status)


def test_assume_role_external_id_and_mfa(sso_creds):
    sts = sts_client(sso_creds)
    ext = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/partner-access", RoleSessionName="pa",
                          ExternalId="rolecall-external-id")
    assert ext["AssumedRoleUser"]["Arn"].endswith("/partner-access/pa")
    mfa = sts.assume_role(RoleArn="arn:aws:iam::333333333333:role/break-glass", RoleSessionName="bg",
                          SerialNumber="arn:aws:iam::111111111111:mfa/me", TokenCode="123456")
    assert mfa["AssumedRoleUser"]["Arn"].endswith("/break-glass/bg")


def test_botocore_sso_and_role_chain_profiles_end_to_end(sbx, token, tmp_path, monkeypatch):
    """botocore's own SSO provider and assume-role provider against a sandbox-generated config."""
    from rolecall.sandbox.profiles import render_config

    config = tmp_path / "config"
    config.write_text(render_config(sbx.org), encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    cache = tmp_path / "sso-cache"
    cache.mkdir()
    # botocore computes its SSO cache dir from HOME once, at import time: point it at tmp_path.
    import botocore.credentials
    import botocore.tokens

    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    expires = (datetime.now(timezone.utc) + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / (hashlib.sha1(b"sandbox").hexdigest() + ".json")).write_text(json.dumps({
        "startUrl": sbx.org.start_url, "region": "us-east-1", "accessToken": token["accessToken"],
        "expiresAt": expires}))
    ident = boto3.Session(profile_name="sandbox-prod-ReadOnlyAccess").client("sts").get_caller_identity()
    assert ident["Arn"] == "arn:aws:sts::333333333333:assumed-role/ReadOnlyAccess/user@example.invalid"
    chained = boto3.Session(profile_name="sandbox-dev-deploy-chain").client("sts").get_caller_identity()
    assert chained["Arn"] == "arn:aws:sts::111111111111:assumed-role/deploy/rolecall-sandbox"
    assert sbx.count("GetRoleCredentials") == 2 and sbx.count("AssumeRole") == 1
