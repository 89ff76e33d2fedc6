"""`rolecall config edit`: only a valid result replaces the file."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys

from .config_corpus import BASE
from .config_helpers import botocore_view
from .config_pty import PtyProcess, rolecall_argv

# An "editor": applies the edits listed in $EDIT_PLAN (one per run, counted in $EDIT_COUNTER).
EDITOR_SCRIPT = r'''
import json, os, sys
path = sys.argv[1]
counter = os.environ["EDIT_COUNTER"]
n = int(open(counter).read()) if os.path.exists(counter) else 0
open(counter, "w").write(str(n + 1))
plan = json.loads(os.environ["EDIT_PLAN"])
old, new = plan[min(n, len(plan) - 1)]
text = open(path, encoding="utf-8").read()
open(path, "w", encoding="utf-8").write(text.replace(old, new))
'''


def _env(tmp_path, plan) -> dict:
    import json

    script = tmp_path / "fake_editor.py"
    script.write_text(EDITOR_SCRIPT)
    return dict(os.environ, EDITOR=f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}",
                EDIT_PLAN=json.dumps(plan), EDIT_COUNTER=str(tmp_path / "count"))


def _no_tty(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(rolecall_argv("config", "edit"), capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, start_new_session=True, timeout=60)


def test_valid_edit_replaces_the_file(tmp_path, config_path):
    config_path.write_text(BASE)
    os.chmod(config_path, 0o640)
    done = _no_tty(_env(tmp_path, [["region = eu-west-1", "region = eu-north-1"]]))
    assert done.returncode == 0, done.stderr
    assert botocore_view(config_path)["profiles"]["target"]["region"] == "eu-north-1"
    assert config_path.with_name("config.bak").read_text() == BASE
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o640


def test_unchanged_edit_writes_nothing(tmp_path, config_path):
    config_path.write_text(BASE)
    os.utime(config_path, (1_000_000_000, 1_000_000_000))
    done = _no_tty(_env(tmp_path, [["nothing-matches-this", "x"]]))
    assert done.returncode == 0, done.stderr
    assert "unchanged" in done.stderr
    assert config_path.stat().st_mtime == 1_000_000_000 and not config_path.with_name("config.bak").exists()


def test_invalid_edit_without_terminal_aborts(tmp_path, config_path):
    config_path.write_text(BASE)
    for plan, expected in [
        ([["sso_account_id = 111111111111", "sso_account_id = 12"]], "sso_account_id must be 12 digits"),
        ([["[profile other]", "[profile target]"]], "duplicate section"),
        ([["sso_session = corp\nsso_account_id = 111111111111", "sso_session = nope\nsso_account_id = 111111111111"]],
         "sso_session 'nope' does not exist"),
    ]:
        (tmp_path / "count").unlink(missing_ok=True)
        done = _no_tty(_env(tmp_path, plan))
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("rolecall: error: ") and expected in done.stderr, done.stderr
        assert config_path.read_text() == BASE


def test_unrelated_existing_problem_does_not_block_an_edit(tmp_path, config_path):
    broken = BASE + "\n[profile legacy-broken]\nsso_account_id = 1\nsso_role_name = x\n"
    config_path.write_text(broken)
    done = _no_tty(_env(tmp_path, [["output = json", "output = text"]]))
    assert done.returncode == 0, done.stderr
    assert botocore_view(config_path)["profiles"]["default"]["output"] == "text"


def test_invalid_edit_on_a_terminal_reopen_then_fix(tmp_path, config_path):
    config_path.write_text(BASE)
    env = _env(tmp_path, [["sso_account_id = 111111111111", "sso_account_id = oops"],
                          ["sso_account_id = oops", "sso_account_id = 555555555555"]])
    proc = PtyProcess(rolecall_argv("config", "edit"), env)
    proc.expect(r"sso_account_id must be 12 digits")
    proc.expect(r"Reopen the editor to fix it\?.*: ")
    proc.send("\r")  # default: reopen
    assert proc.wait() == 0, proc.text
    assert botocore_view(config_path)["profiles"]["target"]["sso_account_id"] == "555555555555"


def test_invalid_edit_on_a_terminal_abort(tmp_path, config_path):
    config_path.write_text(BASE)
    env = _env(tmp_path, [["sso_account_id = 111111111111", "sso_account_id = oops"]])
    proc = PtyProcess(rolecall_argv("config", "edit"), env)
    proc.expect(r"Reopen the editor to fix it\?.*: ")
    proc.send("n\r")
    assert proc.wait() == 3
    assert "edit aborted; nothing was written" in proc.text
    assert config_path.read_text() == BASE
