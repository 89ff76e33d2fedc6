"""kill -9 at random moments during config writes and token refreshes: never a torn file.

The file is always the complete old or the complete new version (compared byte
for byte against both candidates where the new one is known in advance) and
botocore parses it. Runs are forked from the zygote, so a child starts in ~2 ms
and the random SIGKILL lands across the whole run, not in interpreter start-up;
the kill delay is drawn over the measured length of an uninterrupted run, half of
them in its last third, where the write happens.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics

import pytest

from tests.support.faults import SESSION, sandbox_config, sso_login
from tests.support.sso import token_path

CONFIG_KILLS = 120
REFRESH_KILLS = 80


def kill_delay(rng: random.Random, length: float) -> float:
    """Half the kills anywhere in the run, half in its last third, where the write happens."""
    if rng.random() < 0.5:
        return rng.uniform(0, length)
    return rng.uniform(0.65 * length, 1.05 * length)


def rescale(scale: float, done: int, outcomes: dict) -> float:
    """Keep both outcomes coming: the measured length can be off on a busy or cold machine
    (a clean clone compiles every module in each child). Checked every 20 runs."""
    if done % 20 or not done:
        return scale
    if outcomes["new"] < done // 10:
        return scale * 2  # nearly every kill lands before the write: wait longer
    if outcomes["killed"] < done // 2 or outcomes["old"] < done // 10:
        return scale / 2  # most runs finished before their kill (warm children run faster)
    return scale


def _measure(zygote, job: dict, times: int = 5) -> float:
    runs = zygote.run([dict(job) for _ in range(times)])
    assert all(r.returncode == 0 for r in runs), [r.stderr for r in runs]
    return statistics.median(r.seconds for r in runs)


@pytest.mark.slow
def test_kill_9_during_config_set_leaves_the_old_or_the_new_file(zygote, aws_config, isolated_home):
    from botocore.configloader import load_config

    path = aws_config("# team config: keep this comment\n[profile p]\nregion = eu-west-1\noutput = json\n\n"
                      "[profile other]\nregion = us-east-1\n")
    regions = ("eu-west-1", "ap-southeast-2")
    # the two states and the exact bytes each transition produces, from uninterrupted runs
    states = {regions[0]: path.read_bytes()}
    (run,) = zygote.run([{"argv": ["config", "set", "p", "region", regions[1]]}])
    assert run.returncode == 0, run.stderr
    states[regions[1]] = path.read_bytes()
    assert states[regions[0]] != states[regions[1]]
    (back,) = zygote.run([{"argv": ["config", "set", "p", "region", regions[0]]}])
    assert path.read_bytes() == states[regions[0]]
    lengths = [run.seconds, back.seconds]
    for i in range(4):  # how long an uninterrupted write takes (toggling back and forth)
        (timed,) = zygote.run([{"argv": ["config", "set", "p", "region", regions[(i + 1) % 2]]}])
        assert timed.returncode == 0, timed.stderr
        lengths.append(timed.seconds)
    assert path.read_bytes() == states[regions[0]]
    length = statistics.median(lengths)

    rng = random.Random(20240601)
    outcomes = {"old": 0, "new": 0, "killed": 0}
    current = regions[0]
    scale = 1.0
    for i in range(CONFIG_KILLS):
        scale = rescale(scale, i, outcomes)
        target = regions[1] if current == regions[0] else regions[0]
        (run,) = zygote.run([{"argv": ["config", "set", "p", "region", target],
                              "kill_after": kill_delay(rng, length * scale)}])
        outcomes["killed"] += run.killed
        data = path.read_bytes()
        assert data in (states[current], states[target]), f"kill #{i}: torn config file {data[:200]!r}"
        if data == states[target]:
            outcomes["new"] += 1
            current = target
        else:
            outcomes["old"] += 1
        parsed = load_config(str(path))["profiles"]
        assert parsed["p"]["region"] == current and parsed["other"]["region"] == "us-east-1"
        backup = path.with_name(path.name + ".bak")
        if backup.exists():
            assert backup.read_bytes() in states.values()
    print(f"config kill -9: {CONFIG_KILLS} runs, {outcomes}")
    # the kills landed before, during and after the write, not all on one side
    assert outcomes["killed"] >= CONFIG_KILLS // 3, outcomes
    assert outcomes["old"] >= 5 and outcomes["new"] >= 5, outcomes


@pytest.mark.slow
def test_kill_9_during_token_refresh_leaves_a_complete_token_file(zygote, sandbox, aws_config, isolated_home):
    from botocore.utils import JSONFileCache

    text, names = sandbox_config(sandbox.org, session=SESSION, limit=2)
    aws_config(text)
    sandbox.set_latency(0.01)  # each call takes a while: more of the run is "mid refresh"
    path = token_path(isolated_home, SESSION)
    cache = JSONFileCache(str(path.parent))
    job = {"argv": ["credential-process", "--profile", names[0], "--window", "0"]}

    def fresh_near_expiry_token() -> bytes:
        sso_login(sandbox, isolated_home, expires_in=60)  # inside the 15-minute window: refresh first
        return path.read_bytes()

    fresh_near_expiry_token()
    length = _measure(zygote, job, times=1)  # refresh + GetRoleCredentials, uninterrupted
    rng = random.Random(4242)
    outcomes = {"old": 0, "new": 0, "killed": 0}
    scale = 1.0
    for i in range(REFRESH_KILLS):
        scale = rescale(scale, i, outcomes)
        old = fresh_near_expiry_token()
        old_doc = json.loads(old)
        for f in (isolated_home / ".aws" / "cli" / "cache").glob("*.json"):
            f.unlink()  # a cache miss every time: GetRoleCredentials runs after the refresh
        shutil.rmtree(isolated_home / ".cache" / "rolecall", ignore_errors=True)  # and no memo either
        (run,) = zygote.run([dict(job, kill_after=kill_delay(rng, length * scale))])
        outcomes["killed"] += run.killed
        assert run.killed or run.returncode == 0, run.stderr
        data = path.read_bytes()
        doc = json.loads(data)  # never torn
        assert doc["accessToken"] and doc["expiresAt"], f"kill #{i}"
        loaded = cache[path.stem]  # botocore's own cache reader parses it
        assert loaded["accessToken"] == doc["accessToken"]
        if data == old:
            outcomes["old"] += 1
        else:
            outcomes["new"] += 1
            assert doc["accessToken"] != old_doc["accessToken"]
            assert doc["accessToken"] in sandbox.backend.access_tokens  # a token the server really issued
            assert {k: doc[k] for k in ("startUrl", "region", "clientId", "clientSecret")} == \
                   {k: old_doc[k] for k in ("startUrl", "region", "clientId", "clientSecret")}
        for entry in (isolated_home / ".aws" / "cli" / "cache").glob("*.json"):
            assert json.loads(entry.read_bytes())["Credentials"]["SessionToken"]
    print(f"refresh kill -9: {REFRESH_KILLS} runs, {outcomes}")
    assert outcomes["killed"] >= REFRESH_KILLS // 3, outcomes
    assert outcomes["old"] >= 5 and outcomes["new"] >= 5, outcomes
