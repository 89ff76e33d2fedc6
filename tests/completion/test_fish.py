"""fish: `complete -C` against the autoloaded files, and an interactive fish under tmux."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from rolecall import completion
from tests.support.tools import require_tool

from .helpers import FISH_TYPED, COMPLETIONS, Tmux, run_in_tmux, shell_env, shortest_unique_prefix


def fish_complete(tmp_path, *lines: str, setup: str | None = None) -> list[list[str]]:
    """`complete -C LINE` for each line; candidates without descriptions."""
    fish = require_tool("fish")
    if setup is None:
        # Autoload by command name, as from ~/.config/fish/completions/. fish only
        # autoloads for a command that exists: `assume` is the init function.
        setup = f"function assume; end; set -p fish_complete_path {shlex.quote(str(COMPLETIONS))}"
    script = setup + "\n" + "\n".join(
        f"complete -C {_fish_quote(line)}; echo '<end>'" for line in lines
    )
    result = subprocess.run([fish, "--no-config", "-c", script], env=shell_env(tmp_path),
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    groups, current = [], []
    for line in result.stdout.split("\n")[:-1]:
        if line == "<end>":
            groups.append(current)
            current = []
        else:
            current.append(line.split("\t")[0])
    return groups


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def test_assume_and_rolecall(tmp_path, odd_config):
    everything, pro, quoted, login, session, region, option = fish_complete(
        tmp_path,
        "assume ",
        "assume my",
        "assume 'my p",
        "rolecall login --profile ",
        "rolecall login --sso-session ",
        "assume --region=eu-west-",
        "assume --no",
    )
    assert sorted(everything) == sorted(odd_config)
    assert pro == ["my profile"]
    assert quoted == ["my profile"]
    assert sorted(login) == sorted(odd_config)
    assert session == ["corp", "my session"]
    assert region == ["--region=eu-west-1", "--region=eu-west-2", "--region=eu-west-3"]
    assert option == ["--no-login"]
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_subcommands_and_config(tmp_path, odd_config):
    subcommands, config, show, init = fish_complete(
        tmp_path, "rolecall ", "rolecall config ", "rolecall config show de", "rolecall init ")
    assert sorted(subcommands) == sorted(completion.COMMANDS)
    assert sorted(config) == sorted(completion.CONFIG_SUBCOMMANDS)
    assert show == ["default"]
    assert sorted(init) == ["bash", "fish", "zsh"]


def test_big_config(tmp_path, big_config):
    everything, one = fish_complete(tmp_path, "assume ", "assume p4999")
    assert len(everything) == len(big_config)
    assert one == ["p4999"]


def test_init_snippet(tmp_path, odd_config):
    snippet = tmp_path / "snippet.fish"
    runner = shell_env(tmp_path)["PATH"].split(":")[0] + "/rolecall"
    snippet.write_text(completion.init_snippet("fish", [runner]))
    text = snippet.read_text()
    assert "complete -c rolecall" in text and "complete -c assume" in text
    assert f"command {_fish_quote(runner)} __complete fish" in text
    setup = f"set -gx PATH /usr/bin /bin; source {shlex.quote(str(snippet))}"
    cred, sub = fish_complete(tmp_path, "assume cred", "rolecall sta", setup=setup)
    assert cred == ["cred only"] and sub == ["status"]


def test_standalone_files():
    for name, command in (("rolecall.fish", "rolecall"), ("assume.fish", "assume")):
        text = (COMPLETIONS / name).read_text()
        assert text.count(completion._MARKER) == 1
        assert f"complete -c {command} " in text
        fish = require_tool("fish")
        result = subprocess.run([fish, "--no-execute", str(COMPLETIONS / name)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr


def _type_fish_bare(prefix: str) -> str:
    return "".join("\\" + ch if ch in " $\\*?~%#(){}[]<>^&|;\"'" else ch for ch in prefix)


def _type_fish_single(prefix: str) -> str:
    return "'" + prefix.replace("\\", "\\\\").replace("'", "\\'")


def _type_fish_double(prefix: str) -> str:
    return '"' + "".join("\\" + ch if ch in '"$\\' else ch for ch in prefix)


@pytest.fixture
def fish_tmux(tmp_path, odd_config):
    require_tool("tmux")
    fish = require_tool("fish")
    out = tmp_path / "argv"
    q = _fish_quote
    setup = tmp_path / "setup.fish"
    setup.write_text(f"""
set -g fish_greeting ''
function fish_prompt; echo '$ '; end
set -p fish_complete_path {q(str(COMPLETIONS))}
function assume; string join0 -- $argv > {q(str(out))}.tmp; mv {q(str(out))}.tmp {q(str(out))}; end
function rolecall; assume $argv; end
touch {q(str(tmp_path / 'ready'))}
""")
    tmux = Tmux(tmp_path, shell_env(tmp_path), [fish, "--no-config", "-i"])
    try:
        tmux.type(f"source {q(str(setup))}")
        tmux.keys("Enter")
        tmux.wait_for_file(tmp_path / "ready")
        yield tmux, out
    finally:
        tmux.close()


@pytest.mark.parametrize("style", ["bare", "single", "double"])
def test_interactive_tab_passes_the_exact_name(fish_tmux, tmp_path, odd_config, style):
    tmux, out = fish_tmux
    typer = {"bare": _type_fish_bare, "single": _type_fish_single, "double": _type_fish_double}[style]
    options = list(completion.ASSUME["options"])
    for name in odd_config:
        prefix = shortest_unique_prefix(name, odd_config + options)
        assert run_in_tmux(tmux, out, "assume " + typer(prefix)) == [name], (style, name)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_rolecall_init_fish_includes_completion(tmp_path, odd_config, rolecall):
    result = rolecall("init", "fish")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "init.fish"
    path.write_text(result.stdout)
    setup = f"source {shlex.quote(str(path))}; set -gx PATH /usr/bin /bin"
    quoted, sub = fish_complete(tmp_path, "assume 'it", "rolecall logo", setup=setup)
    assert quoted == ["it's prod"] and sub == ["logout"]


def test_interactive_quoting_inside_the_word(fish_tmux):
    """Longer prefixes with escapes and quotes mid-word (one shell for all of them)."""
    tmux, out = fish_tmux
    got = {typed: run_in_tmux(tmux, out, "assume " + typed) for typed, _ in FISH_TYPED}
    assert got == {typed: [name] for typed, name in FISH_TYPED}
