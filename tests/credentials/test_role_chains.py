"""Role chains against the sandbox's STS: SSO → role → role, external_id, MFA, durations,
sources of every kind, cycles and credential_process loops."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rolecall import awsconfig
from rolecall.credentials import Resolver
from rolecall.credentials import role_cache
from rolecall.errors import ConfigError, LoginRequired

from tests.support.sso import (
    BASE_CONFIG, DEV, PROD, STAGING, assert_no_secrets, caller_identity, cli_cache_files, sso_role_credentials,
)


def _ok(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _no_tty_run(*args: str) -> subprocess.CompletedProcess:
    """rolecall in a new session: no controlling terminal, so /dev/tty cannot be opened."""
    return subprocess.run([sys.executable, "-m", "rolecall", *args], capture_output=True, text=True,
                          env=dict(os.environ), stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)


def _assume_key(**kwargs) -> str:
    return role_cache.assume_role_key(kwargs)


def test_sso_then_role_then_role(rolecall, sandbox, logged_in, isolated_home):
    doc = _ok(rolecall("credential-process", "--profile", "dev-deploy"))
    ident = caller_identity(doc)
    assert ident["Account"] == DEV
    assert ident["Arn"] == f"arn:aws:sts::{DEV}:assumed-role/deploy/chained-session"
    assert sandbox.count("GetRoleCredentials") == 1
    assert sandbox.count("AssumeRole") == 2
    cache = isolated_home / ".aws" / "cli" / "cache"
    middle = cache / (_assume_key(RoleArn=f"arn:aws:iam::{STAGING}:role/deploy") + ".json")
    top = cache / (_assume_key(RoleArn=f"arn:aws:iam::{DEV}:role/deploy", RoleSessionName="chained-session")
                   + ".json")
    sso = cache / (role_cache.sso_key(DEV, "AdministratorAccess", session_name="sandbox", start_url=None) + ".json")
    assert sorted(cli_cache_files(isolated_home)) == sorted([middle, top, sso])
    entry = json.loads(top.read_text())
    assert entry["Credentials"]["AccessKeyId"] == doc["AccessKeyId"]
    assert entry["Credentials"]["AccountId"] == DEV
    assert entry["Credentials"]["Expiration"].endswith("UTC")  # JSONFileCache's datetime form
    assert entry["AssumedRoleUser"]["Arn"] == ident["Arn"]
    # everything cached now: a second run makes no call at all
    again = _ok(rolecall("credential-process", "--profile", "dev-deploy"))
    assert again == doc
    assert (sandbox.count("GetRoleCredentials"), sandbox.count("AssumeRole")) == (1, 2)


def test_top_of_chain_refetched_reuses_cached_source(sandbox, logged_in, isolated_home):
    Resolver(awsconfig.load()).resolve("dev-deploy")
    top = isolated_home / ".aws" / "cli" / "cache" / (
        _assume_key(RoleArn=f"arn:aws:iam::{DEV}:role/deploy", RoleSessionName="chained-session") + ".json")
    top.unlink()
    Resolver(awsconfig.load()).resolve("dev-deploy")
    assert (sandbox.count("GetRoleCredentials"), sandbox.count("AssumeRole")) == (1, 3)


def test_auto_session_name_like_botocore(sandbox, logged_in):
    creds = Resolver(awsconfig.load()).resolve("staging-deploy")
    arn = caller_identity(creds.process_json())["Arn"]
    session = arn.rsplit("/", 1)[1]
    assert session.startswith("botocore-session-") and session[len("botocore-session-"):].isdigit()
    assert creds.account_id == STAGING and creds.role_name == "deploy"


def test_external_id(rolecall, sandbox, logged_in):
    creds = Resolver(awsconfig.load()).resolve("partner")
    assert ":assumed-role/partner-access/" in caller_identity(creds.process_json())["Arn"]
    denied = rolecall("credential-process", "--profile", "partner-no-id")
    assert denied.returncode == 5
    lines = denied.stderr.splitlines()
    assert lines[0].startswith("rolecall: error: sts assume_role failed: AccessDenied: ")
    assert lines[0].endswith("role/partner-access (profile 'partner-no-id')")
    assert lines[1] == "hint: check role_arn, external_id, mfa_serial and the role's trust policy"
    assert "Traceback" not in denied.stderr


def test_mfa_with_mfa_token(rolecall, sandbox, logged_in):
    doc = _ok(rolecall("credential-process", "--profile", "break-glass", "--mfa-token", "123456"))
    ident = caller_identity(doc)
    assert ident["Account"] == PROD and ":assumed-role/break-glass/" in ident["Arn"]
    # cached: no code needed, no terminal needed
    again = _no_tty_run("credential-process", "--profile", "break-glass")
    assert _ok(again) == doc
    assert sandbox.count("AssumeRole") == 1


def test_mfa_prompter_is_passed_in(sandbox, logged_in):
    asked = []

    def prompter(serial: str, profile: str) -> str:
        asked.append((serial, profile))
        return "123456"

    creds = Resolver(awsconfig.load(), mfa_prompter=prompter).resolve("break-glass")
    assert asked == [(f"arn:aws:iam::{DEV}:mfa/sandbox-user", "break-glass")]
    assert creds.account_id == PROD and sandbox.count("AssumeRole") == 1


def test_client_creator_is_passed_in(sandbox, logged_in):
    from rolecall import aws

    made = []

    def creator(service, region, **kwargs):
        made.append((service, region))
        return aws.client(service, region, **kwargs)

    creds = Resolver(awsconfig.load(), client_creator=creator, mfa_token="123456").resolve("break-glass")
    assert creds.account_id == PROD
    assert [service for service, _ in made] == ["sso", "sts"]  # the SSO base, then the role on top


def test_mfa_without_code_or_terminal_is_no_terminal(sandbox, logged_in):
    result = _no_tty_run("credential-process", "--profile", "break-glass")
    assert result.returncode == 7
    assert result.stderr.splitlines() == [
        f"rolecall: error: profile 'break-glass' needs an MFA code for arn:aws:iam::{DEV}:mfa/sandbox-user "
        "and there is no terminal to ask on",
        "hint: pass the code: --mfa-token CODE",
    ]
    assert sandbox.count("AssumeRole") == 0


def test_wrong_mfa_code_is_an_aws_error(rolecall, sandbox, logged_in):
    result = rolecall("credential-process", "--profile", "break-glass", "--mfa-token", "000000")
    assert result.returncode == 5
    assert "MultiFactorAuthentication failed" in result.stderr


def test_duration_seconds_from_profile_and_override(sandbox, logged_in):
    short = Resolver(awsconfig.load()).resolve("short-deploy")
    assert 13 * 60 < short.seconds_left() <= 15 * 60
    creds = Resolver(awsconfig.load(), duration_seconds=1800).resolve("staging-deploy")
    left = creds.seconds_left()
    assert 28 * 60 < left <= 30 * 60
    # the duration is part of the cache key, as in botocore
    keys = {p.stem for p in cli_cache_files(Path(os.environ["HOME"]))}
    arn = f"arn:aws:iam::{STAGING}:role/deploy"
    assert _assume_key(RoleArn=arn, DurationSeconds=900) in keys
    assert _assume_key(RoleArn=arn, DurationSeconds=1800) in keys


@pytest.mark.parametrize("profile, default_region", [
    ("staging-deploy", "ap-south-1"),  # no region anywhere but the environment's; its source has eu-west-1
    ("dev-deploy", "ap-south-1"),
    ("chain-with-region", "ap-south-1"),  # AWS_DEFAULT_REGION beats the profile's region, as in botocore
    ("chain-with-region", None),  # the region of the profile being resolved, for every link
])
def test_sts_region_is_the_one_botocore_uses(sandbox, logged_in, aws_config, monkeypatch, profile, default_region):
    """Differential: the regions AssumeRole is signed for (the sandbox records them), rolecall vs botocore.

    (With no region at all, botocore pointed at an endpoint override raises NoRegionError; rolecall then
    uses the partition's default region: the next test.)"""
    import boto3

    from tests.support.sso import BASE_CONFIG

    aws_config(BASE_CONFIG + "\n[profile chain-with-region]\nrole_arn = arn:aws:iam::222222222222:role/deploy\n"
                             "source_profile = dev-deploy\nregion = eu-north-1\n")
    if default_region:
        monkeypatch.setenv("AWS_DEFAULT_REGION", default_region)
    else:
        monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)

    def signed_regions(run) -> list[str]:
        sandbox.reset_counts()
        run()
        # (a set: rolecall, like the AWS CLI, reuses a cached role whose cache key another link shares)
        return sorted({name.split("@", 1)[1] for name in sandbox.counts if name.startswith("AssumeRole@")})

    ours = signed_regions(lambda: Resolver(awsconfig.load()).resolve(profile))
    theirs = signed_regions(lambda: boto3.Session(profile_name=profile).get_credentials().get_frozen_credentials())
    assert ours == theirs and ours, (ours, theirs)


def test_a_regionless_govcloud_or_china_chain_never_goes_to_commercial_us_east_1(aws_config, monkeypatch):
    from rolecall import aws

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    regions: list[str] = []

    def spy(service, region, **kwargs):
        regions.append(region)
        raise RuntimeError("stop here")

    for partition, expected in (("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-north-1"), ("aws", "us-east-1")):
        aws_config("[profile base]\n[profile role]\nsource_profile = base\n"
                   f"role_arn = arn:{partition}:iam::123456789012:role/r\n",
                   "[base]\naws_access_key_id = AKIAUSER\naws_secret_access_key = s\n")
        monkeypatch.setattr(aws, "client", spy)
        with pytest.raises(RuntimeError):
            Resolver(awsconfig.load()).resolve("role")
        assert regions[-1] == expected


def test_cycle_is_a_config_error_naming_the_chain(rolecall, aws_config, sandbox):
    aws_config("[profile a]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = b\n\n"
               "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/deploy\nsource_profile = a\n")
    result = rolecall("credential-process", "--profile", "a")
    assert result.returncode == 3
    assert "source_profile cycle: a -> b -> a" in result.stderr
    assert len(result.stderr.splitlines()) == 2 and "Traceback" not in result.stderr


def test_credential_process_loop_is_cut(rolecall, aws_config, sandbox):
    aws_config(f"[profile loop]\ncredential_process = {sys.executable} -m rolecall credential-process "
               "--profile loop\n")
    result = rolecall("credential-process", "--profile", "loop", timeout=60)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("rolecall: error: credential_process of profile 'loop' failed (exit 3): ")
    assert "credential_process loop: loop -> loop" in lines[0]


def test_loop_through_a_role_source_is_cut(rolecall, aws_config, sandbox):
    aws_config(f"[profile role]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = proc\n\n"
               f"[profile proc]\ncredential_process = {sys.executable} -m rolecall credential-process "
               "--profile role\n")
    result = rolecall("credential-process", "--profile", "role", timeout=60)
    assert result.returncode != 0
    assert "credential_process loop: role -> proc -> role" in result.stderr


def test_failing_process_source_reports_its_stderr(rolecall, aws_config, sandbox, tmp_path):
    script = tmp_path / "vault.py"
    script.write_text("import sys\nsys.stderr.write('vault is sealed\\ntry again later\\n')\nsys.exit(3)\n")
    aws_config(f"[profile role]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = vault\n\n"
               f"[profile vault]\ncredential_process = {sys.executable} {script}\n")
    result = rolecall("credential-process", "--profile", "role")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "rolecall: error: credential_process of profile 'vault' failed (exit 3): vault is sealed | try again later")
    assert sandbox.count("AssumeRole") == 0


def test_process_source_credentials_assume_a_role(aws_config, sandbox, logged_in, tmp_path):
    source = sso_role_credentials(logged_in["accessToken"], DEV, "AdministratorAccess")
    script = tmp_path / "helper.py"
    script.write_text(f"import json\nprint(json.dumps({json.dumps({'Version': 1, **source})}))\n")
    aws_config(BASE_CONFIG + f"\n[profile helper]\ncredential_process = {sys.executable} {script}\n\n"
               f"[profile via-helper]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\nsource_profile = helper\n")
    doc = Resolver(awsconfig.load()).resolve("via-helper").process_json()
    assert caller_identity(doc)["Arn"].startswith(f"arn:aws:sts::{STAGING}:assumed-role/deploy/")
    assert_no_secrets(json.dumps(doc), source["SecretAccessKey"])  # new credentials, not the source's
    # and the process profile itself resolves to exactly what its helper printed
    assert Resolver(awsconfig.load()).resolve("helper").process_json() == {"Version": 1, **source}


def test_static_key_source_from_the_credentials_file(rolecall, aws_config, sandbox, logged_in):
    """Through the CLI: static keys print without Expiration (botocore: not refreshable)."""
    src = sso_role_credentials(logged_in["accessToken"], DEV, "AdministratorAccess")
    aws_config(BASE_CONFIG + f"\n[profile keyed]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\n"
               "source_profile = keys\n",
               credentials=f"[keys]\naws_access_key_id = {src['AccessKeyId']}\n"
                           f"aws_secret_access_key = {src['SecretAccessKey']}\n"
                           f"aws_session_token = {src['SessionToken']}\n")
    doc = _ok(rolecall("credential-process", "--profile", "keyed"))
    assert caller_identity(doc)["Account"] == STAGING
    static = _ok(rolecall("credential-process", "--profile", "keys"))
    assert static == {"Version": 1, "AccessKeyId": src["AccessKeyId"], "SecretAccessKey": src["SecretAccessKey"],
                      "SessionToken": src["SessionToken"]}


def test_unknown_static_keys_are_rejected_by_sts(rolecall, aws_config, sandbox):
    aws_config("[profile r]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = k\n",
               credentials="[k]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = c2VjcmV0\n")
    result = rolecall("credential-process", "--profile", "r")
    assert result.returncode == 5
    assert "InvalidClientTokenId" in result.stderr
    assert_no_secrets(result.stderr, "c2VjcmV0")


def test_credential_source_environment(aws_config, sandbox, logged_in, monkeypatch):
    src = sso_role_credentials(logged_in["accessToken"], DEV, "AdministratorAccess")
    aws_config(f"[profile from-env]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\n"
               "credential_source = Environment\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", src["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", src["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", src["SessionToken"])
    creds = Resolver(awsconfig.load()).resolve("from-env")
    assert caller_identity(creds.process_json())["Account"] == STAGING
    for path in cli_cache_files(Path(os.environ["HOME"])):
        path.unlink()  # else the cached role answers without looking at the source
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(ConfigError) as info:
        Resolver(awsconfig.load()).resolve("from-env")
    assert "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set" in info.value.message


@pytest.mark.parametrize("source, words", [
    # (off AWS compute: no container endpoint, and the test env disables IMDS)
    ("Ec2InstanceMetadata", "credential_source = Ec2InstanceMetadata: the instance metadata service gave no role"),
    ("EcsContainer", "credential_source = EcsContainer: no container credentials endpoint"),
    ("Nonsense", "credential_source 'Nonsense' is not one botocore knows"),
])
def test_credential_sources_without_their_endpoint_are_a_clear_error(rolecall, aws_config, source, words):
    aws_config(f"[profile x]\nrole_arn = arn:aws:iam::111111111111:role/deploy\ncredential_source = {source}\n")
    result = rolecall("credential-process", "--profile", "x")
    assert result.returncode == 3, result.stderr
    assert f"[profile x] credential_source: {words}" in result.stderr
    assert "hint:" in result.stderr and len(result.stderr.splitlines()) == 2


def test_role_with_its_own_keys_as_source(aws_config, sandbox, logged_in):
    """botocore's special case: source_profile = itself, keys in the credentials file."""
    src = sso_role_credentials(logged_in["accessToken"], DEV, "AdministratorAccess")
    aws_config(f"[profile self]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\nsource_profile = self\n",
               credentials=f"[self]\naws_access_key_id = {src['AccessKeyId']}\n"
                           f"aws_secret_access_key = {src['SecretAccessKey']}\n"
                           f"aws_session_token = {src['SessionToken']}\n")
    doc = Resolver(awsconfig.load()).resolve("self").process_json()
    assert caller_identity(doc)["Arn"].startswith(f"arn:aws:sts::{STAGING}:assumed-role/deploy/")


def test_profile_without_credentials(rolecall, aws_config):
    aws_config("[profile empty]\nregion = eu-west-1\n")
    result = rolecall("credential-process", "--profile", "empty")
    assert result.returncode == 3
    assert "[profile empty]: profile has no credentials" in result.stderr


def test_missing_profile(rolecall, aws_config):
    aws_config("[profile a]\nregion = eu-west-1\n")
    result = rolecall("credential-process", "--profile", "nope")
    assert result.returncode == 3
    assert "profile 'nope' not found" in result.stderr
    assert "hint: run: rolecall list" in result.stderr


def test_chain_secrets_never_on_stderr(rolecall, sandbox, logged_in):
    result = rolecall("--debug", "credential-process", "--profile", "dev-deploy")
    doc = _ok(result)
    assert_no_secrets(result.stderr, doc["AccessKeyId"], doc["SecretAccessKey"], doc["SessionToken"],
                      logged_in["accessToken"])


def test_boto3_uses_rolecall_for_a_role_chain(sandbox, logged_in, aws_config):
    """credential_process = rolecall … for SSO → role → role, read by boto3 itself."""
    import boto3

    aws_config(BASE_CONFIG + f"\n[profile app]\ncredential_process = {sys.executable} -m rolecall "
               "credential-process --profile dev-deploy\n")
    ident = boto3.Session(profile_name="app").client("sts").get_caller_identity()
    assert ident["Account"] == DEV
    assert ident["Arn"] == f"arn:aws:sts::{DEV}:assumed-role/deploy/chained-session"


def test_deep_chain_is_walked_without_recursion_or_rechecking(aws_config, sandbox):
    """300 roles deep down to an SSO profile with no token: the login error, straight away."""
    parts = [BASE_CONFIG]
    previous = "dev-admin"
    for i in range(300):
        parts.append(f"[profile c{i}]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\nsource_profile = {previous}\n")
        previous = f"c{i}"
    aws_config("\n".join(parts))
    with pytest.raises(LoginRequired) as info:
        Resolver(awsconfig.load()).resolve("c299")
    assert info.value.session == "sandbox"
    assert sandbox.count("AssumeRole") == 0


def test_role_link_errors_name_the_link(rolecall, aws_config):
    aws_config("[profile top]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = mid\n\n"
               "[profile mid]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = base\n"
               "credential_source = Environment\n\n"
               "[profile base]\naws_access_key_id = A\naws_secret_access_key = B\n")
    result = rolecall("credential-process", "--profile", "top")
    assert result.returncode == 3
    assert "[profile mid] credential_source: credential_source and source_profile are mutually exclusive" in (
        result.stderr)
    assert "hint: run: rolecall config unset mid credential_source" in result.stderr
