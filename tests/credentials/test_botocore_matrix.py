"""The differential matrix: every kind of profile botocore resolves, resolved by rolecall and by boto3.

One config holds a profile of each source botocore knows (sso-session, legacy
SSO, SSO → role → role, credential_process, static keys, a role from static
keys and from its own keys, credential_source Environment / EcsContainer /
Ec2InstanceMetadata, web identity, and a role on top of web identity). For
each, the identity (STS GetCallerIdentity through the sandbox) of the keys
`rolecall export P --format json` prints equals the identity of boto3's own
`Session(profile_name=P)`, and so does the profile's region each reports. The keys in the
environment belong to yet another role: a named profile must ignore them, as
botocore does. Every profile botocore rejects, rolecall rejects too, with one
line naming the key and a hint.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest

from tests.support import compute_endpoints
from tests.support.cli import run_rolecall
from tests.support.sso import BASE_CONFIG, DEV, STAGING, cli_login

MATRIX = BASE_CONFIG + f"""
[profile static]
region = ap-southeast-2

[profile static-role]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = static

[profile self-keys-role]
role_arn = arn:aws:iam::{DEV}:role/deploy
source_profile = self-keys-role

[profile from-env]
role_arn = arn:aws:iam::{STAGING}:role/deploy
credential_source = Environment
region = us-west-2

[profile ecs-role]
role_arn = arn:aws:iam::{STAGING}:role/deploy
credential_source = EcsContainer

[profile imds-role]
role_arn = arn:aws:iam::{DEV}:role/deploy
credential_source = Ec2InstanceMetadata
region = eu-central-1

[profile web]
role_arn = arn:aws:iam::{STAGING}:role/deploy
web_identity_token_file = {{token}}
role_session_name = ci-job

[profile above-web]
role_arn = arn:aws:iam::{DEV}:role/deploy
source_profile = web
region = sa-east-1
"""

RESOLVED = ["dev-admin", "dev-ro", "legacy-staging", "staging-deploy", "dev-deploy", "partner", "via-process",
            "static", "static-role", "self-keys-role", "from-env", "ecs-role", "imds-role", "web", "above-web"]

REJECTED = f"""
[profile no-source]
role_arn = arn:aws:iam::{STAGING}:role/deploy

[profile two-sources]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = dev-admin
credential_source = Environment

[profile missing-source]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = nowhere

[profile odd-source]
role_arn = arn:aws:iam::{STAGING}:role/deploy
credential_source = Mainframe

[profile loop-a]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::{STAGING}:role/deploy
source_profile = loop-a

[profile no-such-session]
sso_session = nowhere
sso_account_id = {DEV}
sso_role_name = ReadOnlyAccess

[profile no-role-name]
sso_session = sandbox
sso_account_id = {DEV}
"""

# profile → the key its one-line error must name
REJECTED_KEYS = {"no-source": "source_profile", "two-sources": "credential_source",
                 "missing-source": "source_profile", "odd-source": "credential_source",
                 "loop-a": "source_profile", "no-such-session": "sso_session", "no-role-name": "sso_role_name"}


def _keys_ini(name: str, creds) -> str:
    return (f"[{name}]\naws_access_key_id = {creds.access_key_id}\n"
            f"aws_secret_access_key = {creds.secret_access_key}\naws_session_token = {creds.session_token}\n")


@pytest.fixture
def matrix(sandbox, aws_config, isolated_home, tmp_path, monkeypatch):
    token = tmp_path / "web-token"
    token.write_text("rolecall-sandbox-web-identity:ci-runner-7\n")
    static = compute_endpoints.sandbox_creds(sandbox)
    own = compute_endpoints.sandbox_creds(sandbox)
    aws_config(MATRIX.format(token=token) + REJECTED,
               _keys_ini("static", static) + "\n" + _keys_ini("self-keys-role", own))
    cli_login(isolated_home)
    cli_login(isolated_home, session=None)  # legacy-staging's token, keyed by its start URL
    in_env = compute_endpoints.sandbox_creds(sandbox)  # what `credential_source = Environment` uses
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", in_env.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", in_env.secret_access_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", in_env.session_token)
    container = compute_endpoints.container(sandbox, monkeypatch)
    next(container)
    imds = compute_endpoints.imds(sandbox, monkeypatch)
    next(imds)
    yield sandbox
    for endpoint in (container, imds):
        endpoint.close()


def _identity(**keys) -> str:
    sts = boto3.client("sts", region_name="us-east-1", **keys)
    return sts.get_caller_identity()["Arn"].rsplit("/", 1)[0]  # without the session name (set per call)


def _profile_region(profile: str) -> str | None:
    """The region botocore gives a session of `profile` when the environment names none."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_DEFAULT_REGION", raising=False)
        patch.delenv("AWS_REGION", raising=False)
        return boto3.Session(profile_name=profile).region_name


def test_every_source_resolves_to_the_identity_and_region_boto3_resolves(matrix):
    differences = []
    seen = set()
    for profile in RESOLVED:
        done = run_rolecall("export", profile, "--format", "json")
        assert done.returncode == 0, f"{profile}: {done.stderr}"
        ours = json.loads(done.stdout)
        frozen = boto3.Session(profile_name=profile).get_credentials().get_frozen_credentials()
        theirs = (_identity(aws_access_key_id=frozen.access_key, aws_secret_access_key=frozen.secret_key,
                            aws_session_token=frozen.token), _profile_region(profile))
        mine = (_identity(aws_access_key_id=ours["AccessKeyId"], aws_secret_access_key=ours["SecretAccessKey"],
                          aws_session_token=ours["SessionToken"]), ours["Region"])
        if mine != theirs:
            differences.append((profile, mine, theirs))
        seen.add(mine[0])
        # a named profile ignores the keys in the environment, as botocore's explicit profile does
        assert ours["AccessKeyId"] != os.environ["AWS_ACCESS_KEY_ID"], profile
    assert differences == []
    assert len(seen) == 6  # the matrix spans the identities it was built with (a constant answer fails)


@pytest.mark.parametrize("profile", sorted(REJECTED_KEYS))
def test_what_botocore_rejects_is_rejected_in_one_line_naming_the_key(sandbox, aws_config, isolated_home,
                                                                     profile):
    aws_config(BASE_CONFIG + REJECTED)
    with pytest.raises(Exception) as botocore_said:
        boto3.Session(profile_name=profile).get_credentials().get_frozen_credentials()
    assert "botocore" in type(botocore_said.value).__module__
    done = run_rolecall("export", profile, "--format", "json")
    assert done.returncode == 3, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and lines[1].startswith("hint: "), done.stderr
    assert REJECTED_KEYS[profile] in lines[0] and os.environ["AWS_CONFIG_FILE"] in lines[0]
    assert done.stdout == ""
