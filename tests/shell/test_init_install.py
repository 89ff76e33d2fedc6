"""`rolecall init --install [SHELL]`: the rc line added once, in the right file, with a copy kept."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.cli import run_rolecall
from tests.support.tools import require_tool

RC = {"bash": ".bashrc", "zsh": ".zshrc", "fish": ".config/fish/config.fish"}


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_adds_the_line_once_and_the_shell_gets_assume(shell, isolated_home):
    rc = isolated_home / RC[shell]
    done = run_rolecall("init", "--install", shell, "--yes")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = rc.read_text()
    assert text.count("rolecall init") == 1
    assert f"added to {rc}" in done.stderr
    again = run_rolecall("init", "--install", shell, "--yes")
    assert again.returncode == 0 and rc.read_text() == text
    assert "already" in again.stderr
    # a real interactive shell reading that rc file has `assume`
    argv = {"bash": [require_tool("bash"), "-i", "-c", "type assume >/dev/null && echo READY"],
            "zsh": [require_tool("zsh"), "-i", "-c", "whence -w assume && echo READY"],
            "fish": [require_tool("fish"), "-i", "-c", "functions -q assume; and echo READY"]}[shell]
    env = {"HOME": str(isolated_home), "ZDOTDIR": str(isolated_home), "PATH": __import__("os").environ["PATH"],
           "XDG_CONFIG_HOME": str(isolated_home / ".config"), "TERM": "dumb"}
    ran = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert "READY" in ran.stdout, ran.stderr[-2000:]


def test_zsh_line_goes_after_compinit_and_the_old_file_is_kept(isolated_home):
    rc = isolated_home / ".zshrc"
    before = "# my zshrc\nautoload -Uz compinit\ncompinit\nalias ll='ls -l'\n"
    rc.write_text(before)
    done = run_rolecall("init", "--install", "zsh", "--yes")
    assert done.returncode == 0, done.stderr
    lines = rc.read_text().splitlines()
    assert lines.index("compinit") < next(i for i, line in enumerate(lines) if "rolecall init" in line)
    kept = [line for line in rc.read_text().splitlines() if line in before.splitlines()]
    assert kept == before.splitlines()  # nothing of the user's is changed or reordered
    assert (isolated_home / ".zshrc.bak").read_text() == before


def test_without_a_terminal_it_asks_for_yes(isolated_home):
    done = run_rolecall("init", "--install", "bash")
    assert done.returncode == 7, done.stderr
    assert "--yes" in done.stderr and not (isolated_home / ".bashrc").exists()


def test_the_shell_is_detected_when_not_given(isolated_home):
    done = run_rolecall("init", "--install", "--yes", env={"SHELL": "/usr/bin/zsh"})
    assert done.returncode == 0, done.stderr
    assert (isolated_home / ".zshrc").exists()


def test_doctor_offers_it(isolated_home):
    done = run_rolecall("doctor", "--offline", env={"SHELL": "/bin/bash"})
    assert "rolecall init --install bash" in done.stdout + done.stderr


@pytest.mark.parametrize("shell, existing", [
    ("fish", "rolecall init fish | source\n"),
    ("zsh", 'eval "$(rolecall init zsh)"\n'),
    ("bash", "  eval \"$('/opt/x/bin/rolecall' init bash)\"\n"),
])
def test_a_file_that_already_loads_rolecall_is_left_alone(shell, existing, isolated_home):
    rc = isolated_home / RC[shell]
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(existing)
    done = run_rolecall("init", "--install", shell, "--yes")
    assert done.returncode == 0 and "already" in done.stderr, done.stderr
    assert rc.read_text() == existing and not rc.with_name(rc.name + ".bak").exists()


def test_a_commented_out_line_does_not_count(isolated_home):
    rc = isolated_home / ".bashrc"
    rc.write_text('# eval "$(rolecall init bash)"\n')
    assert run_rolecall("init", "--install", "bash", "--yes").returncode == 0
    assert rc.read_text().count("rolecall init bash") == 2
