"""`assume -` goes back to the previous profile, like `cd -`, in bash, zsh and fish."""

from __future__ import annotations

import pytest

from tests.shell.test_assume import CONFIG, CREDENTIALS, WEIRD
from tests.support.shells import parse_env_dump, quote_for


@pytest.fixture(autouse=True)
def profiles(aws_config):
    aws_config(CONFIG, CREDENTIALS)


def _run(sh, body: str):
    dump = sh.dump_path()
    status = "set __rc $status" if sh.shell == "fish" else "__rc=$?"
    result = sh.run(f"{body}\n{status}\nenv -0 > '{dump}'\nexit $__rc\n")
    return result, parse_env_dump(dump)


def test_dash_goes_back_and_forth(sh):
    result, env = _run(sh, "assume plain 2>/dev/null; assume noregion 2>/dev/null; assume -")
    assert result.returncode == 0, result.stderr
    assert env["ROLECALL_PROFILE"] == "plain" and env["AWS_ACCESS_KEY_ID"] == "AKIAPLAIN"
    assert "rolecall: assumed plain" in result.stderr
    result, env = _run(sh, "assume plain 2>/dev/null; assume noregion 2>/dev/null; assume - 2>/dev/null; assume -")
    assert result.returncode == 0, result.stderr
    assert env["ROLECALL_PROFILE"] == "noregion" and env["AWS_ACCESS_KEY_ID"] == "AKIANOREGION"


def test_unset_forgets_the_previous_profile_too(sh):
    result, env = _run(sh, "assume plain 2>/dev/null; assume noregion 2>/dev/null; assume --unset 2>/dev/null; "
                           "assume -")
    assert result.returncode == 2 and "no previous profile" in result.stderr
    assert "_ROLECALL_PREVIOUS" not in env and "ROLECALL_PROFILE" not in env


def test_dash_keeps_any_name_intact(sh):
    result, env = _run(sh, f"assume -- {quote_for(sh.shell, WEIRD)} 2>/dev/null; assume plain 2>/dev/null; "
                           "assume -")
    assert result.returncode == 0, result.stderr
    assert env["ROLECALL_PROFILE"] == WEIRD
    sh.assert_no_side_effects()


def test_dash_without_a_previous_profile_is_a_one_line_error(sh):
    result, env = _run(sh, "assume -")
    assert result.returncode == 2, result.stderr
    assert "no previous profile in this shell" in result.stderr and "hint:" in result.stderr
    assert "ROLECALL_PROFILE" not in env
