"""`status` with the time left beside each expiry, sorted by session; the device code's countdown."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

from tests.support.cli import run_rolecall
from tests.support.sso import BASE_CONFIG, cli_login

OTHER = """
[sso-session another]
sso_start_url = https://rolecall-sandbox.invalid/start
sso_region = us-east-1

[profile zz-other]
sso_session = another
sso_account_id = 111111111111
sso_role_name = ReadOnlyAccess
"""


def test_status_shows_time_left_and_sorts_by_session(sandbox, aws_config, isolated_home):
    aws_config(OTHER + "\n" + BASE_CONFIG)  # "another" written first, "sandbox" second
    cli_login(isolated_home)
    cli_login(isolated_home, session="another")
    for profile in ("dev-ro", "zz-other", "dev-admin"):
        assert run_rolecall("credential-process", "--profile", profile).returncode == 0
    shown = run_rolecall("status")
    assert shown.returncode == 0, shown.stderr
    token_table, cred_table = (part.splitlines() for part in shown.stdout.strip().split("\n\n"))
    sessions = [line.split()[0] for line in token_table[1:]]
    assert sessions == ["another", "sandbox", "(profile"]  # by session; legacy profiles last
    assert re.search(r"in 7h \d\dm", token_table[1]) and re.search(r"in 7h \d\dm", token_table[2])
    profiles = [line.split()[0] for line in cred_table[1:]]
    assert profiles == ["zz-other", "dev-admin", "dev-ro"]  # by session, then name
    assert all(re.search(r"in (\d+h \d\dm|\d+m)", line) for line in cred_table[1:])


def test_assume_says_the_region(sandbox, aws_config, isolated_home):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    said = run_rolecall("assume", "dev-admin", "--shell", "bash")
    assert said.returncode == 0, said.stderr
    assert "region eu-west-1" in said.stderr


def test_device_code_shows_code_url_and_a_countdown(aws_config, isolated_home, monkeypatch):
    from tests.support.sandboxes import start_sandbox

    box = start_sandbox(monkeypatch, auto_approve=False)
    try:
        aws_config(BASE_CONFIG)
        child = subprocess.Popen([sys.executable, "-m", "rolecall", "login", "--sso-session", "sandbox", "--device-code", "--no-browser"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(child.stderr), daemon=True)
        reader.start()
        deadline = time.time() + 20
        while time.time() < deadline and not any("left" in line for line in lines):
            time.sleep(0.1)
        box.approve_all()
        assert child.wait(timeout=30) == 0, "".join(lines)
        reader.join(timeout=5)
        text = "".join(lines)
        assert "/device" in text and re.search(r"code[^\n]*[A-Z0-9]{4}-[A-Z0-9]{4}", text), text
        assert re.search(r"waiting for approval: (9m \d\ds|10m 00s) left", text), text
        assert "logged in to sso-session sandbox" in text
    finally:
        box.stop()
