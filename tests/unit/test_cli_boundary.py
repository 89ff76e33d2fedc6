"""The single error boundary: one line + hint, documented exit codes, --debug."""

from __future__ import annotations

import json

from rolecall.awsconfig import KIND_SSO

from ..awsconfig.corpus import SSO_CLI


def test_list_json_shows_aws_configure_sso_config(aws_config, rolecall):
    aws_config(SSO_CLI)
    result = rolecall("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    admin = rows["AdministratorAccess-123456789012"]
    assert admin["kind"] == KIND_SSO
    assert admin["account_id"] == "123456789012"
    assert admin["role"] == "AdministratorAccess"
    assert admin["region"] == "us-west-2"
    assert admin["sso_session"] == "test"
    assert set(rows) == {"AdministratorAccess-123456789012", "default"}


def test_list_names_and_filter(aws_config, rolecall):
    aws_config(SSO_CLI + '[profile "with space"]\nregion = x\n')
    result = rolecall("list", "--names", "space")
    assert result.stdout == "with space\n"
    table = rolecall("list")
    assert "AdministratorAccess-123456789012" in table.stdout.splitlines()[1]


def test_config_error_is_one_line_with_hint_and_exit_3(aws_config, rolecall):
    path = aws_config("[profile a]\nregion = x\nregion = y\n")
    result = rolecall("list")
    assert result.returncode == 3
    lines = result.stderr.splitlines()
    assert lines[0] == f"rolecall: error: {path}:3 [profile a]: duplicate key 'region'"
    assert lines[1].startswith("hint: ")
    assert len(lines) == 2 and "Traceback" not in result.stderr and result.stdout == ""


def test_debug_shows_the_traceback(aws_config, rolecall):
    aws_config("[profile a]\nregion = x\nregion = y\n")
    result = rolecall("--debug", "list")
    assert result.returncode == 3 and "Traceback" in result.stderr


def test_unknown_command_is_a_usage_error(rolecall):
    result = rolecall("no-such-command")
    assert result.returncode == 2 and "No such command" in result.stderr


def test_version_and_help(rolecall):
    assert rolecall("--version").stdout.startswith("rolecall, version ")
    help_text = rolecall("--help").stdout
    assert "list" in help_text


def test_doctor_fails_a_missing_config(rolecall, tmp_path):
    result = rolecall("doctor", "--offline", env={"AWS_CONFIG_FILE": str(tmp_path / "nope")})
    assert result.returncode == 1
    assert f"[FAIL] config: {tmp_path / 'nope'} does not exist" in result.stdout
    assert "fix: create it: rolecall config add-session" in result.stdout


def test_credential_process_help_is_in_the_style_of_every_command(rolecall):
    mine = rolecall("credential-process", "--help")
    other = rolecall("export", "--help")
    assert mine.returncode == 0 and mine.stdout.startswith("Usage: rolecall credential-process [OPTIONS]")
    assert other.stdout.startswith("Usage: rolecall export")
    assert "Options:" in mine.stdout and "--profile" in mine.stdout


def test_credential_process_options_are_declared_once(rolecall):
    from rolecall import completion, hot

    declared = {name for names, _, _ in hot.CREDENTIAL_PROCESS_OPTIONS for name in names}
    help_text = rolecall("credential-process", "--help").stdout
    assert all(name in help_text for name in declared)
    offered = set(completion.ROLECALL["commands"]["credential-process"]["options"]) - {"-h", "--help"}
    assert offered == declared


def test_credential_process_usage_errors_are_one_line(rolecall):
    for argv, says in ((["--bogus"], "unrecognized argument '--bogus'"),
                       (["--profile", "a", "--window", "-1"], "--window must be a number of minutes >= 0"),
                       (["--profile"], "--profile needs a value"), ([], "--profile PROFILE is required")):
        result = rolecall("credential-process", *argv)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.splitlines() == [f"rolecall: error: credential-process: {says}",
                                              "hint: run: rolecall credential-process --help"]
