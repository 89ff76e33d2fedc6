"""The profile picker: matching (pure) and the real thing in a terminal (tmux)."""

from __future__ import annotations

import subprocess

import pytest

from rolecall import awsconfig, picker
from rolecall.picker import Row, filter_rows
from tests.support.shells import MANAGED, SHELL_ARGS, SHELLS, init_output, parse_env_dump

CONFIG = """\
[profile dev-admin]
region = eu-west-1
rolecall_account_name = Sandbox Dev
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
sso_session = corp

[profile prod-ro]
rolecall_account_name = Prod ✓
sso_account_id = 333333333333
sso_role_name = ReadOnlyAccess
sso_session = corp

[profile deploy]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = static-b

[profile static-a]
region = us-west-2

[profile static-b]
region = ap-south-1

[sso-session corp]
sso_start_url = https://example.invalid/start
sso_region = us-east-1
"""

CREDENTIALS = """\
[static-a]
aws_access_key_id = AKIASTATICA
aws_secret_access_key = secret-a

[static-b]
aws_access_key_id = AKIASTATICB
aws_secret_access_key = secret-b
"""

ROWS = [
    Row("dev-admin", "Sandbox Dev", "111111111111", "AdministratorAccess"),
    Row("prod-ro", "Prod ✓", "333333333333", "ReadOnlyAccess"),
    Row("deploy", "", "222222222222", "deploy"),
    Row("static-a", "", "", ""),
    Row("data-platform", "", "", ""),
]


def names(rows):
    return [r.name for r in rows]


@pytest.mark.parametrize("query,expected", [
    ("", ["dev-admin", "prod-ro", "deploy", "static-a", "data-platform"]),  # no query: config order kept
    ("prod", ["prod-ro"]),
    ("PROD", ["prod-ro"]),
    ("dep", ["deploy"]),  # substring of the name beats a subsequence elsewhere
    ("d", ["data-platform", "deploy", "dev-admin", "prod-ro"]),  # ties: by name
    ("readonly", ["prod-ro"]),  # role
    ("3333", ["prod-ro"]),  # account id
    ("sandbox", ["dev-admin"]),  # account name
    ("✓", ["prod-ro"]),
    ("dpl", ["deploy", "data-platform"]),  # fuzzy subsequence, tighter span first
    ("dev admin", ["dev-admin"]),  # every term must match
    ("dev zzz", []),
])
def test_filter(query, expected):
    assert names(filter_rows(ROWS, query)) == expected


def test_rows_for_reads_account_name_and_role_chains(aws_config):
    aws_config(CONFIG, CREDENTIALS)
    rows = {r.name: r for r in picker.rows_for(awsconfig.load())}
    assert rows["dev-admin"] == Row("dev-admin", "Sandbox Dev", "111111111111", "AdministratorAccess")
    assert rows["deploy"] == Row("deploy", "", "222222222222", "deploy")
    assert rows["static-a"] == Row("static-a", "", "", "")
    assert list(rows) == sorted(rows)


def test_format_rows_aligns_and_neutralises_control_characters():
    lines = picker.format_rows([Row("a\x1b[31m", "n", "1", "r"), Row("bbbbbbbb", "nn", "22", "rr")])
    assert lines == ["a?[31m    n   1   r", "bbbbbbbb  nn  22  rr"]


@pytest.mark.parametrize("shell", SHELLS)
def test_no_terminal_gives_no_terminal_error(shell, aws_config, tmp_path):
    """No controlling terminal (a new session): exit 7 with the hint, nothing eval'd."""
    from tests.support.tools import require_tool

    aws_config(CONFIG, CREDENTIALS)
    integration = tmp_path / f"init.{shell}"
    integration.write_text(init_output(shell), encoding="utf-8")
    status = "$status" if shell == "fish" else "$?"
    result = subprocess.run([require_tool(shell), *SHELL_ARGS[shell], "-c",
                             f"source '{integration}'; assume; echo rc={status}; echo \"p=$AWS_PROFILE\""],
                            capture_output=True, text=True, timeout=60, start_new_session=True,
                            stdin=subprocess.DEVNULL)
    assert result.stdout == "rc=7\np=\n"
    assert "rolecall: error: no PROFILE given and no terminal to pick one on" in result.stderr
    assert "hint: name the profile: assume PROFILE   (to see them: rolecall list)" in result.stderr


# --------------------------------------------------------------------------
# In a real terminal.


@pytest.fixture
def term(request, aws_config, tmp_path):
    from tests.shell.tmux import integrated_shell

    aws_config(CONFIG, CREDENTIALS)
    with integrated_shell(request.param, tmp_path) as tmux:
        yield tmux


def _run_and_dump(term, tmp_path, command: str):
    dump = tmp_path / "env.bin"
    status = "$status" if term.shell == "fish" else "$?"
    term.type(f"{command}; echo rc={status} > '{tmp_path}/rc.tmp'; env -0 > '{dump}.tmp'; "
              f"mv '{tmp_path}/rc.tmp' '{tmp_path}/rc'; mv '{dump}.tmp' '{dump}'")
    term.send("Enter")
    return dump


@pytest.mark.parametrize("term", SHELLS, indirect=True)
def test_type_to_filter_and_enter(term, tmp_path):
    dump = _run_and_dump(term, tmp_path, "assume")
    term.wait_for_text("profile>")
    term.wait_for_text("Sandbox Dev")  # account names are shown
    term.type("stat")
    term.wait_for(lambda: "2/5" in term.screen(), "the filtered count")
    term.send("Down")
    term.send("Enter")
    term.wait_for_file(dump)
    env = parse_env_dump(dump)
    assert (tmp_path / "rc").read_text() == "rc=0\n"
    assert env["AWS_PROFILE"] == "static-b"
    assert env["AWS_ACCESS_KEY_ID"] == "AKIASTATICB"
    assert env["AWS_REGION"] == "ap-south-1"
    screen = term.screen()
    assert "profile>" not in screen  # the picker erased itself
    assert "secret-b" not in screen


@pytest.mark.parametrize("term", ["bash"], indirect=True)
def test_escape_cancels_and_changes_nothing(term, tmp_path):
    dump = _run_and_dump(term, tmp_path, "assume")
    term.wait_for_text("profile>")
    term.send("Escape")
    term.wait_for_file(dump)
    env = parse_env_dump(dump)
    assert (tmp_path / "rc").read_text() == "rc=130\n"
    assert [k for k in MANAGED if k in env and k != "AWS_DEFAULT_REGION"] == []
