"""Smoke tests of the helpers behind `make bench` (the benchmark itself is not a test)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from benchkit import diagnose, report  # noqa: E402
from benchkit.results import Row, Section, Target, at_least, at_most  # noqa: E402
from benchkit.scenarios import profile_names  # noqa: E402
from benchkit.timing import BenchError, Command, measure, run_checked  # noqa: E402
from benchkit.world import clean_environ, rolecall_python  # noqa: E402
from tests.support.tools import require_tool  # noqa: E402

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   _io
import time:       300 |        400 | site
import time:       500 |        500 |     enum
import time:      1000 |       1500 |   re
import time:       200 |       1700 | logging
import time:      2000 |       2000 |   botocore.utils
import time:       100 |       2100 | botocore
rolecall: something else on stderr
"""


def test_parse_importtime_sums_top_level_and_flags_heavy_packages():
    profile = diagnose.parse_importtime("x", IMPORTTIME, top=2)
    assert profile.modules == 7
    assert profile.total_us == 400 + 1700 + 2100  # top-level entries only: nested ones are inside them
    assert profile.top == [(2100, "botocore"), (1700, "logging")]
    assert profile.heavy_found == ["botocore"]
    assert profile.heaviest_self[0] == (2000, "botocore.utils")


def test_parse_importtime_without_heavy_imports():
    text = "\n".join(line for line in IMPORTTIME.splitlines() if "botocore" not in line)
    profile = diagnose.parse_importtime("x", text)
    assert profile.heavy_found == []
    assert "**none**" in "\n".join(diagnose.markdown(profile))


def test_own_loop_times_every_run():
    found = measure([Command("py", [sys.executable, "-c", "pass"])], os.environ, runs=3, warmup=1,
                    use_hyperfine=False)
    assert found["py"].runs == 3
    assert found["py"].tool == "own loop"
    assert all(t > 0 for t in found["py"].times)
    assert found["py"].minimum <= found["py"].median


def test_hyperfine_times_every_command_separately():
    require_tool("hyperfine")
    commands = [Command("a", [sys.executable, "-c", "pass"]),
                Command("b", [sys.executable, "-c", "import time; time.sleep(0.05)"])]
    found = measure(commands, os.environ, runs=3, warmup=0)
    assert set(found) == {"a", "b"}
    assert found["a"].runs == found["b"].runs == 3
    assert found["b"].minimum >= 0.05  # b's own times: every run of b sleeps 50 ms
    assert found["a"].times != found["b"].times


def test_a_failing_command_is_an_error_not_a_timing():
    with pytest.raises(BenchError, match=r"(?s)exit status 3.*stderr: boom"):
        run_checked(Command("fails", [sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"]),
                    os.environ)


def test_a_wrong_output_is_an_error_not_a_timing():
    def check(proc):
        assert proc.stdout.strip() == "expected", "not what we wanted"

    with pytest.raises(BenchError, match="wrong output .*not what we wanted"):
        run_checked(Command("wrong", [sys.executable, "-c", "print('other')"], check), os.environ)
    run_checked(Command("right", [sys.executable, "-c", "print('expected')"], check), os.environ)


def test_rolecall_python_reads_the_console_script_shebang(tmp_path):
    direct = tmp_path / "direct"
    direct.write_text(f"#!{sys.executable}\nprint()\n")
    assert rolecall_python(str(direct)) == sys.executable
    via_env = tmp_path / "via-env"
    via_env.write_text("#!/usr/bin/env sh\n")
    assert rolecall_python(str(via_env)) == shutil.which("sh")
    assert rolecall_python(str(tmp_path / "missing")) == sys.executable


def test_clean_environ_drops_what_would_steer_a_tool():
    env = clean_environ({"PATH": "/bin", "HOME": "/h", "AWS_PROFILE": "x", "AWS_ENDPOINT_URL": "u",
                         "PYTHONPATH": "/p", "ROLECALL_DEBUG": "1", "BROWSER": "b", "VIRTUAL_ENV": "/v"})
    assert env == {"PATH": "/bin", "HOME": "/h"}


def test_profile_names_counts_default_and_profiles_not_sessions(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = a\n[sso-session s]\nsso_region = b\n"
                      "[profile one]\nregion = c\n[profile  two ]\nregion = d\n")
    assert profile_names(config) == ["default", "one", "two"]


def test_targets_and_ratios():
    assert at_most("r", 1.9, 2.0).ok is True
    assert at_most("r", 2.1, 2.0).verdict == "FAIL"
    assert at_most("r", None, 2.0).verdict == "N/A"
    timed_out = at_least("peer", 25.0, 20.0, lower_bound=True)
    assert (timed_out.ok, timed_out.measured) == (True, "> 25.0×")
    assert Row("x", 0.03, 10, baseline=0.01).ratio == pytest.approx(3.0)
    assert Row("x", None, 0, text="> 300 s", baseline=0.01).ratio is None


def test_report_renders_rows_targets_and_errors():
    ok = Section("1", "credential-process", rows=[Row("bare", 0.010, 5, baseline=0.010, minimum=0.009),
                                                  Row("rolecall", 0.015, 5, baseline=0.010)],
                 targets=[at_most("rolecall vs bare", 1.5, 2.0), Target("peer ≥ 10×", "not measured: x", None)],
                 notes=["a note"])
    broken = Section("4", "config generate", error="login failed: exit status 70\n  stderr: boom")
    table = report.table([ok, broken])
    assert "1.50×" in table and "PASS  rolecall vs bare ≤ 2×: 1.50×" in table
    assert "N/A   peer ≥ 10×" in table
    assert "ERROR login failed" in table
    md = report.markdown([ok, broken], machine={"CPU": "c"}, tools={"rolecall": "v"}, settings={}, diagnostics=[],
                         notes=[], load_end="0", total_seconds=1.0)
    assert "| 1 | rolecall vs bare ≤ 2× | 1.50× | **PASS** |" in md
    assert "| 4 | config generate | not measured: login failed: exit status 70 | **N/A** |" in md
    assert "| rolecall | 15.0 ms |  | 5 | 1.50× |" in md
    assert "- a note" in md and "stderr: boom" in md
