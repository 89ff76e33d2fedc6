"""The hot path never answers what the full resolver would not: the named regressions.

Each scenario was reproduced against the memo before rolecall.hot: a config
edit or a logout while a resolve is in flight, a state directory someone else
controls, a config path that is not UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rolecall import hot
from tests.support.sso import DEV, caller_identity, cli_cache_files

PROFILE = "dev-ro"
OTHER_ACCOUNT = "444444444444"


def _cp(profile: str = PROFILE, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", profile],
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          stdin=subprocess.DEVNULL, timeout=60, **kwargs)


def _in_flight(profile: str = PROFILE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rolecall", "credential-process", "--profile", profile],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def _wait_for(condition, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _settle(*paths: Path) -> None:
    """Wait out the timestamp tick of the files' last change, so the memo may be written."""
    _wait_for(lambda: not any(hot._racy(hot.fingerprint(str(p)), time.time_ns()) for p in paths), "a clock tick")


def _memos() -> list[str]:
    try:
        return [name for name in os.listdir(hot.hot_dir()) if name.startswith("p-")]
    except FileNotFoundError:
        return []


def test_a_config_edit_during_an_in_flight_resolve_is_never_served(logged_in, sandbox, rolecall):
    """Scenario 1: the memo must not keep the old account under the new config's fingerprint."""
    sandbox.inject_fault("GetRoleCredentials", "slow_reply", delay=1.5)
    flight = _in_flight()
    _wait_for(lambda: sandbox.count("GetRoleCredentials") == 1, "the in-flight GetRoleCredentials")
    edit = rolecall("config", "set", PROFILE, "sso_account_id", OTHER_ACCOUNT)
    assert edit.returncode == 0, edit.stderr
    out, err = flight.communicate(timeout=60)
    assert flight.returncode == 0, err
    assert caller_identity(json.loads(out))["Account"] == DEV  # what was asked before the edit
    for _ in range(2):  # the next calls (hot path first) answer for the config as it is now
        again = _cp()
        assert again.returncode == 0, again.stderr
        assert caller_identity(json.loads(again.stdout))["Account"] == OTHER_ACCOUNT


def test_credentials_fetched_during_a_logout_do_not_survive_it(logged_in, sandbox, rolecall, isolated_home):
    """Scenario 2: a resolve that straddles `logout --all` stores neither a memo nor a CLI cache entry."""
    sandbox.inject_fault("GetRoleCredentials", "slow_reply", delay=2.0)
    flight = _in_flight()
    _wait_for(lambda: sandbox.count("GetRoleCredentials") == 1, "the in-flight GetRoleCredentials")
    done = rolecall("logout", "--all")
    assert done.returncode == 0, done.stderr
    flight.communicate(timeout=60)
    assert cli_cache_files(isolated_home) == []
    assert _memos() == []
    after = _cp()
    assert after.returncode == 4, after.stdout + after.stderr  # login required: nothing was kept
    assert "rolecall login" in after.stderr


def test_a_memo_whose_token_file_is_absent_is_never_served(logged_in, sandbox, isolated_home):
    """A token guard that holds because the file is missing is no guard: the memo is void."""
    _settle(isolated_home / ".aws" / "config", *(isolated_home / ".aws" / "sso" / "cache").glob("*.json"))
    assert _cp().returncode == 0
    assert hot.lookup(PROFILE) is not None
    for token in (isolated_home / ".aws" / "sso" / "cache").glob("*.json"):
        token.unlink()
    assert hot.lookup(PROFILE) is None


@pytest.fixture
def memo_ready(logged_in, sandbox, isolated_home):
    """One full resolve that left a memo (the files settled first, so it may be written)."""
    _settle(isolated_home / ".aws" / "config", *(isolated_home / ".aws" / "sso" / "cache").glob("*.json"))
    first = _cp()
    assert first.returncode == 0, first.stderr
    assert hot.lookup(PROFILE) is not None
    return json.loads(first.stdout)


def _forge(profile: str, access_key_id: str) -> str:
    """A memo with every fingerprint right and no guards: what a forger could plant."""
    payload = json.dumps({"Version": 1, "AccessKeyId": access_key_id, "SecretAccessKey": "forged",
                          "SessionToken": "forged", "Expiration": "2099-01-01T00:00:00Z"})
    lines = [hot.MAGIC, hot.generation(), hot.files_fingerprint(), "", repr(4102444800.0), payload,
             f"AccessKeyId\t{access_key_id}"]
    return "\n".join(lines) + "\n"


def test_a_group_writable_state_dir_is_ignored_and_named(memo_ready, capfd):
    """Scenario 3: a state dir others can write to is not trusted for reading or writing."""
    state = hot.state_dir()
    forged = _forge(PROFILE, "ASIAFORGEDFORGED0001")
    os.chmod(state, 0o777)
    memo = os.path.join(hot.hot_dir(), hot.memo_name(PROFILE))
    with open(memo, "w") as handle:
        handle.write(forged)
    os.chmod(memo, 0o600)
    hot._warned.clear()
    assert hot.lookup(PROFILE) is None
    assert "not using" in capfd.readouterr().err
    served = _cp()
    assert served.returncode == 0
    assert json.loads(served.stdout)["AccessKeyId"] != "ASIAFORGEDFORGED0001"
    assert f"rolecall: warning: not using {state}" in served.stderr
    os.chmod(state, 0o700)  # the same forgery in a private dir would be served: the check is what stops it
    assert hot.lookup(PROFILE)[1]["AccessKeyId"] == "ASIAFORGEDFORGED0001"


@pytest.mark.parametrize("how", ["mode-0644", "other-owner"])
def test_a_memo_file_not_private_to_the_user_is_ignored(memo_ready, how):
    memo = os.path.join(hot.hot_dir(), hot.memo_name(PROFILE))
    with open(memo, "w") as handle:
        handle.write(_forge(PROFILE, "ASIAFORGEDFORGED0002"))
    if how == "mode-0644":
        os.chmod(memo, 0o644)
    else:
        if os.getuid() != 0:
            os.chmod(memo, 0o640)  # (chown needs root; a group-readable memo is refused alike)
        else:
            os.chmod(memo, 0o600)
            os.chown(memo, 4242, 4242)
    assert hot.lookup(PROFILE) is None
    assert json.loads(_cp().stdout)["AccessKeyId"] != "ASIAFORGEDFORGED0002"


def test_a_state_dir_owned_by_someone_else_is_ignored(memo_ready):
    if os.getuid() != 0:
        os.chmod(hot.state_dir(), 0o757)  # (chown needs root; world-writable is refused alike)
    else:
        os.chown(hot.state_dir(), 4242, 4242)
    assert hot.lookup(PROFILE) is None
    assert "not using" in _cp().stderr


def test_logout_through_a_symlinked_hot_dir_deletes_nothing_elsewhere(memo_ready, rolecall, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("keep.txt", "p-6b656570"):
        (victim / name).write_text("precious")
    hot_dir = Path(hot.hot_dir())
    for entry in hot_dir.iterdir():
        entry.unlink()
    hot_dir.rmdir()
    hot_dir.symlink_to(victim)
    done = rolecall("logout", "--all")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt", "p-6b656570"]
    assert "not using" in done.stderr


def test_a_planted_lock_symlink_creates_nothing_elsewhere(memo_ready, rolecall, tmp_path):
    lock = Path(hot.hot_dir()) / "lock"
    lock.unlink(missing_ok=True)
    target = tmp_path / "created-through-the-link"
    lock.symlink_to(target)
    assert rolecall("logout", "--all").returncode == 0
    assert not target.exists()


def test_a_relative_xdg_cache_home_is_ignored(logged_in, sandbox, tmp_path, isolated_home, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    _settle(isolated_home / ".aws" / "config", *(isolated_home / ".aws" / "sso" / "cache").glob("*.json"))
    for _ in range(2):
        done = _cp(env={"XDG_CACHE_HOME": "relative-cache"}, cwd=work)
        assert done.returncode == 0, done.stderr
    assert list(work.iterdir()) == []  # no secrets in the working directory
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    assert hot.state_dir() == str(isolated_home / ".cache" / "rolecall")
    assert _memos()  # the memo went to the default place instead


def test_doctor_names_an_unsafe_state_dir_and_its_fix(memo_ready, rolecall):
    state = hot.state_dir()
    os.chmod(state, 0o777)
    done = rolecall("doctor", "--offline", "--json")
    findings = [f for f in json.loads(done.stdout) if f["check"] == "state"]
    assert [f["status"] for f in findings] == ["fail"]
    assert state in findings[0]["detail"] and "writable by others" in findings[0]["detail"]
    assert findings[0]["fix"].startswith("run: rm -rf ")
    subprocess.run(findings[0]["fix"][len("run: "):].split("   ")[0], shell=True, check=True)
    again = [f for f in json.loads(rolecall("doctor", "--offline", "--json").stdout) if f["check"] == "state"]
    assert [f["status"] for f in again] == ["ok"]


def test_a_config_path_that_is_not_utf8_never_breaks_the_answer(logged_in, sandbox, isolated_home, tmp_path):
    """Scenario 4: valid JSON *and* exit 0 (botocore rejects a non-zero exit), memo or not."""
    odd = os.fsdecode(os.path.join(os.fsencode(str(tmp_path)), b"conf\xff\xfeig"))
    os.replace(isolated_home / ".aws" / "config", odd)
    for _ in range(3):  # full path, then whatever the memo does
        done = _cp(env={"AWS_CONFIG_FILE": odd})
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["Version"] == 1


def test_an_undecodable_profile_name_is_profile_not_found(logged_in, sandbox):
    name = os.fsdecode(b"dev-\xff")
    done = subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", name],
                          capture_output=True, env=dict(os.environ), stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 3, done.stderr
    assert done.stdout == b"" and b"Traceback" not in done.stderr
