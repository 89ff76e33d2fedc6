"""The picker: recent profiles first (frecency in rolecall's state dir), descriptions, PgUp/PgDn/Home/End,
and "no match"."""

from __future__ import annotations

import os

import pytest

from rolecall import hot, picker
from rolecall.picker import Row
from tests.shell.test_picker import CONFIG, CREDENTIALS, _run_and_dump
from tests.support.shells import parse_env_dump

DESCRIBED = CONFIG.replace("[profile static-a]\n", "[profile static-a]\nrolecall_description = the lab keys\n")


def test_recent_and_frequent_profiles_come_first():
    rows = [Row("a", "", "", ""), Row("b", "", "", ""), Row("c", "", "", ""), Row("d", "", "", "")]
    now = 1_000_000.0
    uses = {"c": (5, now - 60), "b": (1, now - 30), "d": (5, now - 30 * 86400)}
    assert [r.name for r in picker.order_by_use(rows, uses, now)] == ["c", "b", "d", "a"]


def test_assume_records_each_use(aws_config):
    aws_config(CONFIG, CREDENTIALS)
    from tests.support.cli import run_rolecall

    for name in ("static-b", "static-b", "static-a"):
        assert run_rolecall("assume", name, "--shell", "bash").returncode == 0
    uses = hot.recent_uses()
    assert uses["static-b"][0] == 2 and uses["static-a"][0] == 1
    path = os.path.join(hot.hot_dir(), "recent")
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_descriptions_are_rows_too(aws_config):
    aws_config(DESCRIBED, CREDENTIALS)
    from rolecall import awsconfig

    rows = picker.rows_for(awsconfig.load())
    static_a = next(r for r in rows if r.name == "static-a")
    assert static_a.description == "the lab keys"
    assert picker.filter_rows(rows, "lab")[0].name == "static-a"
    assert "the lab keys" in picker.format_rows([static_a])[0]


@pytest.fixture
def term(aws_config, tmp_path):
    from tests.shell.tmux import integrated_shell

    aws_config(DESCRIBED, CREDENTIALS)
    with integrated_shell("bash", tmp_path) as tmux:
        yield tmux


def test_the_most_used_profile_is_first_in_the_picker(term, tmp_path):
    from tests.support.cli import run_rolecall

    for _ in range(3):
        assert run_rolecall("assume", "static-b", "--shell", "bash").returncode == 0
    dump = _run_and_dump(term, tmp_path, "assume")
    term.wait_for_text("profile>")
    term.wait_for_text("the lab keys")  # descriptions are shown
    term.send("Enter")
    term.wait_for_file(dump)
    assert parse_env_dump(dump)["AWS_PROFILE"] == "static-b"


def test_end_home_and_no_match(term, tmp_path):
    dump = _run_and_dump(term, tmp_path, "assume")
    term.wait_for_text("profile>")
    term.type("zzz")
    term.wait_for_text("no match")
    for _ in range(3):
        term.send("BSpace")
    term.wait_for(lambda: "5/5" in term.screen(), "all rows again")
    term.send("End")
    term.send("Home")
    term.send("End")
    term.send("Enter")
    term.wait_for_file(dump)
    assert parse_env_dump(dump)["AWS_PROFILE"] == "static-b"  # the last row (by name: static-b)


def test_page_down_moves_a_page(term, tmp_path):
    dump = _run_and_dump(term, tmp_path, "assume")
    term.wait_for_text("profile>")
    term.send("PageDown")
    term.send("Enter")
    term.wait_for_file(dump)
    assert parse_env_dump(dump)["AWS_PROFILE"] == "static-b"  # 5 rows < a page: the last one


def test_the_typed_terms_are_highlighted():
    fragments = picker.highlighted("dev-admin  Sandbox Dev", "dev adm")
    marked = "".join(text for style, text in fragments if style == "class:match")
    assert marked == "devadmDev"  # every occurrence, case-insensitive
    assert "".join(text for _, text in fragments) == "dev-admin  Sandbox Dev"
