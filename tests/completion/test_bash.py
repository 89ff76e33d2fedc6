"""bash: the real completion function (COMPREPLY) and a real interactive bash in tmux."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from tests.support.tools import require_tool
from rolecall import completion

from .helpers import (
    POSIX_TYPED,
    COMPLETIONS, Tmux, run_in_tmux, shell_env, shortest_unique_prefix, type_bare, type_double,
    type_single,
)


def compreply(tmp_path, line: str, cur: str, script: str | None = None) -> list[str]:
    """Call the function as bash's programmable completion would: COMP_* set, $1 $2 $3."""
    bash = require_tool("bash")
    source = script if script is not None else f"source {shlex.quote(str(COMPLETIONS / 'rolecall.bash'))}"
    words = line.split(" ")
    program = f"""
{source}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
__rolecall_complete_bash {shlex.quote(words[0])} {shlex.quote(cur)} {shlex.quote(words[-2] if len(words) > 1 else '')}
printf '%s\\0' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run([bash, "--noprofile", "--norc", "-c", program], env=shell_env(tmp_path),
                            capture_output=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")
    return [] if out == "\0" else out.split("\0")[:-1]


def test_assume_profiles(tmp_path, odd_config):
    assert compreply(tmp_path, "assume ", "") == [
        "default", "my\\ profile", "it\\'s\\ prod", 'quote\\"d', "\\$\\(touch\\ pwned\\)", "\\`touch\\ pwned2\\`",
        "ünïcødé", "-leading-dash", "a:b=c", "star\\*\\ \\[x\\]", "semi\\;colon\\&amp", "back\\\\slash",
        "bang\\!x", "dollar\\$HOME", "\\~tilde", "\\#hash", "brace\\{a,b\\}", "mixed\\ \\'q\\'\\ \\\"d\\\"",
        "cred\\ only", "profile\\ literal",
    ]
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    "line,cur,expected",
    [
        pytest.param("assume my\\ p", "my\\ p", ["my\\ profile"], id="backslash"),
        pytest.param("assume 'my p", "my p", ["my profile"], id="single-quote-readline-closes"),
        pytest.param('assume "my p', "my p", ["my profile"], id="double-quote"),
        pytest.param("assume 'it", "it", ["it'\\''s prod"], id="quote-inside-single"),
        pytest.param('assume "ban', "ban", ["bang\"'!'\"x"], id="bang-inside-double"),
        pytest.param("assume a:", "", ["b=c"], id="after-colon-wordbreak"),
        pytest.param("assume -r eu-west-", "eu-west-", ["eu-west-1", "eu-west-2", "eu-west-3"], id="region"),
        pytest.param("assume --region=cn-", "cn-", ["cn-north-1", "cn-northwest-1"], id="region-equals"),
        pytest.param("assume --reg", "--reg", ["--region"], id="option"),
        pytest.param("assume -s ec", "ec", ["ec2", "ecr", "ecs"], id="service"),
        pytest.param("rolecall ", "", list(completion.COMMANDS), id="subcommands"),
        pytest.param("rolecall con", "con", ["console", "config"], id="subcommand-prefix"),
        pytest.param("rolecall login --profile cred", "cred", ["cred\\ only"], id="login-profile"),
        pytest.param("rolecall login --sso-session ", "", ["corp", "my\\ session"], id="login-session"),
        pytest.param("rolecall config rm qu", "qu", ['quote\\"d'], id="config-rm"),
        pytest.param("rolecall config set default reg", "reg", ["region"], id="config-set-key"),
        pytest.param("rolecall init ", "", ["bash", "zsh", "fish"], id="init"),
        pytest.param("assume nomatch", "nomatch", [], id="no-match"),
    ],
)
def test_compreply(tmp_path, odd_config, line, cur, expected):
    if "-s ec" in line:
        from rolecall.console_services import SERVICES

        expected = sorted(s for s in SERVICES if s.startswith("ec"))
    assert compreply(tmp_path, line, cur) == expected


def test_big_config(tmp_path, big_config):
    replies = compreply(tmp_path, "assume ", "")
    assert len(replies) == len(big_config)
    assert replies[1:4] == ["p0000", "p0001", "p0002"]
    assert compreply(tmp_path, "assume p12", "p12") == [f"p{n}" for n in range(1200, 1300)]
    assert compreply(tmp_path, "assume p4999", "p4999") == ["p4999"]
    assert not (tmp_path / "pwned").exists()


def test_broken_config_completes_quietly(tmp_path, aws_config):
    aws_config("[profile a]\n[profile a]\nnot a key line\n[profile b]\n")
    assert compreply(tmp_path, "assume ", "") == ["a", "b"]


def test_init_snippet_bakes_the_command_in(tmp_path, odd_config):
    """`rolecall init bash` code calls the baked path: no rolecall on PATH needed."""
    snippet = completion.init_snippet("bash", ["/no/such/dir/../x/rolecall it's"])
    assert "command '/no/such/dir/../x/rolecall it'\\''s' __complete" in snippet
    runner = tmp_path / "my dir" / "rolecall"
    runner.parent.mkdir()
    runner.symlink_to((shell_env(tmp_path)["PATH"].split(":")[0]) + "/rolecall")
    snippet = completion.init_snippet("bash", [str(runner)])
    path = tmp_path / "snippet.bash"
    path.write_text(snippet)
    source = f"PATH=/usr/bin:/bin; source {shlex.quote(str(path))}"
    assert compreply(tmp_path, "assume cred", "cred", script=source) == ["cred\\ only"]


def test_standalone_files_are_one_script_and_lint_clean():
    assert (COMPLETIONS / "assume.bash").read_text() == (COMPLETIONS / "rolecall.bash").read_text()
    text = (COMPLETIONS / "rolecall.bash").read_text()
    assert text.count(completion._MARKER) == 1
    shellcheck = require_tool("shellcheck")
    result = subprocess.run([shellcheck, "-s", "bash", str(COMPLETIONS / "rolecall.bash")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


@pytest.fixture
def bash_tmux(tmp_path, odd_config):
    require_tool("tmux")
    bash = require_tool("bash")
    out = tmp_path / "argv"
    setup = tmp_path / "setup.bash"
    setup.write_text(f"""
PS1='$ '
HISTFILE=/dev/null
source {shlex.quote(str(COMPLETIONS / 'rolecall.bash'))}
assume() {{ printf '%s\\0' "$@" > {shlex.quote(str(out))}.tmp; mv {shlex.quote(str(out))}.tmp {shlex.quote(str(out))}; }}
rolecall() {{ assume "$@"; }}
touch {shlex.quote(str(tmp_path / 'ready'))}
""")
    tmux = Tmux(tmp_path, shell_env(tmp_path), [bash, "--noprofile", "--norc", "-i"])
    try:
        tmux.type(f"source {shlex.quote(str(setup))}")
        tmux.keys("Enter")
        tmux.wait_for_file(tmp_path / "ready")
        yield tmux, out
    finally:
        tmux.close()


@pytest.mark.parametrize("style", ["bare", "single", "double"])
def test_interactive_tab_passes_the_exact_name(bash_tmux, tmp_path, odd_config, style):
    """Type a prefix in each quoting style, TAB, Enter: assume receives exactly the name."""
    tmux, out = bash_tmux
    typer = {"bare": type_bare, "single": type_single, "double": type_double}[style]
    options = list(completion.ASSUME["options"])
    for name in odd_config:
        prefix = shortest_unique_prefix(name, odd_config + options)
        if style == "double" and "!" in prefix:
            continue  # typing `"…!` would trip bash's own history expansion before TAB
        assert run_in_tmux(tmux, out, "assume " + typer(prefix)) == [name], (style, name)
    assert run_in_tmux(tmux, out, "rolecall login --profile my\\ p") == ["login", "--profile", "my profile"]
    assert run_in_tmux(tmux, out, "assume --region=eu-west-") != []  # ambiguous: nothing breaks
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_rolecall_init_bash_includes_completion(tmp_path, odd_config, rolecall):
    """What `eval "$(rolecall init bash)"` sets up completes with the baked command, PATH or not."""
    result = rolecall("init", "bash")
    assert result.returncode == 0, result.stderr
    assert "complete -F __rolecall_complete_bash rolecall assume" in result.stdout
    path = tmp_path / "init.bash"
    path.write_text(result.stdout)
    source = f"source {shlex.quote(str(path))}; PATH=/usr/bin:/bin"
    assert compreply(tmp_path, "assume 'my p", "my p", script=source) == ["my profile"]
    assert compreply(tmp_path, "rolecall log", "log", script=source) == ["login", "logout"]


def test_interactive_quoting_inside_the_word(bash_tmux):
    """Longer prefixes with escapes and quotes mid-word (one shell for all of them)."""
    tmux, out = bash_tmux
    got = {typed: run_in_tmux(tmux, out, "assume " + typed) for typed, _ in POSIX_TYPED}
    assert got == {typed: [name] for typed, name in POSIX_TYPED}
