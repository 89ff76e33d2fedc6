"""`assume`'s hand parser (no click on the hot path): exactly the documented options."""

from __future__ import annotations

import pytest

from rolecall.commands.assume import parse_args, parse_duration
from rolecall.errors import UsageError

OK = [
    ("profile", ["dev"], {"profile": "dev"}),
    ("region-short", ["-r", "eu-west-1", "dev"], {"region": "eu-west-1", "profile": "dev"}),
    ("region-attached", ["-reu-west-1", "dev"], {"region": "eu-west-1"}),
    ("region-long-eq", ["--region=eu-west-1", "dev"], {"region": "eu-west-1"}),
    ("duration", ["dev", "-d", "3600"], {"duration": "3600", "profile": "dev"}),
    ("profile-only", ["-p", "dev"], {"profile_only": True}),
    ("bundled-flags", ["-pc"], {"profile_only": True, "console": True, "profile": None}),
    ("bundled-valued", ["-preu-west-1", "dev"], {"profile_only": True, "region": "eu-west-1"}),
    ("console", ["-c", "-s", "ec2", "--url", "dev"], {"console": True, "service": "ec2", "url": True}),
    ("unset", ["--unset"], {"unset": True, "profile": None}),
    ("mfa", ["--mfa-token", "123456", "dev"], {"mfa_token": "123456"}),
    ("no-login", ["--no-login", "dev"], {"no_login": True}),
    ("help", ["-h"], {"help": True}),
    ("hidden-shell", ["--shell", "fish", "dev"], {"shell": "fish", "uncaptured": False}),
    ("exec", ["dev", "--exec", "--", "aws", "s3", "ls", "--", "-x"],
     {"profile": "dev", "exec_flag": True, "command": ["aws", "s3", "ls", "--", "-x"]}),
    ("exec-first", ["--exec", "dev", "--", "env"], {"profile": "dev", "command": ["env"]}),
    ("dash-profile", ["--", "-odd"], {"profile": "-odd"}),
    ("dash-profile-exec", ["--", "-odd", "--exec", "--", "env"], {"profile": "-odd", "command": ["env"]}),
    ("option-value-looks-like-flag", ["-r", "--exec", "dev"], {"region": "--exec", "exec_flag": False}),
]


@pytest.mark.parametrize("argv,expected", [c[1:] for c in OK], ids=[c[0] for c in OK])
def test_parses(argv, expected):
    opts = parse_args(argv)
    for key, value in expected.items():
        assert getattr(opts, key) == value, key


ERRORS = [
    ("unknown", ["--bogus"], "unknown option '--bogus'"),
    ("no-abbreviations", ["--reg", "x"], "unknown option '--reg'"),
    ("exec-abbrev", ["--exe", "dev"], "unknown option '--exe'"),
    ("missing-value", ["dev", "-r"], "option -r needs a value"),
    ("flag-with-value", ["--unset=1"], "option --unset takes no value"),
    ("two-profiles", ["a", "b c"], "too many arguments: 'b c'"),
    ("exec-without-command", ["dev", "--exec"], "--exec needs a command"),
    ("exec-empty-command", ["dev", "--exec", "--"], "--exec needs a command"),
]


@pytest.mark.parametrize("argv,message", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_rejects(argv, message):
    with pytest.raises(UsageError) as info:
        parse_args(argv)
    assert message in info.value.message
    assert info.value.hint


def test_two_profiles_hint_suggests_exec():
    with pytest.raises(UsageError) as info:
        parse_args(["dev", "aws", "s3", "ls"])
    assert info.value.hint == "to run a command: assume dev --exec -- aws s3 ls"


@pytest.mark.parametrize("text,seconds", [("900", 900), ("3600s", 3600), ("90m", 5400), ("1h", 3600),
                                          ("12h", 43200), (None, None)])
def test_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["899", "13h", "abc", "-5", "1.5h", ""])
def test_bad_duration(text):
    with pytest.raises(UsageError, match="--duration"):
        parse_duration(text)


@pytest.mark.parametrize("argv,message", [
    (["--url", "dev"], "--url goes with -c/--console"),
    (["-s", "ec2", "dev"], "-s/--service goes with -c/--console"),
    (["--unset", "dev"], "--unset takes no profile"),
    (["-c", "-p", "dev"], "-c/--console does not go with"),
    (["-r", "EU WEST", "dev"], "does not look like an AWS region"),
])
def test_bad_combinations_exit_2_with_nothing_on_stdout(rolecall, argv, message):
    result = rolecall("assume", "--shell", "bash", *argv)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_click_command_delegates_to_run(aws_config, capfd):
    """`cmd` exists for `rolecall --help`; running it behaves like the fast entry."""
    import click

    from rolecall.cli import run_click
    from rolecall.commands import assume

    assert isinstance(assume.click_command(), click.Command)
    assert run_click(["assume", "--help"]) == 0
    out, err = capfd.readouterr()
    assert out.startswith("Usage: assume [OPTIONS] [PROFILE]")
    aws_config("[profile plain]\n", "[plain]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    assert run_click(["assume", "--shell", "bash", "plain"]) == 0
    out, err = capfd.readouterr()
    assert "builtin export AWS_ACCESS_KEY_ID='AKIA' " in out  # (then: note it when it fails)
