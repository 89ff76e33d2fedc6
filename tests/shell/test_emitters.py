"""rolecall.shells: exact code per shell, refusals, and a property test through real shells."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rolecall import shells
from rolecall.errors import UsageError
from tests.support.shells import SHELLS, parse_env_dump, shell_argv

CASES = [
    # id, value, bash/zsh, fish
    ("plain", "AKIA123", "'AKIA123'", "'AKIA123'"),
    ("empty", "", "''", "''"),
    ("single-quote", "it's", "'it'\\''s'", "'it\\'s'"),
    ("backslash", "a\\b", "'a\\b'", "'a\\\\b'"),
    ("newline", "a\nb", "'a\nb'", "'a'\\n'b'"),
    ("trailing-newline", "a\n", "'a\n'", "'a'\\n''"),
    ("command-subst", "$(touch pwned)", "'$(touch pwned)'", "'$(touch pwned)'"),
    ("fish-subst", "(touch pwned)", "'(touch pwned)'", "'(touch pwned)'"),
    ("backticks", "`id`", "'`id`'", "'`id`'"),
    ("leading-dash", "-x --y", "'-x --y'", "'-x --y'"),
    ("utf8", "ünï ✓ 🚀", "'ünï ✓ 🚀'", "'ünï ✓ 🚀'"),
]


@pytest.mark.parametrize("value,posix,fish", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_quote_exact(value, posix, fish):
    assert shells.quote("bash", value) == posix
    assert shells.quote("zsh", value) == posix
    assert shells.quote("fish", value) == fish


def test_render_exact_order_and_unsets():
    changes = {"B_VAR": "x y", "A_VAR": None, "C_VAR": "it's"}
    assert shells.render("bash", changes) == (
        "builtin export B_VAR='x y'\nbuiltin unset -v A_VAR\nbuiltin export C_VAR='it'\\''s'\n"
    )
    assert shells.render("zsh", changes) == shells.render("bash", changes)
    assert shells.render("fish", changes) == (
        "builtin set -g -x B_VAR 'x y'\nbuiltin set -e -g A_VAR\nbuiltin set -g -x C_VAR 'it\\'s'\n"
    )


def test_fish_output_has_one_statement_per_line():
    code = shells.render("fish", {"A": "1\n2\n\n3", "B": "\n"})
    assert code.count("\n") == 2


@pytest.mark.parametrize("name", ["lower", "1ABC", "A-B", "A B", "A;B", "$(x)", "", "É"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(ValueError, match="unsafe name"):
        shells.render("bash", {name: "v"})


@pytest.mark.parametrize("shell", SHELLS)
def test_nul_is_refused_with_a_clear_error(shell):
    with pytest.raises(UsageError, match="NUL"):
        shells.render(shell, {"A": "a\0b"})


def test_lone_surrogate_is_refused():
    with pytest.raises(UsageError, match="Unicode"):
        shells.render("bash", {"A": "a\udcffb"})


def test_unknown_shell_is_a_usage_error():
    with pytest.raises(UsageError, match="unsupported shell 'tcsh'") as info:
        shells.render("tcsh", {"A": "b"})
    assert "rolecall init bash" in info.value.hint


# --------------------------------------------------------------------------
# Property: arbitrary text survives emit → real shell → environment, exactly.

SPECIALS = "'\"\\$`!;|&<>(){}[]*?~#%=^ \t\n\r-ü✓🚀\x01\x1b\x7f"
VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=40),
    st.text(alphabet=SPECIALS, max_size=40),
)
BATCH = 200
EXAMPLES = 17  # 17 examples x 200 values x 3 shells = 10,200 values


def _round_trip(shell: str, values: list[str], tmp_path) -> None:
    changes = {f"RC_PROP_{i}": value for i, value in enumerate(values)}
    code_file = tmp_path / f"code.{shell}"
    code_file.write_bytes(shells.render(shell, changes).encode("utf-8"))
    dump = tmp_path / f"env.{shell}"
    script = f"source '{code_file}'\nenv -0 > '{dump}'"
    result = subprocess.run(shell_argv(shell, script), capture_output=True, cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"},
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    env = parse_env_dump(dump)
    got = {k: v for k, v in env.items() if k.startswith("RC_PROP_")}
    assert got == changes


@pytest.mark.parametrize("shell", SHELLS)
def test_round_trip_property(shell, tmp_path_factory):
    from tests.support.tools import require_tool

    require_tool(shell)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(VALUES, min_size=BATCH, max_size=BATCH))
    def check(values):
        _round_trip(shell, values, tmp_path_factory.mktemp(shell))

    check()
