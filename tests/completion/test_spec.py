"""The static command table in completion.py against the real commands.

Completion cannot import click (too slow for a TAB), so it carries its own
table; these tests derive the same table from the click commands (and from
assume's hand parser) and fail, printing the table to paste, when they drift.
"""

from __future__ import annotations

import importlib
import pprint

import click
import pytest

from rolecall import cli, completion as c


def test_subcommand_list_matches_cli():
    assert list(c.COMMANDS) == list(cli.COMMANDS)
    assert list(c.ROLECALL["commands"]) == list(cli.COMMANDS)


def _option_kind(param: click.Option) -> object:
    if param.is_flag or param.count:
        return c.FLAG
    if isinstance(param.type, click.Choice):
        return tuple(param.type.choices)
    names = set(param.opts) | set(param.secondary_opts)
    for option, kind in (("--profile", c.PROFILE), ("--source-profile", c.PROFILE), ("--sso-session", c.SESSION),
                         ("--session", c.SESSION), ("--region", c.REGION), ("--sso-region", c.REGION),
                         ("--service", c.SERVICE), ("--output", c.OUTPUT_FORMATS)):
        if option in names:
            return kind
    return c.VALUE


ARGUMENT_KINDS = {"profile": c.PROFILE, "profiles": c.PROFILE, "target": c.PROFILE, "old": c.PROFILE,
                  "key": c.CONFIG_KEY, "value": c.KEY_VALUE}


def _argument_kind(param: click.Argument) -> object:
    if isinstance(param.type, click.Choice):
        return tuple(param.type.choices)
    return ARGUMENT_KINDS.get(param.name, c.VALUE)


def derive(command: click.Command) -> dict:
    spec: dict = {"options": {}}
    args = []
    for param in command.params:
        if isinstance(param, click.Option):
            if param.hidden:
                continue
            for option in [*param.opts, *param.secondary_opts]:
                spec["options"][option] = _option_kind(param)
        elif isinstance(param, click.Argument):
            if param.nargs == -1:
                spec["rest"] = _argument_kind(param)
            else:
                args.append(_argument_kind(param))
    if args:
        spec["args"] = tuple(args)
    if isinstance(command, click.Group):
        spec["commands"] = {name: derive(sub) for name, sub in command.commands.items()}
    return spec


def normalise(spec: dict) -> dict:
    out = {"options": dict(spec.get("options", {}))}
    if spec.get("args"):
        out["args"] = tuple(spec["args"])
    if spec.get("rest", c.VALUE) is not c.VALUE:
        out["rest"] = spec["rest"]
    if "commands" in spec:
        out["commands"] = {name: normalise(sub) for name, sub in spec["commands"].items()}
    return out


def _click_command(module_name: str) -> click.Command:
    return cli.LazyGroup().get_command(None, next(n for n, (m, _) in cli.COMMANDS.items() if m == module_name))


@pytest.mark.parametrize("name", [n for n in cli.COMMANDS if n != "assume"])
def test_command_table_matches_click(name):
    module_name = cli.COMMANDS[name][0]
    if importlib.util.find_spec(module_name) is None:
        pytest.fail(f"{module_name} does not exist: completion offers the table's guess for `{name}`")
    command = _click_command(module_name)
    derived = normalise(derive(command))
    mine = normalise(c.ROLECALL["commands"][name])
    assert mine == derived, f"update ROLECALL['commands'][{name!r}] in completion.py to:\n{pprint.pformat(derived)}"


def test_assume_table_matches_its_parser():
    assume = importlib.import_module("rolecall.commands.assume")
    hidden = {"--shell", "--uncaptured"}  # used by the shell wrapper, not typed by people
    flags = {o for o in assume._FLAGS if o not in hidden} | {"--exec"}
    valued = {o for o in assume._VALUED if o not in hidden}
    table = c.ASSUME["options"]
    assert {o for o, kind in table.items() if kind is c.FLAG} == flags
    assert {o for o, kind in table.items() if kind is not c.FLAG} == valued
    assert table["-r"] == table["--region"] == c.REGION
    assert table["-s"] == table["--service"] == c.SERVICE


def test_session_flag_commands_have_that_flag():
    for name, spec in c.ROLECALL["commands"]["config"]["commands"].items():
        if "session_flag" in spec:
            assert spec["options"][spec["session_flag"]] is c.FLAG, name
