"""The small things: the sandbox's default directory, approving a sandbox login headless, help texts,
and the README's prompt snippet (run in real bash and zsh)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import run_rolecall
from tests.support.sso import BASE_CONFIG, cli_login
from tests.support.tools import REPO, require_tool


def test_sandbox_default_dir_is_the_state_dir_and_approve_works_headless(isolated_home, tmp_path):
    here = tmp_path / "here"
    here.mkdir()
    started = run_rolecall("sandbox", "start", "--background", cwd=str(here))
    assert started.returncode == 0, started.stderr
    state = isolated_home / ".cache" / "rolecall" / "sandbox"
    try:
        assert (state / "config").exists() and (state / "sandbox.url").exists()
        assert list(here.iterdir()) == []  # nothing where we stood
        env = dict(line.split(" ", 1)[1].split("=", 1) for line in started.stdout.splitlines()
                   if line.startswith("export "))
        env = {k: v.strip("'\"") for k, v in env.items()}
        login = subprocess.Popen([sys.executable, "-m", "rolecall", "login", "--device-code", "--no-browser"],
                                 env={**__import__("os").environ, **env}, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        approved = run_rolecall("sandbox", "approve")
        assert approved.returncode == 0, approved.stderr
        assert login.wait(timeout=30) == 0, login.stderr.read()
        assert "approved" in approved.stderr
    finally:
        assert run_rolecall("sandbox", "stop").returncode == 0


def test_debug_is_in_the_help_and_config_help_keeps_whole_descriptions():
    top = run_rolecall("--help").stdout
    assert re.search(r"^\s+--debug\s", top, re.M), top
    shown = run_rolecall("config", "--help").stdout
    commands = shown.split("Commands:")[1]
    assert "..." not in commands, commands
    assert "Write one profile per account and role the sso-session can reach" in " ".join(commands.split())


def _readme_block(heading: str) -> str:
    text = (REPO / "README.md").read_text()
    section = text.split(heading, 1)[1]
    return section.split("```sh", 1)[1].split("```", 1)[0]


def test_the_readme_prompt_snippet_renders_in_bash_and_zsh(sandbox, aws_config, isolated_home, tmp_path):
    from tests.support.shells import init_output

    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    block = _readme_block("## The current profile in your prompt")
    bash_part = block.split("# zsh")[0]
    zsh_part = "# zsh" + block.split("# zsh")[1]
    for shell, snippet, render in (("bash", bash_part, 'printf "%s\\n" "${PS1@P}"'),
                                   ("zsh", zsh_part, 'print -rP -- "$PS1"')):
        init = tmp_path / f"init.{shell}"
        init.write_text(init_output(shell))
        args = ["--noprofile", "--norc"] if shell == "bash" else ["-f"]
        script = (f"source {init}; PS1='$ '; {snippet}\n"
                  f"assume dev-admin 2>/dev/null; {render}; assume -p dev-ro 2>/dev/null; {render}")
        done = subprocess.run([require_tool(shell), *args, "-c", script], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        first, second = done.stdout.splitlines()[-2:]
        assert re.fullmatch(r"\[dev-admin until \d\d:\d\dZ\] \$ ", first), (shell, first)
        assert second == "[dev-ro] $ ", (shell, second)
