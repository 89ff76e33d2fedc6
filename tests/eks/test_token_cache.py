"""`eks token`'s cache: a hit needs no botocore; logout, a config change or new keys void it.

"No botocore" is proven, not timed: a hit is run with a `botocore` on PYTHONPATH
that refuses to import, so only an answer from the memo can succeed.
"""

from __future__ import annotations

import json
import time

import pytest

from rolecall import hot
from tests.support.cli import run_rolecall

ARGS = ("eks", "token", "--cluster", "demo", "--profile", "dev-ro", "--region", "us-east-1")


@pytest.fixture
def no_botocore(tmp_path):
    poisoned = tmp_path / "poisoned"
    for name in ("botocore", "boto3"):
        (poisoned / name).mkdir(parents=True)
        (poisoned / name / "__init__.py").write_text(f"raise ImportError('{name} is not allowed here')\n")
    return {"PYTHONPATH": str(poisoned)}


def issue(env: dict | None = None):
    return run_rolecall(*ARGS, env=env)


def test_the_second_token_is_a_hit_without_botocore(eks_home, sandbox, no_botocore):
    first = issue()
    assert first.returncode == 0, first.stderr
    sandbox.reset_counts()
    second = issue(no_botocore)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert sandbox.counts == {}
    # and the poison works: a miss (another cluster) cannot be answered
    other = run_rolecall("eks", "token", "--cluster", "platform", "--profile", "dev-ro", "--region", "us-east-1",
                         env=no_botocore)
    assert other.returncode != 0 and "not allowed here" in other.stderr


def test_each_cluster_region_and_role_has_its_own_token(eks_home, sandbox, no_botocore):
    a = issue()
    b = run_rolecall("eks", "token", "--cluster", "platform", "--profile", "dev-ro", "--region", "us-east-1")
    c = run_rolecall(*ARGS, "--role-arn", "arn:aws:iam::111111111111:role/deploy")
    assert len({a.stdout, b.stdout, c.stdout}) == 3
    for args, before in ((ARGS, a), (ARGS[:3] + ("platform",) + ARGS[4:], b),
                         (ARGS + ("--role-arn", "arn:aws:iam::111111111111:role/deploy"), c)):
        again = run_rolecall(*args, env=no_botocore)
        assert again.returncode == 0 and again.stdout == before.stdout, again.stderr


def test_after_logout_it_is_not_served(eks_home, sandbox):
    assert issue().returncode == 0
    assert run_rolecall("logout", "--all").returncode == 0
    after = issue()
    assert after.returncode == 4, after.stderr
    assert after.stdout == "" and "rolecall login" in after.stderr


def test_after_a_config_change_to_the_profile_it_is_not_served(eks_home, sandbox, no_botocore):
    assert issue().returncode == 0
    time.sleep(0.05)  # (a different mtime, past the racy-tick guard)
    changed = run_rolecall("config", "set", "dev-ro", "output", "json")
    assert changed.returncode == 0, changed.stderr
    blocked = issue(no_botocore)
    assert blocked.returncode != 0 and "not allowed here" in blocked.stderr
    fresh = issue()
    assert fresh.returncode == 0, fresh.stderr


def test_new_keys_for_the_profile_void_the_token(eks_home, sandbox, no_botocore):
    first = issue()
    assert first.returncode == 0
    renewed = run_rolecall("credential-process", "--profile", "dev-ro", "--refresh")
    assert renewed.returncode == 0, renewed.stderr
    blocked = issue(no_botocore)
    assert blocked.returncode != 0 and "not allowed here" in blocked.stderr
    second = issue()
    key = json.loads(renewed.stdout)["AccessKeyId"]
    assert second.returncode == 0 and key in _url_of(second.stdout)
    assert key not in _url_of(first.stdout)


def _url_of(stdout: str) -> str:
    from rolecall.eks.token import url_of

    url = url_of(json.loads(stdout)["status"]["token"])
    assert url is not None
    return url


def test_a_token_with_a_minute_or_less_left_is_not_handed_out(eks_home, sandbox, monkeypatch):
    first = issue()
    assert first.returncode == 0
    expires = json.loads(first.stdout)["status"]["expirationTimestamp"]
    options, _ = hot.parse_eks_token_args(list(ARGS[2:]))
    assert hot.eks_lookup(options) == first.stdout.strip()
    epoch = time.mktime(time.strptime(expires, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    real = time.time
    monkeypatch.setattr(hot.time, "time", lambda: epoch - 61)
    assert hot.eks_lookup(options) == first.stdout.strip()
    monkeypatch.setattr(hot.time, "time", lambda: epoch - 59)
    assert hot.eks_lookup(options) is None
    monkeypatch.setattr(hot.time, "time", real)


def test_expiry_is_fourteen_minutes_and_never_past_the_credentials(eks_home, sandbox):
    before = time.time()
    document = json.loads(issue().stdout)
    stamp = document["status"]["expirationTimestamp"]
    epoch = time.mktime(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    assert before + 14 * 60 - 2 <= epoch <= time.time() + 14 * 60
    from rolecall.eks.token import expiry_epoch

    assert expiry_epoch(1000.0, 1300.0, None) == 1300.0
    assert expiry_epoch(1000.0, None) == 1000.0 + 14 * 60
