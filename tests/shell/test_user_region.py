"""The user's own region survives `assume` of a profile without one, and comes back after --unset."""

from __future__ import annotations

import pytest

from tests.shell.test_assume import CONFIG, CREDENTIALS
from tests.support.shells import parse_env_dump


@pytest.fixture(autouse=True)
def profiles(aws_config):
    aws_config(CONFIG, CREDENTIALS)


def _env_after(sh, body: str, region_env: dict[str, str]):
    dump = sh.dump_path()
    status = "set __rc $status" if sh.shell == "fish" else "__rc=$?"
    result = sh.run(f"{body}\n{status}\nenv -0 > '{dump}'\nexit $__rc\n", extra_env=region_env)
    assert result.returncode == 0, result.stderr
    return parse_env_dump(dump)


@pytest.fixture
def user_region(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    return {"AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "sa-east-1"}


def test_a_profile_without_a_region_keeps_the_users(sh, user_region):
    env = _env_after(sh, "assume noregion 2>/dev/null", user_region)
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("sa-east-1", "sa-east-1")


def test_the_next_assume_restores_the_users_not_the_previous_profiles(sh, user_region):
    env = _env_after(sh, "assume plain 2>/dev/null; assume noregion 2>/dev/null", user_region)
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("sa-east-1", "sa-east-1")  # not us-west-2
    env = _env_after(sh, "assume -r ap-south-1 noregion 2>/dev/null; assume noregion 2>/dev/null", user_region)
    assert env["AWS_REGION"] == "sa-east-1"


def test_unset_puts_the_users_region_back_and_forgets_the_marks(sh, user_region):
    env = _env_after(sh, "assume plain 2>/dev/null; assume --unset 2>/dev/null", user_region)
    assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("sa-east-1", "sa-east-1")
    assert not [k for k in env if k.startswith("_ROLECALL_SAVED")]


def test_no_region_before_means_none_after_unset(sh, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    env = _env_after(sh, "assume plain 2>/dev/null; assume --unset 2>/dev/null", {})
    assert "AWS_REGION" not in env and "AWS_DEFAULT_REGION" not in env
