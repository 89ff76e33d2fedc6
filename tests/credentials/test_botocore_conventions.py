"""Where rolecall follows botocore's conventions: the profile the environment selects, and -d on chained roles."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.support.cli import run_rolecall
from tests.support.sso import BASE_CONFIG, cli_login

STATIC = """\
[profile from-default-profile]
region = us-east-1

[profile from-aws-profile]
region = us-east-1
"""
STATIC_KEYS = """\
[from-default-profile]
aws_access_key_id = AKIADEFAULTPROFILE
aws_secret_access_key = a

[from-aws-profile]
aws_access_key_id = AKIAAWSPROFILE
aws_secret_access_key = b
"""


@pytest.mark.parametrize("env", [
    {"AWS_PROFILE": "from-aws-profile", "AWS_DEFAULT_PROFILE": "from-default-profile"},
    {"AWS_PROFILE": "from-aws-profile"},
    {"AWS_DEFAULT_PROFILE": "from-default-profile"},
])
def test_the_environment_selects_the_profile_botocore_selects(aws_config, monkeypatch, env):
    aws_config(STATIC, STATIC_KEYS)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    botocore_key = boto3.Session().get_credentials().access_key
    ours = run_rolecall("export", "--format", "json")
    assert ours.returncode == 0, ours.stderr
    assert json.loads(ours.stdout)["AccessKeyId"] == botocore_key


@pytest.mark.parametrize("profile", ["staging-deploy", "dev-deploy"])  # SSO → role, SSO → role → role
def test_more_than_an_hour_on_a_chained_role_is_refused_before_any_call(sandbox, aws_config, isolated_home,
                                                                       profile):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    sandbox.reset_counts()
    for argv in (["export", profile, "-d", "7200"], ["exec", "-d", "2h", profile, "--", "true"]):
        done = run_rolecall(*argv)
        assert done.returncode == 2, done.stderr
        assert "role chaining" in done.stderr and "3600" in done.stderr and "hint:" in done.stderr
    assert sandbox.count("AssumeRole") == 0 and sandbox.count("GetRoleCredentials") == 0
    fine = run_rolecall("export", profile, "-d", "3600", "--format", "json")
    assert fine.returncode == 0, fine.stderr


def test_a_role_from_user_keys_may_last_longer(sandbox, aws_config):
    aws_config("[profile base]\nregion = us-east-1\n[profile up]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"
               "source_profile = base\n", "[base]\naws_access_key_id = AKIAUSER\naws_secret_access_key = s\n")
    done = run_rolecall("export", "up", "-d", "7200")
    assert "role chaining" not in done.stderr  # (the sandbox then answers for itself)
