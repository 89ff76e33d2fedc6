"""zsh: the real completion system (compinit) driven in an interactive `zsh -f` under tmux."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from rolecall import completion
from tests.support.tools import require_tool

from .helpers import (
    POSIX_TYPED,
    COMPLETIONS, Tmux, run_in_tmux, shell_env, shortest_unique_prefix, type_bare, type_double, type_single,
)


def _start(tmp_path, load: str) -> tuple[Tmux, object]:
    require_tool("tmux")
    zsh = require_tool("zsh")
    out = tmp_path / "argv"
    q = shlex.quote
    setup = tmp_path / "setup.zsh"
    setup.write_text(f"""
PS1='$ '
HISTFILE=/dev/null
{load}
assume() {{ printf '%s\\0' "$@" > {q(str(out))}.tmp; mv {q(str(out))}.tmp {q(str(out))}; }}
rolecall() {{ assume "$@"; }}
touch {q(str(tmp_path / 'ready'))}
""")
    tmux = Tmux(tmp_path, shell_env(tmp_path), [zsh, "-f", "-i"])
    tmux.type(f"source {q(str(setup))}")
    tmux.keys("Enter")
    tmux.wait_for_file(tmp_path / "ready")
    return tmux, out


def _fpath_load(tmp_path) -> str:
    q = shlex.quote
    return (f"fpath=({q(str(COMPLETIONS))} $fpath)\n"
            f"autoload -Uz compinit && compinit -u -d {q(str(tmp_path / 'zcompdump'))}")


@pytest.fixture
def zsh_tmux(tmp_path, odd_config):
    tmux, out = _start(tmp_path, _fpath_load(tmp_path))
    try:
        yield tmux, out
    finally:
        tmux.close()


@pytest.mark.parametrize("style", ["bare", "single", "double"])
def test_interactive_tab_passes_the_exact_name(zsh_tmux, tmp_path, odd_config, style):
    """`_assume` from fpath: each odd name, typed as a prefix in each quoting style, TAB, Enter."""
    tmux, out = zsh_tmux
    typer = {"bare": type_bare, "single": type_single, "double": type_double}[style]
    options = list(completion.ASSUME["options"])
    for name in odd_config:
        prefix = shortest_unique_prefix(name, odd_config + options)
        assert run_in_tmux(tmux, out, "assume " + typer(prefix)) == [name], (style, name)
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_rolecall_options_and_values(zsh_tmux, odd_config):
    tmux, out = zsh_tmux
    assert run_in_tmux(tmux, out, "rolecall login --profile my\\ p") == ["login", "--profile", "my profile"]
    assert run_in_tmux(tmux, out, "rolecall login --sso-session my") == ["login", "--sso-session", "my session"]
    assert run_in_tmux(tmux, out, "rolecall config sh") == ["config", "show"]
    assert run_in_tmux(tmux, out, "rolecall config rm cred") == ["config", "rm", "cred only"]
    assert run_in_tmux(tmux, out, "assume -r us-gov-w") == ["-r", "us-gov-west-1"]
    assert run_in_tmux(tmux, out, "assume --region=cn-northw") == ["--region=cn-northwest-1"]
    assert run_in_tmux(tmux, out, "assume --no-l") == ["--no-login"]
    assert run_in_tmux(tmux, out, "rolecall doc") == ["doctor"]


def test_big_config(tmp_path, big_config):
    tmux, out = _start(tmp_path, _fpath_load(tmp_path))
    try:
        assert run_in_tmux(tmux, out, "assume p4998") == ["p4998"]
        assert run_in_tmux(tmux, out, "assume mixed") == ["mixed 'q' \"d\""]
    finally:
        tmux.close()


def _snippet_file(tmp_path):
    snippet = tmp_path / "snippet.zsh"
    runner = shell_env(tmp_path)["PATH"].split(":")[0] + "/rolecall"
    snippet.write_text(completion.init_snippet("zsh", [runner]))
    return snippet


def _check_snippet_in_tmux(tmp_path, snippet, options: str = "") -> None:
    q = shlex.quote
    load = (f"autoload -Uz compinit && compinit -u -d {q(str(tmp_path / 'zcompdump'))}\n"
            f"{options}\nsource {q(str(snippet))}\nPATH=/usr/bin:/bin")
    tmux, out = _start(tmp_path, load)
    try:
        assert run_in_tmux(tmux, out, "assume 'it") == ["it's prod"]
        assert run_in_tmux(tmux, out, "rolecall init f") == ["init", "fish"]
    finally:
        tmux.close()


def test_init_snippet_with_compinit(tmp_path, odd_config):
    """The `rolecall init zsh` code: functions with the baked path, compdef after compinit."""
    _check_snippet_in_tmux(tmp_path, _snippet_file(tmp_path))


def test_init_snippet_without_compinit_is_a_quiet_no_op(tmp_path):
    zsh = require_tool("zsh")
    snippet = completion.init_snippet("zsh", ["/opt/rolecall"])
    result = subprocess.run([zsh, "-f", "-c", snippet + "\nprint -r -- ok ${+functions[_rolecall]} ${+functions[_assume]}"],
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok 1 1\n", "")
    assert "command '/opt/rolecall' __complete zsh" in snippet


def test_standalone_files():
    text = (COMPLETIONS / "_rolecall").read_text()
    assert text.startswith("#compdef rolecall\n")
    assert text.count(completion._MARKER) == 1
    assert (COMPLETIONS / "_assume").read_text().startswith("#compdef assume\n")
    zsh = require_tool("zsh")
    for name in ("_rolecall", "_assume"):
        result = subprocess.run([zsh, "-f", "-n", str(COMPLETIONS / name)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr


def test_rolecall_init_zsh_after_compinit(tmp_path, odd_config, rolecall):
    result = rolecall("init", "zsh")
    assert result.returncode == 0, result.stderr
    assert "compdef _assume assume" in result.stdout
    path = tmp_path / "init.zsh"
    path.write_text(result.stdout)
    q = shlex.quote
    load = (f"autoload -Uz compinit && compinit -u -d {q(str(tmp_path / 'zcompdump'))}\n"
            f"eval \"$(<{q(str(path))})\"\nPATH=/usr/bin:/bin")
    tmux, out = _start(tmp_path, load)
    try:
        assert run_in_tmux(tmux, out, "assume dollar") == ["dollar$HOME"]
    finally:
        tmux.close()


def test_interactive_quoting_inside_the_word(zsh_tmux):
    """Longer prefixes with escapes and quotes mid-word (one shell for all of them)."""
    tmux, out = zsh_tmux
    got = {typed: run_in_tmux(tmux, out, "assume " + typed) for typed, _ in POSIX_TYPED}
    assert got == {typed: [name] for typed, name in POSIX_TYPED}


@pytest.mark.parametrize("options", ["setopt KSH_ARRAYS", "setopt KSH_ARRAYS SH_WORD_SPLIT NO_EQUALS"])
def test_init_snippet_loads_and_completes_under_the_users_options(tmp_path, odd_config, options):
    """The user's options (KSH_ARRAYS …) neither break loading nor change what TAB offers (#14)."""
    snippet = _snippet_file(tmp_path)
    zsh = require_tool("zsh")
    loaded = subprocess.run([zsh, "-f", "-c", f"autoload -Uz compinit && compinit -u -d {tmp_path}/zd\n"
                             f"{options}\nsource {shlex.quote(str(snippet))}"],
                            capture_output=True, text=True, timeout=60)
    assert (loaded.returncode, loaded.stderr) == (0, "")
    _check_snippet_in_tmux(tmp_path, snippet, options)
