"""Completion's command table against the real commands.

Completion cannot import click (too slow for a TAB), so it walks a table that
tools/gen_command_spec.py generates from the click commands (and from assume's
own option table) into src/rolecall/data/command_spec.py. These tests run the
generator and fail, naming the command to run, when the file has drifted.
"""

from __future__ import annotations

import importlib.util

import pytest

from rolecall import cli
from rolecall import completion as c
from rolecall.commands import assume

from .helpers import REPO

DATA = REPO / "src" / "rolecall" / "data" / "command_spec.py"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_command_spec", REPO / "tools" / "gen_command_spec.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generated() -> dict:
    namespace: dict = {}
    exec(compile(_generator().build(), "generated", "exec"), namespace)
    return namespace


def test_data_file_is_current():
    assert DATA.read_text(encoding="utf-8") == _generator().build(), \
        "command_spec.py is stale: run python tools/gen_command_spec.py"


def test_subcommand_list_matches_cli():
    assert list(c.COMMANDS) == list(cli.COMMANDS)
    assert list(c.ROLECALL["commands"]) == list(cli.COMMANDS)


@pytest.mark.parametrize("name", [n for n in cli.COMMANDS if n != "assume"])
def test_command_table_matches_click(name):
    module_name = cli.COMMANDS[name][0]
    if importlib.util.find_spec(module_name) is None:
        pytest.fail(f"{module_name} does not exist: completion offers the table's guess for `{name}`")
    derived = _generated()["ROLECALL"]["commands"][name]
    assert c.ROLECALL["commands"][name] == derived, "run python tools/gen_command_spec.py"


def test_generator_reads_click_options():
    """The derivation itself: a known option of each kind comes out with that kind."""
    commands = _generated()["ROLECALL"]["commands"]
    assert commands["login"]["options"]["--profile"] == c.PROFILE
    assert commands["login"]["options"]["--device-code"] is c.FLAG
    assert commands["export"]["options"]["--format"] == tuple(__import__("rolecall.shells.formats").shells.formats.FORMATS)
    assert commands["config"]["commands"]["add-session"]["options"]["--region"] == c.REGION
    assert commands["config"]["commands"]["set"]["args"] == (c.PROFILE, c.CONFIG_KEY, c.KEY_VALUE)
    assert commands["config"]["commands"]["rm"]["rest"] == c.PROFILE


def test_assume_table_matches_its_parser():
    hidden = {"--shell", "--uncaptured", "--renew"}  # used by the shell wrapper, not typed by people
    flags = {o for o in assume._FLAGS if o not in hidden} | {"--exec"}
    valued = {o for o in assume._VALUED if o not in hidden}
    table = c.ASSUME["options"]
    assert {o for o, kind in table.items() if kind is c.FLAG} == flags
    assert {o for o, kind in table.items() if kind is not c.FLAG} == valued
    assert table["-r"] == table["--region"] == c.REGION
    assert table["-s"] == table["--service"] == c.SERVICE
    assert c.ROLECALL["commands"]["assume"] is c.ASSUME


def test_session_flag_commands_have_that_flag():
    for name, spec in c.ROLECALL["commands"]["config"]["commands"].items():
        if "session_flag" in spec:
            assert spec["options"][spec["session_flag"]] is c.FLAG, name
    assert "session_flag" in c.ROLECALL["commands"]["config"]["commands"]["set"]
