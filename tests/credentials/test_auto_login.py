"""credential-process from a real terminal: --auto-login and MFA prompts on /dev/tty, JSON on stdout.

The child gets a pseudo-terminal as its controlling terminal (so /dev/tty works)
while stdout/stderr stay pipes, as when botocore runs it; the sandbox's fake
browser completes the PKCE flow.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading

from tests.support.sso import DEV, assert_no_secrets, caller_identity, token_path

# Become a session leader, open the pty slave (it becomes the controlling terminal), exec.
_WITH_TTY = (
    "import os, sys\n"
    "fd = os.open(sys.argv[1], os.O_RDWR)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


def _run_with_tty(*args: str, env: dict, typed: bytes = b"") -> tuple[subprocess.CompletedProcess, str]:
    """Run rolecall with a controlling terminal; `typed` is what the user types on it."""
    master, slave = pty.openpty()
    if typed:
        os.write(master, typed)  # the line discipline holds it until the child reads /dev/tty
    slave_name = os.ttyname(slave)
    seen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WITH_TTY, slave_name, sys.executable, "-m", "rolecall", *args],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, start_new_session=True,
            timeout=120,
        )
    finally:
        os.close(slave)
        reader.join(timeout=5)
        os.close(master)
    return proc, b"".join(seen).decode("utf-8", "replace")


def test_auto_login_logs_in_on_the_terminal_and_prints_only_json(sandbox, sso_config, isolated_home):
    env = dict(os.environ)
    env["BROWSER"] = f"{sys.executable} -m rolecall.sandbox.browser %s"
    result, terminal = _run_with_tty("credential-process", "--profile", "dev-admin", "--auto-login", env=env)
    assert result.returncode == 0, result.stderr + terminal
    doc = json.loads(result.stdout)
    assert caller_identity(doc)["Account"] == DEV
    assert sandbox.count("CreateToken:authorization_code") == 1
    assert "rolecall: opening your browser to sign in" in terminal  # the prompt went to /dev/tty
    assert result.stderr == ""  # …not to the captured stderr, which nobody would read
    token = json.loads(token_path(isolated_home).read_text())
    for captured in (result.stderr, terminal):
        assert_no_secrets(captured, token["accessToken"], token["refreshToken"], doc["SecretAccessKey"])
    # the login is cached for everyone: a run without --auto-login now works
    again = subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", "dev-ro"],
                           capture_output=True, text=True, env=dict(os.environ), stdin=subprocess.DEVNULL,
                           timeout=60)
    assert again.returncode == 0, again.stderr


def test_without_auto_login_a_terminal_does_not_trigger_a_login(sandbox, sso_config):
    env = dict(os.environ)
    env["BROWSER"] = f"{sys.executable} -m rolecall.sandbox.browser %s"
    result, terminal = _run_with_tty("credential-process", "--profile", "dev-admin", env=env)
    assert result.returncode == 4
    assert "hint: run: rolecall login --sso-session sandbox" in result.stderr
    assert sandbox.count("RegisterClient") == 0
    assert terminal == ""


def test_mfa_code_is_read_from_the_terminal(sandbox, logged_in):
    result, terminal = _run_with_tty("credential-process", "--profile", "break-glass", env=dict(os.environ),
                                     typed=b"123456\n")
    assert result.returncode == 0, result.stderr + terminal
    assert "Enter MFA code for arn:aws:iam::111111111111:mfa/sandbox-user: " in terminal
    assert ":assumed-role/break-glass/" in caller_identity(json.loads(result.stdout))["Arn"]
    assert result.stderr == ""
