"""Load: 100 parallel `credential-process` calls over 10 profiles while the SSO token expires.

All 100 processes start at once and queue on rolecall's file locks: exactly one
refresh of the SSO token, exactly one GetRoleCredentials per role, no failure,
no torn or partial cache file, every cache file 0600 in a 0700 directory.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.faults import FMT, ROLECALL, SESSION, sandbox_config, sso_login, transcript
from tests.support.sso import cache_files, token_path

CALLS = 100
PROFILES = 10


@pytest.mark.slow
def test_100_parallel_credential_process_calls_while_the_token_expires(sandbox, aws_config, isolated_home):
    text, names = sandbox_config(sandbox.org, session=SESSION, limit=PROFILES)
    assert len(names) == PROFILES
    aws_config(text)
    old = sso_login(sandbox, isolated_home, expires_in=-60)  # expired locally, refreshable
    sandbox.expire_access_tokens()  # and dead server-side: nobody may use it
    sandbox.reset_counts()

    procs = []
    for i in range(CALLS):
        profile = names[i % PROFILES]
        procs.append((profile, subprocess.Popen(
            [*ROLECALL, "credential-process", "--profile", profile],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ),
        )))
    results = []
    for profile, proc in procs:
        out, err = proc.communicate(timeout=240)
        transcript().add(proc.args, proc.returncode, out.decode(), err.decode())
        results.append((profile, proc.returncode, out.decode(), err.decode()))

    failures = [(p, code, err) for p, code, _, err in results if code != 0]
    assert failures == [], failures[:3]
    assert all(err == "" for _, _, _, err in results), [e for *_, e in results if e][:3]
    assert sandbox.count("CreateToken:refresh_token") == 1
    assert sandbox.count("GetRoleCredentials") == PROFILES  # one per role
    assert sandbox.count("CreateToken") == 1

    # every process of one profile printed the same credentials; different roles, different keys
    by_profile: dict[str, set[str]] = {}
    for profile, _, out, _ in results:
        doc = json.loads(out)
        assert doc["Version"] == 1 and out.count("\n") == 1
        by_profile.setdefault(profile, set()).add(doc["AccessKeyId"])
    assert all(len(keys) == 1 for keys in by_profile.values()), by_profile
    assert len({next(iter(k)) for k in by_profile.values()}) == PROFILES

    token = json.loads(token_path(isolated_home, SESSION).read_text())
    assert token["accessToken"] != old["accessToken"]
    assert token["refreshToken"] != old["refreshToken"]
    expires = datetime.strptime(token["expiresAt"], FMT).replace(tzinfo=timezone.utc)
    assert expires - datetime.now(timezone.utc) > timedelta(hours=7)

    files = cache_files(isolated_home)
    assert len([f for f in files if "/cli/cache/" in str(f)]) == PROFILES
    for path in files:
        json.loads(path.read_bytes())  # complete, parseable JSON
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for directory in (isolated_home / ".aws/sso/cache", isolated_home / ".aws/cli/cache"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
        leftovers = [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == [], leftovers  # no temp file left behind by an atomic write

    # rolecall's own memo of the answers (rolecall.hot) holds the same secrets: same protection
    state = isolated_home / ".cache" / "rolecall"
    for path in state.rglob("*") if state.is_dir() else ():
        want = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == want, path

    # botocore reads what the crowd wrote: the token through its own SSO token loader
    from botocore.utils import SSOTokenLoader

    loaded = SSOTokenLoader(cache=_botocore_cache(isolated_home))(sandbox.org.start_url, session_name="rel")
    assert loaded["accessToken"] == token["accessToken"]


def _botocore_cache(home):
    from botocore.utils import JSONFileCache

    return JSONFileCache(str(home / ".aws" / "sso" / "cache"))
