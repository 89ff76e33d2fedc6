"""`rolecall init`: lintable scripts, the baked command, shell detection."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rolecall.commands import init as init_cmd
from tests.support.tools import REPO, require_tool
from tests.support.interpreter import interpreter_at
from tests.support.shells import SHELLS, init_output, parse_env_dump, quote_for

SCRIPTS = REPO / "shell"


def _lint(shell: str, path: Path) -> subprocess.CompletedProcess:
    if shell == "bash":
        argv = [require_tool("shellcheck"), "--shell=bash", "--severity=style", str(path)]
    elif shell == "zsh":
        argv = [require_tool("zsh"), "-n", str(path)]
    else:
        argv = [require_tool("fish"), "--no-execute", str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("shell", SHELLS)
def test_shipped_script_lints_clean(shell):
    result = _lint(shell, SCRIPTS / f"assume.{shell}")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_init_output_lints_clean(shell, tmp_path):
    path = tmp_path / f"init.{shell}"
    path.write_text(init_output(shell), encoding="utf-8")
    result = _lint(shell, path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_init_bakes_the_running_rolecall_in_quoted(shell):
    text = init_output(shell)
    command = init_cmd.rolecall_command()
    baked = " ".join(quote_for(shell, part) for part in command)
    run_line = [line for line in text.splitlines() if line.startswith("__rolecall_run") or
                line.startswith("function __rolecall_run")]
    assert len(run_line) == 1 and baked in run_line[0]
    assert init_cmd.PLACEHOLDER not in text
    # it is the script of the shipped file plus, at most, completion after it
    shipped = (SCRIPTS / f"assume.{shell}").read_text(encoding="utf-8")
    assert text.startswith(shipped.replace(init_cmd.PLACEHOLDER, baked + " "))


def test_rolecall_command_is_this_interpreter_and_ignores_the_current_directory(tmp_path, monkeypatch):
    command = init_cmd.rolecall_command()
    assert command[:2] == [sys.executable, "-c"]
    # A `rolecall` package in the directory the user stands in must never run.
    hijack = tmp_path / "rolecall"
    hijack.mkdir()
    (hijack / "__init__.py").write_text("")
    (hijack / "entry.py").write_text("import pathlib; pathlib.Path('pwned').touch()\n"
                                     "def main():\n    return 42\n")
    done = subprocess.run([*command, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("rolecall, version")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("shell", SHELLS)
def test_eval_of_init_works_without_rolecall_on_path(shell, aws_config, tmp_path):
    """The literal rc line; PATH has no rolecall, so the baked absolute path is what runs."""
    aws_config("[profile plain]\nregion = eu-west-1\n", "[plain]\naws_access_key_id = AKIAPLAIN\n"
               "aws_secret_access_key = plain-secret\n")
    dump = tmp_path / "env.bin"
    init = f"{quote_for(shell, sys.executable)} -m rolecall init {shell}"
    load = f"{init} | source" if shell == "fish" else f'eval "$({init})"'
    env = dict(os.environ, PATH="/usr/bin:/bin", LC_ALL="C.UTF-8")
    result = subprocess.run([require_tool(shell), *{"bash": ["--noprofile", "--norc"], "zsh": ["-f"],
                                                     "fish": ["--no-config"]}[shell],
                             "-c", f"{load}\nassume plain\nenv -0 > '{dump}'"],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    after = parse_env_dump(dump)
    assert after["AWS_ACCESS_KEY_ID"] == "AKIAPLAIN" and after["AWS_PROFILE"] == "plain"


@pytest.mark.parametrize("shell", SHELLS)
def test_interpreter_path_with_metacharacters_is_quoted(shell, aws_config, tmp_path):
    """A python whose path holds spaces, quotes and `$(…)`: baked quoted, runs, nothing else runs."""
    aws_config("[profile plain]\n", "[plain]\naws_access_key_id = AKIAPLAIN\naws_secret_access_key = s\n")
    weird = tmp_path / "we ird $(touch pwned) 'q' `touch pwned2`"
    python = interpreter_at(weird)
    text = subprocess.run([str(python), "-m", "rolecall", "init", shell], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    assert quote_for(shell, str(python)) + " '-c' " + quote_for(shell, init_cmd.ENTRY_CODE) in text
    integration = tmp_path / f"init.{shell}"
    integration.write_text(text, encoding="utf-8")
    work = tmp_path / "cwd"
    work.mkdir()
    dump = tmp_path / "env.bin"
    args = {"bash": ["--noprofile", "--norc"], "zsh": ["-f"], "fish": ["--no-config"]}[shell]
    result = subprocess.run([require_tool(shell), *args, "-c",
                             f"source '{integration}'\nassume plain\nenv -0 > '{dump}'"],
                            capture_output=True, text=True, cwd=work, timeout=60,
                            env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert result.returncode == 0, result.stderr
    assert parse_env_dump(dump)["AWS_ACCESS_KEY_ID"] == "AKIAPLAIN"
    assert list(work.iterdir()) == [] and not list(tmp_path.glob("pwned*"))


@pytest.mark.parametrize("shell", SHELLS)
def test_init_without_argument_detects_the_shell(shell, tmp_path):
    status = "$status" if shell == "fish" else "$?"
    result = subprocess.run([require_tool(shell), "-c",
                             f"{quote_for(shell, sys.executable)} -m rolecall init; exit {status}"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == init_output(shell)


def test_init_in_an_unsupported_shell_names_the_fix(tmp_path):
    sh = require_tool("dash")
    result = subprocess.run([sh, "-c", f"'{sys.executable}' -m rolecall init; exit $?"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "rolecall: error: the running shell is 'dash'" in result.stderr
    assert "hint: name one: rolecall init bash" in result.stderr


def test_init_rejects_an_unknown_shell(rolecall):
    result = rolecall("init", "tcsh")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "tcsh" in result.stderr


def test_init_run_needs_no_click(tmp_path):
    """Every new shell runs `rolecall init`: `run` must stay click-free for entry's fast dispatch."""
    code = ("import sys\n"
            "from rolecall.commands.init import run\n"
            "rc = run(['zsh'])\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'boto3', 'botocore'))\n"
            "sys.stderr.write('HEAVY=%r' % heavy)\n"
            "sys.exit(rc)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == init_output("zsh")
    assert "HEAVY=[]" in result.stderr
