"""`assume` in real bash, zsh and fish, loaded from the real `rolecall init` output.

Static-key profiles (no AWS needed) whose names and values carry shell
metacharacters; each test compares the complete environment after `assume`
with the one before, and checks that nothing ran.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.shells import MANAGED, parse_env_dump, quote_for, without_shell_noise

WEIRD = "-dash $(touch pwned) it's; a|b `touch pwned2` \\ ✓"
WEIRD_KEY = "AKIA$(touch pwned)`touch pwned2`"
WEIRD_SECRET = "s'e\"c;r|e!x -- ünï ✓ \\ $HOME\nsecond line $(touch pwned3)"
WEIRD_TOKEN = "-leading 'quote' ${HOME} ; exit 1 | tee pwned4"

CONFIG = f"""\
[profile "{WEIRD}"]
region = eu-west-1

[profile plain]
region = us-west-2

[profile noregion]
"""

CREDENTIALS = f"""\
[{WEIRD}]
aws_access_key_id = {WEIRD_KEY}
aws_secret_access_key = s'e"c;r|e!x -- ünï ✓ \\ $HOME
  second line $(touch pwned3)
aws_session_token = {WEIRD_TOKEN}

[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = plain-secret

[noregion]
aws_access_key_id = AKIANOREGION
aws_secret_access_key = noregion-secret
"""


@pytest.fixture(autouse=True)
def profiles(aws_config):
    aws_config(CONFIG, CREDENTIALS)


def _assume_and_dump(sh, args: str, *, before: bool = True, prelude: str = "", extra_env=None):
    """Run `assume ARGS` in the shell; dump env before and after; return (result, before, after)."""
    first, second = sh.dump_path(), sh.dump_path()
    body = prelude + f"{'env -0 > ' + repr(str(first)) + chr(10) if before else ''}assume {args}\n"
    body += "__rc=$status\n" if sh.shell == "fish" else "__rc=$?\n"
    body = body.replace("__rc=$status", "set __rc $status")
    body += f"env -0 > '{second}'\nexit $__rc\n"
    result = sh.run(body, extra_env=extra_env)
    return result, (parse_env_dump(first) if before else None), parse_env_dump(second)


# What `assume` keeps about the user's own region (from the test env: AWS_DEFAULT_REGION=us-east-1).
REGION_MARKS = {"_ROLECALL_SAVED_AWS_REGION": "unset", "_ROLECALL_SAVED_AWS_DEFAULT_REGION": "set:us-east-1"}


def _expected_after(before: dict, new: dict) -> dict:
    expected = {k: v for k, v in before.items() if k not in MANAGED}
    expected.update(new)
    return without_shell_noise(expected)


def test_assume_exports_exactly_the_profile(sh):
    result, before, after = _assume_and_dump(sh, "-- " + quote_for(sh.shell, WEIRD))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert without_shell_noise(after) == _expected_after(before, {
        "AWS_ACCESS_KEY_ID": WEIRD_KEY,
        "AWS_SECRET_ACCESS_KEY": WEIRD_SECRET,
        "AWS_SESSION_TOKEN": WEIRD_TOKEN,
        "AWS_PROFILE": WEIRD,
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "ROLECALL_PROFILE": WEIRD,
        **REGION_MARKS,
    })
    sh.assert_no_side_effects()
    # the confirmation names the profile; secrets never reach stderr
    assert "rolecall: assumed -dash" in result.stderr
    for secret in ("plain-secret", "s'e\"c", "second line", "-leading 'quote'"):
        assert secret not in result.stderr


def test_assume_clears_the_previous_profile_first(sh):
    prelude = ("set -gx AWS_SECURITY_TOKEN old; set -gx AWS_DEFAULT_PROFILE old; set -gx ROLECALL_EXPIRATION x\n"
               if sh.shell == "fish" else
               "export AWS_SECURITY_TOKEN=old AWS_DEFAULT_PROFILE=old ROLECALL_EXPIRATION=x\n")
    prelude += f"assume -- {quote_for(sh.shell, WEIRD)} 2>/dev/null\n"
    result, before, after = _assume_and_dump(sh, "plain", prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert {k: after[k] for k in MANAGED if k in after} == {
        "AWS_ACCESS_KEY_ID": "AKIAPLAIN",
        "AWS_SECRET_ACCESS_KEY": "plain-secret",
        "AWS_PROFILE": "plain",
        "AWS_REGION": "us-west-2",
        "AWS_DEFAULT_REGION": "us-west-2",
        "ROLECALL_PROFILE": "plain",
    }
    sh.assert_no_side_effects()


def test_region_flag_and_profile_without_region(sh):
    result, _, after = _assume_and_dump(sh, "-r ap-south-1 plain", before=False)
    assert result.returncode == 0, result.stderr
    assert (after["AWS_REGION"], after["AWS_DEFAULT_REGION"]) == ("ap-south-1", "ap-south-1")
    # A profile without a region leaves the user's own region alone (the test env has
    # AWS_DEFAULT_REGION=us-east-1 and no AWS_REGION).
    result, _, after = _assume_and_dump(sh, "noregion", before=False)
    assert result.returncode == 0, result.stderr
    assert "AWS_REGION" not in after and after["AWS_DEFAULT_REGION"] == "us-east-1"
    assert after["AWS_PROFILE"] == "noregion"


def test_unset_leaves_no_rolecall_variable(sh):
    prelude = f"assume -- {quote_for(sh.shell, WEIRD)} 2>/dev/null\n"
    result, before, after = _assume_and_dump(sh, "--unset", prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert before["ROLECALL_PROFILE"] == WEIRD  # the prelude did assume
    # Only the user's own region is back (the test env's AWS_DEFAULT_REGION, from before the first assume).
    assert [k for k in MANAGED if k in after] == ["AWS_DEFAULT_REGION"] and after["AWS_DEFAULT_REGION"] == "us-east-1"
    expected = {k: v for k, v in _expected_after(before, {"AWS_DEFAULT_REGION": "us-east-1"}).items()
                if not k.startswith("_ROLECALL_SAVED")}
    assert without_shell_noise(after) == expected
    assert "cleared" in result.stderr


def test_failure_keeps_the_environment_and_the_status(sh):
    prelude = "assume plain 2>/dev/null\n"
    result, before, after = _assume_and_dump(sh, "no-such-profile", prelude=prelude)
    assert result.returncode == 3  # EXIT_CONFIG: profile not found, passed through by the wrapper
    assert without_shell_noise(after) == without_shell_noise(before)
    assert "rolecall: error: " in result.stderr and "'no-such-profile' not found" in result.stderr
    assert "hint: run: rolecall list" in result.stderr


def test_usage_error_status_is_returned(sh):
    result = sh.run("assume --bogus-option\necho status=$" + ("status" if sh.shell == "fish" else "?"))
    assert result.stdout == "status=2\n"
    assert "unknown option '--bogus-option'" in result.stderr


def test_help_goes_to_stderr_and_changes_nothing(sh):
    result, before, after = _assume_and_dump(sh, "--help")
    assert result.returncode == 0
    assert "Usage: assume" in result.stderr and result.stdout == ""
    assert without_shell_noise(after) == without_shell_noise(before)


def test_sourcing_twice_is_harmless(sh):
    body = f"{sh.source_line()}\n{sh.source_line()}\n"
    result, before, after = _assume_and_dump(sh, "plain", prelude=body)
    assert result.returncode == 0, result.stderr
    assert after["AWS_ACCESS_KEY_ID"] == "AKIAPLAIN"
    assert result.stderr.count("rolecall: assumed plain") == 1


HIJACK = {
    # Functions and aliases a user (or another tool) might have, which must not
    # change what the wrapper does.
    "bash": "export() { echo hijacked; }; unset() { echo hijacked; }; eval() { echo hijacked; };"
            " test() { echo hijacked; }; [() { echo hijacked; }; printf() { echo hijacked; };"
            " rolecall() { echo hijacked; }; alias assume='echo hijacked'\nshopt -s expand_aliases\n",
    "zsh": "unset() { echo hijacked; }; eval() { echo hijacked; }; rolecall() { echo hijacked; };"
           " alias assume='echo hijacked'; alias export='echo hijacked'\nsetopt sh_word_split ksh_arrays\n",
    "fish": "function rolecall; echo hijacked; end; function source; echo hijacked; end;"
            " function printf; echo hijacked; end; function contains; echo hijacked; end\n",
}


def test_user_functions_and_aliases_do_not_hijack(sh):
    body = HIJACK[sh.shell] + "builtin " + sh.source_line() + "\n"
    result, _, after = _assume_and_dump(sh, "-- " + quote_for(sh.shell, WEIRD), before=False, prelude=body)
    assert result.returncode == 0, result.stderr
    assert "hijacked" not in result.stdout + result.stderr
    assert after["AWS_SECRET_ACCESS_KEY"] == WEIRD_SECRET
    sh.assert_no_side_effects()


def test_profile_only_exports_just_the_profile(sh):
    result, before, after = _assume_and_dump(sh, "-p plain")
    assert result.returncode == 0, result.stderr
    assert without_shell_noise(after) == _expected_after(before, {
        "AWS_PROFILE": "plain", "AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2",
        "ROLECALL_PROFILE": "plain", **REGION_MARKS,
    })
    assert "AWS_PROFILE only" in result.stderr


def test_rolecall_export_profile_env_selects_profile_only(sh):
    result, _, after = _assume_and_dump(sh, "plain", before=False, extra_env={"ROLECALL_EXPORT": "profile"})
    assert result.returncode == 0, result.stderr
    assert "AWS_ACCESS_KEY_ID" not in after and after["AWS_PROFILE"] == "plain"
    assert after["ROLECALL_EXPORT"] == "profile"  # a user setting: never cleared


def test_exec_runs_uncaptured_with_argv_intact(sh, tmp_path):
    out = tmp_path / "child.json"
    code = ("import json, os, sys\n"
            f"names = {list(MANAGED)!r}\n"
            "env = {k: os.environ.get(k) for k in names}\n"
            f"json.dump({{'argv': sys.argv[1:], 'env': env}}, open({str(out)!r}, 'w'))\n"
            "print('child stdout')\n"
            "sys.exit(7)\n")
    args = ["a b", "it's", '"dq"', "$(touch pwned)", "", "-n", "--", "ü ✓"]
    words = " ".join(quote_for(sh.shell, w) for w in [sys.executable, "-c", code, *args])
    result, before, after = _assume_and_dump(sh, f"plain --exec -- {words}")
    assert result.returncode == 7
    assert result.stdout == "child stdout\n"  # not captured, not eval'd
    import json

    child = json.loads(out.read_text())
    assert child["argv"] == args
    assert child["env"]["AWS_ACCESS_KEY_ID"] == "AKIAPLAIN"
    assert child["env"]["AWS_PROFILE"] is None  # keys only in an exec child (the profile may not exist there)
    assert child["env"]["ROLECALL_PROFILE"] == "plain"
    assert child["env"]["AWS_SESSION_TOKEN"] is None
    # the shell itself is unchanged
    assert without_shell_noise(after) == without_shell_noise(before)
    sh.assert_no_side_effects()


def test_bare_assume_without_wrapper_prints_the_hint(rolecall):
    result = rolecall("assume", "plain")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "not loaded" in result.stderr
    assert 'hint: load it: eval "$(rolecall init' in result.stderr or "rolecall init fish | source" in result.stderr


@pytest.mark.parametrize("shell,hint", [
    ("bash", 'eval "$(rolecall init bash)"'),
    ("zsh", 'eval "$(rolecall init zsh)"'),
    ("fish", "rolecall init fish | source"),
])
def test_bare_assume_hint_names_the_detected_shell(shell, hint, tmp_path):
    from tests.support.tools import require_tool

    # `; exit $?`: a shell would exec a lone command, and rolecall's parent would not be the shell.
    cmd = f"{sys.executable} -m rolecall assume plain; exit $" + ("status" if shell == "fish" else "?")
    result = subprocess.run([require_tool(shell), "-c", cmd], capture_output=True, text=True,
                            env=dict(os.environ), cwd=tmp_path, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stdout == ""
    assert hint in result.stderr


def test_marker_but_stdout_is_a_terminal_refuses(tmp_path):
    """`rolecall assume --shell bash P` typed by hand: secrets must not hit the terminal."""
    import pty

    from tests.support.pty_io import read_all

    master, slave = pty.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "rolecall", "assume", "--shell", "bash", "plain"],
                                stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=dict(os.environ), timeout=60)
        os.close(slave)
        slave = -1
        shown = read_all(master)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    assert result.returncode == 2
    assert b"refusing to print credentials to a terminal" in result.stderr
    assert b"plain-secret" not in shown and shown == b""


def test_captured_exec_is_refused(rolecall):
    """An outdated wrapper that captured --exec must not get the child's output eval'd."""
    result = rolecall("assume", "--shell", "bash", "plain", "--exec", "--", "echo", "export X=1")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "out of date" in result.stderr


STRICT = {
    "bash": "set -euo pipefail\n",
    "zsh": "setopt err_exit no_unset pipe_fail sh_word_split ksh_arrays no_glob\n",
}


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_strict_shell_options_do_not_break_the_wrapper(shell, tmp_path):
    from tests.support.shells import ShellRunner

    sh = ShellRunner(shell, tmp_path / "cwd")
    prelude = STRICT[shell]
    result, _, after = _assume_and_dump(sh, "-- " + quote_for(shell, WEIRD), before=False, prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert after["AWS_SECRET_ACCESS_KEY"] == WEIRD_SECRET
    assert after["AWS_PROFILE"] == WEIRD
    sh.assert_no_side_effects()


def test_nul_in_a_value_is_refused_cleanly(aws_config, rolecall):
    aws_config("[profile nul]\n", "[nul]\naws_access_key_id = AKIA\naws_secret_access_key = a\0b\n")
    for args in (["assume", "--shell", "bash", "nul"], ["assume", "--shell", "fish", "nul"],
                 ["exec", "nul", "--", "true"]):
        result = rolecall(*args)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert "rolecall: error: the value for AWS_SECRET_ACCESS_KEY contains a NUL byte" in result.stderr
        assert "hint: remove the NUL character" in result.stderr
