"""~/.aws/cli/cache shared with the AWS CLI, both ways, proven with botocore's own providers.

botocore's providers are given `JSONFileCache(~/.aws/cli/cache)` exactly as the AWS CLI
configures them; the sandbox counts the calls, so "no call" means "read from the cache".
"""

from __future__ import annotations

import json
from pathlib import Path

from rolecall import awsconfig
from rolecall.credentials import Resolver

from tests.support.sso import BASE_CONFIG, DEV, STAGING, cli_cache_files, sso_role_credentials


def _botocore_sso(home: Path, profile: str):
    """botocore's SSOProvider for `profile`, caches wired like the AWS CLI's."""
    import botocore.session
    from botocore.credentials import SSOProvider
    from botocore.tokens import SSOTokenProvider
    from botocore.utils import JSONFileCache

    session = botocore.session.Session(profile=profile)
    # explicit dirs: botocore computes its defaults from HOME at import time
    token_cache = JSONFileCache(str(home / ".aws" / "sso" / "cache"))
    provider = SSOProvider(
        load_config=lambda: session.full_config,
        client_creator=session.create_client,
        profile_name=profile,
        cache=JSONFileCache(str(home / ".aws" / "cli" / "cache")),
        token_cache=token_cache,
        token_provider=SSOTokenProvider(session, cache=token_cache, profile_name=profile),
    )
    return provider.load().get_frozen_credentials()


def _botocore_assume(home: Path, profile: str):
    """A botocore session for `profile` whose assume-role provider uses the CLI's cache."""
    import botocore.session
    from botocore.utils import JSONFileCache

    session = botocore.session.Session(profile=profile)
    resolver = session.get_component("credential_provider")
    resolver.get_provider("assume-role").cache = JSONFileCache(str(home / ".aws" / "cli" / "cache"))
    return session.get_credentials().get_frozen_credentials()


def test_botocore_reads_rolecalls_sso_entry(sandbox, logged_in, isolated_home):
    mine = Resolver(awsconfig.load()).resolve("dev-admin")
    assert sandbox.count("GetRoleCredentials") == 1
    theirs = _botocore_sso(isolated_home, "dev-admin")
    assert (theirs.access_key, theirs.secret_key, theirs.token) == (
        mine.access_key_id, mine.secret_access_key, mine.session_token)
    assert sandbox.count("GetRoleCredentials") == 1  # botocore found it in the cache


def test_rolecall_reads_botocores_sso_entry(sandbox, logged_in, isolated_home):
    theirs = _botocore_sso(isolated_home, "dev-admin")
    assert sandbox.count("GetRoleCredentials") == 1
    (written,) = cli_cache_files(isolated_home)
    mine = Resolver(awsconfig.load()).resolve("dev-admin")
    assert (mine.access_key_id, mine.secret_access_key, mine.session_token) == (
        theirs.access_key, theirs.secret_key, theirs.token)
    assert mine.account_id == DEV
    assert sandbox.count("GetRoleCredentials") == 1
    assert cli_cache_files(isolated_home) == [written]  # same key: no second file


def test_sso_entries_are_byte_identical(sandbox, logged_in, isolated_home):
    """Same key, same bytes: what rolecall writes is what botocore would have written."""
    Resolver(awsconfig.load()).resolve("dev-admin")
    (path,) = cli_cache_files(isolated_home)
    mine = path.read_text()
    path.unlink()
    _botocore_sso(isolated_home, "dev-admin")
    theirs = path.read_text()
    a, b = json.loads(mine), json.loads(theirs)
    # same fields in the same order; only the credential values differ (two fetches)
    assert list(a) == list(b) and list(a["Credentials"]) == list(b["Credentials"])
    assert a["ProviderType"] == b["ProviderType"] == "sso"
    assert a["Credentials"]["AccountId"] == b["Credentials"]["AccountId"] == DEV
    # both are json.dumps with default separators, the way JSONFileCache writes
    assert mine == json.dumps(a) and theirs == json.dumps(b)


def _keyed_config(aws_config, logged_in) -> dict:
    """A role whose source is static keys (sandbox-issued), so botocore needs no SSO of its own."""
    src = sso_role_credentials(logged_in["accessToken"], DEV, "AdministratorAccess")
    aws_config(BASE_CONFIG + f"\n[profile keyed]\nrole_arn = arn:aws:iam::{STAGING}:role/deploy\n"
               "source_profile = keys\nexternal_id = not-required-here\n",
               credentials=f"[keys]\naws_access_key_id = {src['AccessKeyId']}\n"
                           f"aws_secret_access_key = {src['SecretAccessKey']}\n"
                           f"aws_session_token = {src['SessionToken']}\n")
    return src


def test_botocore_reads_rolecalls_assume_role_entry(sandbox, logged_in, aws_config, isolated_home):
    _keyed_config(aws_config, logged_in)
    mine = Resolver(awsconfig.load()).resolve("keyed")
    assert sandbox.count("AssumeRole") == 1
    theirs = _botocore_assume(isolated_home, "keyed")
    assert (theirs.access_key, theirs.secret_key, theirs.token) == (
        mine.access_key_id, mine.secret_access_key, mine.session_token)
    assert sandbox.count("AssumeRole") == 1


def test_rolecall_reads_botocores_assume_role_entry(sandbox, logged_in, aws_config, isolated_home):
    _keyed_config(aws_config, logged_in)
    theirs = _botocore_assume(isolated_home, "keyed")
    assert sandbox.count("AssumeRole") == 1
    (path,) = cli_cache_files(isolated_home)
    assert json.loads(path.read_text())["Credentials"]["Expiration"].endswith("UTC")
    mine = Resolver(awsconfig.load()).resolve("keyed")
    assert (mine.access_key_id, mine.secret_access_key, mine.session_token) == (
        theirs.access_key, theirs.secret_key, theirs.token)
    assert mine.account_id == STAGING and mine.role_name == "deploy"
    assert sandbox.count("AssumeRole") == 1
    assert cli_cache_files(isolated_home) == [path]


def test_assume_role_entry_has_the_response_shape_botocore_caches(sandbox, logged_in, aws_config, isolated_home):
    _keyed_config(aws_config, logged_in)
    Resolver(awsconfig.load()).resolve("keyed")
    (path,) = cli_cache_files(isolated_home)
    mine = json.loads(path.read_text())
    path.unlink()
    _botocore_assume(isolated_home, "keyed")
    theirs = json.loads(path.read_text())
    assert set(mine) == set(theirs)
    assert set(mine["Credentials"]) == set(theirs["Credentials"])
    assert set(mine["AssumedRoleUser"]) == set(theirs["AssumedRoleUser"])
