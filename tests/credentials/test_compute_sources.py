"""credential_source = EcsContainer / Ec2InstanceMetadata, through botocore's own providers, and the same
identity as boto3 resolves (a differential test: STS GetCallerIdentity through the sandbox for both)."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.cli import run_rolecall

CONFIG = """\
[profile ecs-role]
role_arn = arn:aws:iam::222222222222:role/deploy
credential_source = EcsContainer
region = us-east-1

[profile imds-role]
role_arn = arn:aws:iam::222222222222:role/deploy
credential_source = Ec2InstanceMetadata
region = us-east-1

[profile on-top]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = ecs-role
region = us-east-1
"""


def _identity(env: dict, profile: str | None = None, keys: dict | None = None) -> str:
    if keys is not None:
        sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id=keys["AccessKeyId"],
                           aws_secret_access_key=keys["SecretAccessKey"], aws_session_token=keys["SessionToken"])
    else:
        sts = boto3.Session(profile_name=profile).client("sts", region_name="us-east-1")
    arn = sts.get_caller_identity()["Arn"]
    return arn.rsplit("/", 1)[0]  # (the session name is per call)


@pytest.mark.parametrize("profile", ["ecs-role", "on-top"])
def test_ecs_container_source_resolves_as_botocore_does(sandbox, aws_config, container, profile):
    aws_config(CONFIG)
    done = run_rolecall("export", profile, "--format", "json")
    assert done.returncode == 0, done.stderr
    ours = _identity({}, keys=json.loads(done.stdout))
    assert ours == _identity({}, profile=profile)
    assert ours.endswith(":assumed-role/deploy")


def test_instance_metadata_source_resolves_as_botocore_does(sandbox, aws_config, imds):
    aws_config(CONFIG)
    done = run_rolecall("export", "imds-role", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert _identity({}, keys=json.loads(done.stdout)) == _identity({}, profile="imds-role")


def test_no_endpoint_is_a_one_line_error_naming_the_key(sandbox, aws_config, monkeypatch):
    aws_config(CONFIG)
    for name in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    done = run_rolecall("export", "ecs-role")
    assert done.returncode == 3, done.stderr
    assert "credential_source = EcsContainer" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
    with pytest.raises(Exception):  # and botocore rejects it too
        boto3.Session(profile_name="ecs-role").get_credentials().get_frozen_credentials()


WEB = """\
[profile web]
role_arn = arn:aws:iam::222222222222:role/deploy
web_identity_token_file = {token}
region = us-east-1

[profile web-named]
role_arn = arn:aws:iam::222222222222:role/deploy
web_identity_token_file = {token}
role_session_name = ci-job
region = us-east-1

[profile above-web]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = web
region = us-east-1
"""


@pytest.mark.parametrize("profile", ["web", "web-named", "above-web"])
def test_web_identity_resolves_as_botocore_does(sandbox, aws_config, tmp_path, profile):
    token = tmp_path / "token"
    token.write_text("rolecall-sandbox-web-identity:ci-runner-42\n")
    aws_config(WEB.format(token=token))
    done = run_rolecall("export", profile, "--format", "json")
    assert done.returncode == 0, done.stderr
    ours = _identity({}, keys=json.loads(done.stdout))
    assert ours == _identity({}, profile=profile)
    if profile == "web-named":
        from tests.support.sso import cli_cache_files
        from rolecall.credentials import role_cache

        key = role_cache.assume_role_key({"RoleArn": "arn:aws:iam::222222222222:role/deploy",
                                          "RoleSessionName": "ci-job"})
        assert key in {p.stem for p in cli_cache_files(tmp_path / "home")}  # the AWS CLI's cache key


def test_a_bad_web_identity_token_is_refused_like_botocore(sandbox, aws_config, tmp_path):
    token = tmp_path / "token"
    token.write_text("not-a-token")
    aws_config(WEB.format(token=token))
    done = run_rolecall("export", "web")
    assert done.returncode == 5 and "InvalidIdentityToken" in done.stderr, done.stderr
    with pytest.raises(Exception, match="InvalidIdentityToken"):
        boto3.Session(profile_name="web").get_credentials().get_frozen_credentials()
    aws_config(WEB.format(token=tmp_path / "missing"))
    missing = run_rolecall("export", "web")
    assert missing.returncode == 3 and "web_identity_token_file" in missing.stderr and "hint:" in missing.stderr
