"""The memo behind the hot path (rolecall.hot): served only while it is right."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

from rolecall import hot, paths

PROFILE = "dev-admin"


def _cp(*extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", PROFILE, *extra],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL, timeout=60)


def _memos() -> list[str]:
    return [name for name in os.listdir(hot.hot_dir()) if name.startswith("p-")]


def test_memo_location_follows_paths_module(isolated_home):
    assert os.path.dirname(hot.hot_dir()) == str(paths.state_dir())
    assert (hot.config_file(), hot.credentials_file()) == (str(paths.config_file()), str(paths.credentials_file()))


def test_second_call_is_served_from_the_memo_without_any_call(logged_in, sandbox):
    first = _cp()
    assert first.returncode == 0, first.stderr
    memo = os.path.join(hot.hot_dir(), hot.memo_name(PROFILE))
    assert memo is not None and os.path.exists(memo)
    assert stat.S_IMODE(os.stat(memo).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(memo)).st_mode) == 0o700
    calls = sandbox.count("GetRoleCredentials")
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rolecall", "credential-process", "--profile", PROFILE],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert timed.returncode == 0 and json.loads(timed.stdout) == json.loads(first.stdout)
    imported = {line.rsplit("|", 1)[-1].strip() for line in timed.stderr.splitlines() if "|" in line}
    # Served by rolecall.hot alone: no config parser, no resolver, not even json.
    assert "rolecall.hot" in imported
    assert not imported & {"rolecall.awsconfig", "rolecall.credentials", "json", "configparser"}
    assert sandbox.count("GetRoleCredentials") == calls


def test_assume_from_the_memo_loads_no_config_reader(logged_in, sandbox):
    assert _cp().returncode == 0
    timed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "rolecall", "assume", "--shell", "bash", PROFILE],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert timed.returncode == 0 and "builtin export AWS_ACCESS_KEY_ID=" in timed.stdout, timed.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in timed.stderr.splitlines() if "|" in line}
    assert "rolecall.session" in imported  # (assume's shared half)
    assert not imported & {"rolecall.awsconfig", "rolecall.credentials", "json", "configparser"}


def test_memo_is_void_once_the_cli_cache_entry_changes(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hot.lookup(PROFILE, 0) is not None
    (entry,) = paths.cli_cache_dir().glob("*.json")
    entry.write_text(entry.read_text())  # rewritten (by the AWS CLI, say): new inode
    assert hot.lookup(PROFILE, 0) is None


def test_memo_is_void_after_a_config_change(logged_in, sandbox, isolated_home):
    assert _cp().returncode == 0
    config = paths.config_file()
    config.write_text(config.read_text() + "\n# touched\n")
    assert hot.lookup(PROFILE, 0) is None


def test_memo_is_void_once_the_token_is_gone(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hot.lookup(PROFILE, 0) is not None
    for token in paths.sso_cache_dir().glob("*.json"):
        token.unlink()  # what `aws sso logout` does first
    assert hot.lookup(PROFILE, 0) is None
    # The full path decides from then on: without the CLI's role cache, a login.
    for entry in paths.cli_cache_dir().glob("*.json"):
        entry.unlink()
    again = _cp()
    assert again.returncode == 4 and "rolecall login" in again.stderr


def test_memo_respects_the_window(logged_in, sandbox):
    assert _cp().returncode == 0
    assert hot.lookup(PROFILE, 0) is not None
    assert hot.lookup(PROFILE, 24 * 3600) is None  # wants more than the credentials have left


def test_recursion_guard_env_bypasses_the_memo(logged_in, sandbox):
    assert _cp().returncode == 0
    looped = _cp(env={hot.CHAIN_ENV: json.dumps([PROFILE])})
    assert looped.returncode != 0 and "Traceback" not in looped.stderr


def test_rolecall_logout_clears_the_memos(logged_in, sandbox, rolecall):
    assert _cp().returncode == 0
    assert _memos()
    done = rolecall("logout", "--all")
    assert done.returncode == 0, done.stderr
    assert _memos() == []


def test_odd_arguments_fall_back_to_the_full_parser():
    def parsed(argv):
        found = hot.parse_credential_process_args(argv)
        return None if found is None else (found["profile"], found["window"])

    assert parsed(["--profile", "a", "--window", "5"]) == ("a", 300.0)
    assert parsed(["--profile=a b"]) == ("a b", 900.0)
    assert parsed(["--bogus"]) is None
    assert parsed(["--window", "nan", "--profile", "a"]) is None
    assert parsed([]) is None


def test_init_memo_serves_while_its_sources_and_interpreter_are_unchanged(tmp_path, isolated_home):
    sources = [tmp_path / "assume.bash", tmp_path / "completion.py"]
    for path in sources:
        path.write_text("v1\n")
    os.utime(sources[0], ns=(1, 1))  # (only mtime: the racy check reads ctime, so wait it out)
    time.sleep(0.03)
    snapshot = hot.InitSnapshot([str(p) for p in sources])
    snapshot.store("bash", "the script\n")
    assert hot.init_lookup("bash") == "the script\n"
    assert hot.serve_init(["zsh"]) is False  # another shell: its own memo
    sources[1].write_text("v2\n")  # an upgrade rewrote one of them
    assert hot.init_lookup("bash") is None


def test_init_memo_is_not_written_for_files_changed_within_a_tick(tmp_path, isolated_home):
    source = tmp_path / "assume.bash"
    source.write_text("v1\n")
    hot.InitSnapshot([str(source)]).store("bash", "the script\n")
    assert hot.init_lookup("bash") is None


def test_second_init_is_answered_by_the_memo_with_the_same_text(isolated_home):
    first = subprocess.run([sys.executable, "-m", "rolecall", "init", "zsh"], capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    second = subprocess.run([sys.executable, "-X", "importtime", "-m", "rolecall", "init", "zsh"],
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 0 and second.stdout == first.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in second.stderr.splitlines() if "|" in line}
    assert "rolecall.hot" in imported and "rolecall.commands.init" not in imported
