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


def _sandbox(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall", "sandbox", *args], capture_output=True, text=True,
                          env=dict(os.environ), stdin=subprocess.DEVNULL, timeout=60, cwd=cwd)


@pytest.mark.parametrize("how", ["own-file", "symlink"])
def test_sandbox_start_never_overwrites_a_config_it_did_not_write(tmp_path, how):
    real = tmp_path / "real-aws-config"
    real.write_text("[profile mine]\nregion = eu-west-1\n")
    box = tmp_path / "box"
    box.mkdir()
    if how == "own-file":
        real = box / "config"
        real.write_text("[profile mine]\nregion = eu-west-1\n")
    else:
        (box / "config").symlink_to(real)
    refused = _sandbox("start", "--dir", str(box), "--background", "--auto-approve")
    assert refused.returncode == 3, refused.stderr
    assert "refusing to replace it" in refused.stderr and "--force" in refused.stderr
    assert real.read_text() == "[profile mine]\nregion = eu-west-1\n"
    assert not (box / "sandbox.pid").exists()
    forced = _sandbox("start", "--dir", str(box), "--background", "--auto-approve", "--force")
    try:
        assert forced.returncode == 0, forced.stderr
        assert (box / "config.bak").read_text() == "[profile mine]\nregion = eu-west-1\n"
        if how == "symlink":
            assert real.read_text() == "[profile mine]\nregion = eu-west-1\n"  # the link's target untouched
            assert not (box / "config").is_symlink()
        again = _sandbox("stop", "--dir", str(box))
        assert again.returncode == 0, again.stderr
        restarted = _sandbox("start", "--dir", str(box), "--background", "--auto-approve")  # its own config now
        assert restarted.returncode == 0, restarted.stderr
    finally:
        _sandbox("stop", "--dir", str(box))


def test_sandbox_stop_never_signals_a_process_it_did_not_start(tmp_path):
    box = tmp_path / "box"
    box.mkdir()
    notes = tmp_path / "sandbox-notes.md"
    notes.write_text("notes")
    bystander = subprocess.Popen(["sh", "-c", "sleep 60", str(notes)])  # its command line says "sandbox"
    try:
        (box / "sandbox.pid").write_text(f"{bystander.pid}\n")
        done = _sandbox("stop", "--dir", str(box))
        assert done.returncode == 1 and "nothing was signalled" in done.stderr
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_sandbox_stop_waits_until_the_server_has_exited(tmp_path):
    box = tmp_path / "box"
    started = _sandbox("start", "--dir", str(box), "--background", "--auto-approve")
    assert started.returncode == 0, started.stderr
    pid = int((box / "sandbox.pid").read_text())
    done = _sandbox("stop", "--dir", str(box))
    assert done.returncode == 0 and "stopped" in done.stderr
    from rolecall.commands.sandbox import _pid_alive

    assert not _pid_alive(pid)


def test_a_second_login_says_whom_it_waits_for_and_gives_up_without_a_terminal(sandbox, aws_config, isolated_home):
    from rolecall import fileio
    from tests.support.sso import BASE_CONFIG, token_path

    aws_config(BASE_CONFIG)
    other = fileio.file_lock(token_path(isolated_home).with_name(token_path(isolated_home).name + ".login"))
    other.acquire()  # "another login", waiting on its browser
    try:
        with open(other.lock_path, "w") as handle:
            handle.write("4242\n")
        done = subprocess.run([sys.executable, "-m", "rolecall", "login", "--sso-session", "sandbox"],
                              capture_output=True, text=True, env=dict(os.environ, ROLECALL_LOGIN_TIMEOUT="2"),
                              stdin=subprocess.DEVNULL, timeout=60, start_new_session=True)  # no terminal
    finally:
        other.release()
    assert done.returncode == 4, done.stderr
    assert "waiting for another login (pid 4242)" in done.stderr
    assert sandbox.count("CreateToken") == 0


def test_doctor_flags_a_credential_process_that_runs_the_cwd_and_its_fix_works(aws_config, rolecall):
    aws_config(f"[profile p]\ncredential_process = {shlex.quote(sys.executable)} -m rolecall credential-process "
               "--profile q\n[profile q]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    import json

    done = rolecall("doctor", "--offline", "--json")
    bad = [f for f in json.loads(done.stdout) if f["check"] == "credential_process" and f["status"] == "fail"]
    assert len(bad) == 1 and "python -m rolecall" in bad[0]["detail"]
    fixed = subprocess.run(bad[0]["fix"][len("run: "):], shell=True, capture_output=True, text=True,
                           env=dict(os.environ, PATH=os.path.dirname(sys.executable) + ":/usr/bin:/bin"), timeout=60)
    assert fixed.returncode == 0, fixed.stderr
    again = [f for f in json.loads(rolecall("doctor", "--offline", "--json").stdout) if f["check"] == "credential_process"]
    assert [f["status"] for f in again] == ["ok"]


def test_doctor_notices_the_aws_config_replaced_by_the_sandbox(isolated_home, rolecall):
    aws = isolated_home / ".aws"
    (aws / "config").write_text(render_config(load_org()))
    (aws / "config.bak").write_text("[profile mine]\nregion = eu-west-1\n")
    import json

    done = rolecall("doctor", "--offline", "--json")
    warned = [f for f in json.loads(done.stdout) if f["check"] == "config" and f["status"] == "warn"]
    assert len(warned) == 1 and "sandbox's generated config" in warned[0]["detail"]
    assert warned[0]["fix"].startswith("run: mv ")
