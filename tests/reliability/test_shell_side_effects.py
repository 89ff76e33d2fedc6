"""Property: the shell emitters have no side effect, whatever the value.

tests/shell/test_emitters.py::test_round_trip_property already round-trips
10,200 generated values exactly through real bash, zsh and fish; it compares
only the variables set. This adds what it does not check, with values built
from injection fragments (command substitution, backticks, quote breaks,
newlines, fish's `(…)` and `; and`): sourcing the emitted code creates no file,
changes no other variable, and `render_print` prints the text verbatim.
"""

from __future__ import annotations

import subprocess

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from rolecall import shells
from tests.support.tools import require_tool

MARK = "RC-PWNED"
ARGS = {"bash": ["--noprofile", "--norc"], "zsh": ["-f"], "fish": ["--no-config"]}
FRAGMENTS = ["$(", ")", "`", "'", '"', "\\", ";", "\n", "(", "{", "}", " ", "&&", "|", "#", "$HOME", "${PATH}",
             "end", "; and ", "touch ", MARK, "%s", "!!", "\t", "\r", "ü", "$", "*", "~", "=", "-e ", "--"]
PAYLOADS = [f"$(touch {MARK})", f"`touch {MARK}`", f"'; touch {MARK}; '", f'"; touch {MARK}; "',
            f"\ntouch {MARK}\n", f"(touch {MARK})", f"'\n(touch {MARK})\n'", f"\\'; touch {MARK} #",
            f"end; touch {MARK}", f"x; and touch {MARK}", f"$(touch {MARK})\\", "\\", "'", '"', "", " ", "\n"]
VALUE = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join)
NOISE = {"_", "SHLVL", "PWD", "OLDPWD"}


def run_shell(shell: str, script: str, cwd) -> subprocess.CompletedProcess:
    # HOME elsewhere: fish keeps its own state under ~/.config and ~/.local
    home = cwd.parent / f"{cwd.name}-home"
    home.mkdir(exist_ok=True)
    return subprocess.run([require_tool(shell), *ARGS[shell], "-c", script], capture_output=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(home), "LC_ALL": "C.UTF-8"}, timeout=60,
                          stdin=subprocess.DEVNULL)


def env_after(shell: str, code: str, workdir) -> dict[str, str]:
    (workdir / "code").write_bytes(code.encode("utf-8"))
    result = run_shell(shell, f"source '{workdir / 'code'}'\nenv -0 > '{workdir / 'env'}'", workdir)
    assert result.returncode == 0, result.stderr
    env = {}
    for item in (workdir / "env").read_bytes().split(b"\0"):
        if item:
            key, _, value = item.partition(b"=")
            env[key.decode()] = value.decode("utf-8", "surrogateescape")
    return {k: v for k, v in env.items() if k not in NOISE}


def check_no_side_effect(shell: str, values: list[str], tmp_path_factory) -> None:
    workdir = tmp_path_factory.mktemp(f"side-{shell}")
    baseline = env_after(shell, "", workdir)
    changes = {f"RC_SE_{i}": v for i, v in enumerate(values)}
    env = env_after(shell, shells.render(shell, changes), workdir)
    assert {k: v for k, v in env.items() if k.startswith("RC_SE_")} == changes
    assert {k: v for k, v in env.items() if not k.startswith("RC_SE_")} == baseline  # nothing else changed
    unset = env_after(shell, shells.render(shell, {**changes, **{k: None for k in changes}}), workdir)
    assert unset == baseline
    (workdir / "print").write_bytes("".join(shells.render_print(shell, v) for v in values).encode("utf-8"))
    printed = run_shell(shell, f"source '{workdir / 'print'}'", workdir)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.decode("utf-8") == "".join(v + "\n" for v in values)
    assert sorted(p.name for p in workdir.iterdir()) == ["code", "env", "print"]  # no file was created
    assert not (workdir / MARK).exists()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_known_payloads_have_no_side_effect(shell, tmp_path_factory):
    check_no_side_effect(shell, PAYLOADS, tmp_path_factory)


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_generated_payloads_have_no_side_effect(shell, tmp_path_factory):
    require_tool(shell)

    @settings(max_examples=20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(VALUE, min_size=150, max_size=150))
    def run(values):
        check_no_side_effect(shell, values, tmp_path_factory)

    run()
