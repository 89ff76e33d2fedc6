"""Hardening (#14): what rolecall writes or refuses, whatever input it is given."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

from rolecall.configedit import ops
from rolecall.sandbox.org import load_org
from rolecall.sandbox.profiles import render_config


@pytest.mark.parametrize("key", ["aws_secret_access_key", "aws_session_token"])
def test_config_set_refuses_a_secret_and_writes_nothing(aws_config, rolecall, key):
    path = aws_config("[profile p]\nregion = eu-west-1\n")
    before = path.read_bytes()
    done = rolecall("config", "set", "p", key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert done.returncode == 2, done.stderr
    assert "secrets belong in the credentials file" in done.stderr
    assert "hint: run: aws configure set" in done.stderr
    assert "wJalrXUtnFEMI" not in done.stderr
    assert path.read_bytes() == before
    assert not path.with_name("config.bak").exists()


def _hijacking_cwd(tmp_path):
    """A directory holding a `rolecall` package that must never run."""
    work = tmp_path / "work"
    (work / "rolecall").mkdir(parents=True)
    evil = "import pathlib; pathlib.Path('pwned').touch()\n"
    for name in ("__init__.py", "__main__.py", "entry.py"):
        (work / "rolecall" / name).write_text(evil + "def main():\n    return 42\n")
    return work


@pytest.mark.parametrize("source", ["config generate --credential-process", "sandbox process profile"])
def test_written_credential_process_lines_never_run_code_from_the_cwd(tmp_path, source, monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # rolecall itself is not on PATH
    if source.startswith("config"):
        line = ops.credential_process_line("p")
    else:
        text = render_config(load_org())
        line = next(l.split("=", 1)[1].strip() for l in text.splitlines() if l.startswith("credential_process"))
    argv = shlex.split(line)  # as botocore splits it
    assert "-m" not in argv
    start = argv[: argv.index("credential-process")]
    work = _hijacking_cwd(tmp_path)
    done = subprocess.run([*start, "--version"], cwd=work, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("rolecall, version"), done.stderr
    assert not (work / "pwned").exists()


SPECIAL_COMMANDS = [
    ("credential-process", "--profile", "p"), ("list",), ("status",), ("export", "p"),
    ("config", "set", "p", "region", "eu-west-1"), ("doctor", "--offline"),
]


@pytest.mark.parametrize("special", ["fifo", "dev-zero"])
@pytest.mark.parametrize("which", ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])
def test_special_files_as_config_are_refused_not_waited_on(tmp_path, rolecall, special, which, aws_config):
    aws_config("[profile p]\nregion = eu-west-1\n", "[p]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    if special == "fifo":
        path = tmp_path / "config.fifo"
        os.mkfifo(path)
    else:
        path = "/dev/zero"
    for argv in SPECIAL_COMMANDS:
        done = rolecall(*argv, env={which: str(path)}, timeout=20)  # a hang is a TimeoutExpired
        assert done.returncode in (1, 3), (argv, done.returncode, done.stderr)
        assert "Traceback" not in done.stderr
        if argv[0] != "doctor":
            assert "not a regular file" in done.stderr, (argv, done.stderr)
    assert rolecall("__complete", "bash", "--", "", "assume ", env={which: str(path)}, timeout=20).returncode == 0
