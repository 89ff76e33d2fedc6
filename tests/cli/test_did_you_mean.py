"""Unknown profiles and commands get the closest names; a name from AWS_PROFILE says so."""

from __future__ import annotations

import pytest

from tests.support.cli import run_rolecall

CONFIG = """\
[profile sandbox-dev-ReadOnlyAccess]
region = us-east-1

[profile Admin]
region = us-east-1

[profile prod-admin]
region = us-east-1
"""
CREDENTIALS = """\
[sandbox-dev-ReadOnlyAccess]
aws_access_key_id = AKIAONE
aws_secret_access_key = one

[Admin]
aws_access_key_id = AKIATWO
aws_secret_access_key = two

[prod-admin]
aws_access_key_id = AKIATHREE
aws_secret_access_key = three
"""


@pytest.fixture(autouse=True)
def profiles(aws_config):
    aws_config(CONFIG, CREDENTIALS)


@pytest.mark.parametrize("typed, suggested", [
    ("sandbox-dev-ReadonlyAccess", "sandbox-dev-ReadOnlyAccess"),
    ("admin", "Admin"),
    ("prod-admn", "prod-admin"),
])
def test_an_unknown_profile_names_the_closest(typed, suggested):
    for argv in (["export", typed], ["credential-process", "--profile", typed], ["assume", typed, "--shell", "bash"]):
        done = run_rolecall(*argv)
        assert done.returncode == 3, done.stderr
        lines = done.stderr.splitlines()
        assert len(lines) == 2 and lines[1].startswith("hint:"), done.stderr
        assert f"profile {typed!r} not found" in lines[0]
        assert f"did you mean {suggested}" in done.stderr, done.stderr


def test_nothing_close_lists_where_to_look():
    done = run_rolecall("export", "zzzzzz")
    assert done.returncode == 3
    assert "did you mean" not in done.stderr and "rolecall list" in done.stderr


def test_a_name_from_aws_profile_says_so():
    done = run_rolecall("export", env={"AWS_PROFILE": "admin"})
    assert done.returncode == 3, done.stderr
    assert "profile 'admin' (from AWS_PROFILE) not found" in done.stderr
    assert "did you mean Admin" in done.stderr
    named = run_rolecall("export", "admin", env={"AWS_PROFILE": "admin"})
    assert "(from AWS_PROFILE)" not in named.stderr  # given on the command line


def test_an_unknown_command_names_the_closest():
    done = run_rolecall("lst")
    assert done.returncode == 2
    assert "did you mean 'list'" in done.stderr and "Traceback" not in done.stderr
