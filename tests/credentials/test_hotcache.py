"""The memo behind the hot path (rolecall.hotcache): served only while it is right."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from rolecall import hotcache, paths

PROFILE = "dev-admin"


def _cp(*extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", PROFILE, *extra],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL, timeout=60)


def test_memo_location_follows_paths_module(isolated_home):
    assert os.path.dirname(hotcache.hot_dir()) == str(paths.state_dir())
    assert hotcache._files() == (str(paths.config_file()), str(paths.credentials_file()))


def test_second_call_is_served_from_the_memo_without_any_call(logged_in, sandbox):
    first = _cp()
    assert first.returncode == 0, first.stderr
    memo = hotcache.memo_path(PROFILE)
    assert memo is not None and os.path.exists(memo)
    assert stat.S_IMODE(os.stat(memo).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(memo)).st_mode) == 0o700
    calls = sandbox.count("GetRoleCredentials")
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rolecall", "credential-process", "--profile", PROFILE],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert timed.returncode == 0 and json.loads(timed.stdout) == json.loads(first.stdout)
    imported = {line.rsplit("|", 1)[-1].strip() for line in timed.stderr.splitlines() if "|" in line}
    # Served by hotcache alone: no config parser, no resolver, not even json.
    assert "rolecall.hotcache" in imported
    assert not imported & {"rolecall.awsconfig", "rolecall.credentials", "json", "configparser"}
    assert sandbox.count("GetRoleCredentials") == calls


def test_memo_is_void_once_the_cli_cache_entry_changes(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hotcache.lookup(PROFILE, 0) is not None
    (entry,) = paths.cli_cache_dir().glob("*.json")
    entry.write_text(entry.read_text())  # rewritten (by the AWS CLI, say): new inode
    assert hotcache.lookup(PROFILE, 0) is None


def test_memo_is_void_after_a_config_change(logged_in, sandbox, isolated_home):
    assert _cp().returncode == 0
    config = paths.config_file()
    config.write_text(config.read_text() + "\n# touched\n")
    assert hotcache.lookup(PROFILE, 0) is None


def test_memo_is_void_once_the_token_is_gone(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hotcache.lookup(PROFILE, 0) is not None
    for token in paths.sso_cache_dir().glob("*.json"):
        token.unlink()  # what `aws sso logout` does first
    assert hotcache.lookup(PROFILE, 0) is None
    # The full path decides from then on: without the CLI's role cache, a login.
    for entry in paths.cli_cache_dir().glob("*.json"):
        entry.unlink()
    again = _cp()
    assert again.returncode == 4 and "rolecall login" in again.stderr


def test_memo_respects_the_window(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hotcache.lookup(PROFILE, 0) is not None
    assert hotcache.lookup(PROFILE, 24 * 3600) is None  # wants more than the credentials have left


def test_recursion_guard_env_bypasses_the_memo(logged_in, sandbox):
    assert _cp().returncode == 0
    looped = _cp(env={hotcache.CHAIN_ENV: json.dumps([PROFILE])})
    assert looped.returncode != 0 and "Traceback" not in looped.stderr


def test_rolecall_logout_clears_the_memos(logged_in, sandbox, rolecall):
    assert _cp().returncode == 0
    assert os.listdir(hotcache.hot_dir())
    done = rolecall("logout", "--all")
    assert done.returncode == 0, done.stderr
    assert os.listdir(hotcache.hot_dir()) == []


def test_odd_arguments_fall_back_to_the_full_parser():
    assert hotcache.parse_credential_process_args(["--profile", "a", "--window", "5"]) == ("a", 300.0)
    assert hotcache.parse_credential_process_args(["--profile=a b"]) == ("a b", 900.0)
    assert hotcache.parse_credential_process_args(["--bogus"]) is None
    assert hotcache.parse_credential_process_args(["--window", "nan", "--profile", "a"]) is None
    assert hotcache.parse_credential_process_args([]) is None
