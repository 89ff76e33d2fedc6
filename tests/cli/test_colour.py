"""Colour on a terminal for errors, warnings, doctor, status and the picker; never when piped or NO_COLOR."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.support.cli import run_rolecall
from tests.support.pty_io import read_all

ESC = "\x1b["


def run_on_a_terminal(*args: str, env: dict | None = None) -> str:
    """Run rolecall with stdout and stderr on a pseudo-terminal; everything it wrote."""
    leader, follower = pty.openpty()
    full_env = {**os.environ, **(env or {}), "TERM": "xterm-256color"}
    child = subprocess.Popen([sys.executable, "-m", "rolecall", *args], stdin=subprocess.DEVNULL, stdout=follower,
                             stderr=follower, env=full_env, close_fds=True)
    os.close(follower)
    written = read_all(leader)
    child.wait(timeout=30)
    os.close(leader)
    return written.decode("utf-8", "replace")


def test_errors_are_coloured_on_a_terminal_only():
    shown = run_on_a_terminal("export", "nope")
    assert ESC in shown and "rolecall: error:" in shown
    assert ESC not in run_rolecall("export", "nope").stderr  # piped: plain
    assert ESC not in run_on_a_terminal("export", "nope", env={"NO_COLOR": "1"})
    assert ESC not in run_on_a_terminal("--color=never", "export", "nope")
    forced = run_rolecall("--color=always", "export", "nope")
    assert forced.stderr.startswith(f"{ESC}") and "rolecall: error:" in forced.stderr
    assert forced.returncode == 3


def test_color_always_beats_no_color_and_a_bad_value_is_refused():
    assert ESC in run_rolecall("--color=always", "export", "nope", env={"NO_COLOR": "1"}).stderr
    bad = run_rolecall("--color=sometimes", "list")
    assert bad.returncode == 2 and "--color must be always, never or auto" in bad.stderr


def test_doctor_status_column(aws_config):
    aws_config("[profile a]\nregion = us-east-1\n", "[a]\naws_access_key_id = AKIAA\naws_secret_access_key = s\n")
    coloured = run_rolecall("--color=always", "doctor", "--offline")
    assert f"{ESC}32m" in coloured.stdout or f"{ESC}1;32m" in coloured.stdout  # green ok
    plain = run_rolecall("doctor", "--offline")
    assert ESC not in plain.stdout and "[ok" in plain.stdout


def test_status_expiry_is_coloured(sandbox, aws_config, isolated_home):
    from tests.support.sso import BASE_CONFIG, cli_login

    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    coloured = run_rolecall("--color=always", "status")
    assert coloured.returncode == 0, coloured.stderr
    assert ESC in coloured.stdout and "in 7h" in coloured.stdout
    assert ESC not in run_rolecall("status").stdout


@pytest.mark.parametrize("value", ["always", "never", "auto"])
def test_the_option_is_in_the_help(value):
    shown = run_rolecall("--help").stdout
    assert "--color" in shown and "--debug" in shown
    assert run_rolecall(f"--color={value}", "--version").returncode == 0
