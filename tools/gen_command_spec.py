#!/usr/bin/env python3
"""Generate src/rolecall/data/command_spec.py, completion's command table, from the click commands.

Completion runs on every TAB and cannot import click, so the command tree it
walks is extracted here, at development time, from the commands themselves:
every click command and option in rolecall.commands, and the `assume` shell
function's options from `rolecall.commands.assume.OPTIONS` (its own parser).
An option's value kind (what TAB offers after it) follows from its click type
(a Choice offers its choices, a flag nothing) and from its name (KIND_BY_NAME);
a positional's from its parameter name (ARGUMENT_KINDS).

    python tools/gen_command_spec.py           # rewrite the data file
    python tools/gen_command_spec.py --check   # exit 1 if it is out of date

tests/completion/test_spec.py runs build() and compares it with the file.
"""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "rolecall" / "data" / "command_spec.py"
sys.path.insert(0, str(ROOT / "src"))

import click  # noqa: E402

from rolecall import browsers, cli  # noqa: E402
from rolecall import completion as c
from rolecall.commands import assume  # noqa: E402

KIND_BY_NAME = {"--profile": c.PROFILE, "--source-profile": c.PROFILE, "--sso-session": c.SESSION,
                "--session": c.SESSION, "--region": c.REGION, "--sso-region": c.REGION,
                "--service": c.SERVICE, "--output": c.OUTPUT_FORMATS, "--cluster": c.CLUSTER,
                "--browser": browsers.NAMES, "--account-id": c.ACCOUNT, "--role-name": c.ROLE}
ARGUMENT_KINDS = {"profile": c.PROFILE, "profiles": c.PROFILE, "target": c.PROFILE, "old": c.PROFILE,
                  "key": c.CONFIG_KEY, "value": c.KEY_VALUE, "browser_name": browsers.NAMES}
# A flag of this name makes a command's first positional an sso-session (`config set --session NAME KEY VALUE`).
SESSION_FLAG = "--session"


def option_kind(names: list[str], *, flag: bool, choices: tuple[str, ...] | None = None) -> object:
    if flag:
        return c.FLAG
    if choices is not None:
        return choices
    return next((KIND_BY_NAME[name] for name in names if name in KIND_BY_NAME), c.VALUE)


def _argument_kind(param: click.Argument) -> object:
    if isinstance(param.type, click.Choice):
        return tuple(param.type.choices)
    return ARGUMENT_KINDS.get(param.name or "", c.VALUE)


def derive(command: click.Command) -> dict:
    spec: dict = {"options": {}}
    args = []
    for param in command.params:
        if isinstance(param, click.Option):
            if param.hidden:
                continue
            names = [*param.opts, *param.secondary_opts]
            choices = tuple(param.type.choices) if isinstance(param.type, click.Choice) else None
            kind = option_kind(names, flag=bool(param.is_flag or param.count), choices=choices)
            for name in names:
                spec["options"][name] = kind
            if SESSION_FLAG in names and kind is c.FLAG:
                spec["session_flag"] = SESSION_FLAG
        elif isinstance(param, click.Argument):
            if param.nargs == -1:
                if _argument_kind(param) is not c.VALUE:
                    spec["rest"] = _argument_kind(param)
            else:
                args.append(_argument_kind(param))
    if args:
        spec["args"] = tuple(args)
    if isinstance(command, click.Group):
        spec["commands"] = {name: derive(command.commands[name]) for name in command.commands}
    return spec


def derive_assume() -> dict:
    """The `assume` shell function's options, from its own parser's table (the hidden ones left out)."""
    options: dict = {}
    for short, long, _, metavar, _ in assume.OPTIONS:
        names = [name for name in (short, long) if name]
        kind = option_kind(names, flag=metavar is None)
        for name in names:
            options[name] = kind
    return {"options": options, "args": (c.PROFILE,)}


def _root_options() -> dict:
    options: dict = {"--debug": c.FLAG}  # read by entry.py before click runs
    help_option = cli.app.get_help_option(click.Context(cli.app, **cli.app.context_settings))
    for param in [*cli.app.params, *([help_option] if help_option else [])]:
        if isinstance(param, click.Option) and not param.hidden:
            for name in [*param.opts, *param.secondary_opts]:
                options[name] = c.FLAG if param.is_flag else c.VALUE
    return options


def build() -> str:
    group = cli.LazyGroup()
    commands = {}
    for name in cli.COMMANDS:
        command = group.get_command(None, name)  # type: ignore[arg-type]
        if command is None:
            raise SystemExit(f"gen_command_spec: {cli.COMMANDS[name][0]} does not exist")
        commands[name] = derive_assume() if name == "assume" else derive(command)
    assume_spec = commands["assume"]
    commands["assume"] = "__ASSUME__"  # the same table as the shell function's (one object)
    spec = {"options": _root_options(), "commands": commands}
    return (
        '"""The command tree completion walks. GENERATED by tools/gen_command_spec.py from the click\n'
        'commands: do not edit; run `python tools/gen_command_spec.py` after changing an option."""\n\n'
        f"ASSUME: dict = {pprint.pformat(assume_spec, width=110, sort_dicts=False)}\n\n"
        f"ROLECALL: dict = {pprint.pformat(spec, width=110, sort_dicts=False)}\n".replace("'__ASSUME__'", "ASSUME")
    )


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/gen_command_spec.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
