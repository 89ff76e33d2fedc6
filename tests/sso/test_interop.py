"""rolecall and botocore share one token file: each reads (and refreshes) what the other wrote.

botocore computes ~/.aws/sso/cache at import time, so its side runs in a child process
that starts with the isolated HOME.
"""

from __future__ import annotations

import json
import textwrap
from datetime import timedelta

import pytest

from rolecall import clock
from rolecall.sso.login import login
from rolecall.sso.tokens import access_token, read_token

from tests.support.sso_flows import run_python


def botocore_side(code: str) -> dict:
    """Run `code` (which sets `out`) in a child; return `out` (JSON)."""
    script = "import json\n" + textwrap.dedent(code) + "\nprint(json.dumps(out))\n"
    result = run_python(script)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


BOTOCORE_TOKEN = """
import botocore.session
from botocore.tokens import SSOTokenProvider
session = botocore.session.Session(profile='dev')
frozen = SSOTokenProvider(session).load_token().get_frozen_token()
out = {'token': frozen.token, 'expiration': str(frozen.expiration)}
"""


@pytest.fixture
def logged_in(sandbox, corp, browser):
    login(corp)
    sandbox.reset_counts()
    return corp


def test_botocore_reads_the_token_and_boto3_gets_credentials(logged_in, sandbox):
    out = botocore_side(BOTOCORE_TOKEN)
    assert out["token"] == read_token(logged_in)["accessToken"]
    who = botocore_side("""
        import boto3
        session = boto3.Session(profile_name='dev')
        creds = session.get_credentials().get_frozen_credentials()
        ident = session.client('sts', region_name='us-east-1').get_caller_identity()
        out = {'akid': creds.access_key, 'account': ident['Account'], 'arn': ident['Arn']}
    """)
    assert who["account"] == "111111111111"
    assert ":assumed-role/AdministratorAccess/" in who["arn"]
    assert who["akid"].startswith("ASIA")
    # botocore did no login of its own: no registration, no new token
    assert sandbox.count("RegisterClient") == 0 and sandbox.count("CreateToken") == 0
    assert sandbox.count("GetRoleCredentials") == 1


def test_token_refreshed_by_botocore_is_used_by_rolecall(logged_in, sandbox):
    data = json.loads(logged_in.token_path.read_text())
    data["expiresAt"] = clock.format_timestamp(clock.utcnow() + timedelta(minutes=5))  # mandatory window
    logged_in.token_path.write_text(json.dumps(data))
    out = botocore_side(BOTOCORE_TOKEN)
    assert sandbox.count("CreateToken:refresh_token") == 1
    rewritten = read_token(logged_in)
    assert rewritten["accessToken"] == out["token"] != data["accessToken"]
    assert access_token(logged_in) == out["token"]
    assert sandbox.count("CreateToken") == 1  # rolecall did not refresh again
    from rolecall import aws

    client = aws.client("sso", "us-east-1", profile="dev")
    assert aws.call(client, "list_accounts", accessToken=access_token(logged_in))["accountList"]


def test_token_refreshed_by_rolecall_is_used_by_botocore(logged_in, sandbox):
    data = json.loads(logged_in.token_path.read_text())
    data["expiresAt"] = clock.format_timestamp(clock.utcnow() + timedelta(minutes=5))
    logged_in.token_path.write_text(json.dumps(data))
    refreshed = access_token(logged_in)
    assert sandbox.count("CreateToken:refresh_token") == 1
    out = botocore_side(BOTOCORE_TOKEN)
    assert out["token"] == refreshed
    assert sandbox.count("CreateToken") == 1  # botocore found it fresh


def test_rolecall_reads_a_token_written_by_botocore_cache(sandbox, corp):
    """A file written through botocore's own JSONFileCache + dumps (as `aws sso login` does)."""
    botocore_side(f"""
        import datetime
        from botocore.utils import JSONFileCache, SSOTokenLoader
        from botocore.tokens import _sso_json_dumps
        import os
        cache = JSONFileCache(os.path.expanduser('~/.aws/sso/cache'), dumps_func=_sso_json_dumps)
        now = datetime.datetime.now(datetime.timezone.utc)
        SSOTokenLoader(cache).save_token({corp.start_url!r}, {{
            'startUrl': {corp.start_url!r}, 'region': 'us-east-1', 'accessToken': 'written-by-botocore',
            'expiresAt': now + datetime.timedelta(hours=1)}}, session_name='corp')
        out = {{}}
    """)
    assert access_token(corp) == "written-by-botocore"
