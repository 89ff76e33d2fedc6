"""`rolecall config sso`: the wizard, driven through a pty and with flags only."""

from __future__ import annotations

import os
import subprocess

from .config_helpers import botocore_view, start_sandbox
from .config_pty import PtyProcess, rolecall_argv

BASE = "[default]\nregion = us-east-1\n"


def _no_tty(*args: str) -> subprocess.CompletedProcess:
    """Run without a controlling terminal (new session, stdin from /dev/null)."""
    return subprocess.run(rolecall_argv(*args), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          start_new_session=True, timeout=120)


def test_flags_only_without_a_terminal(monkeypatch, config_path):
    box = start_sandbox(monkeypatch)
    try:
        config_path.write_text(BASE)
        done = _no_tty("config", "sso", "--session-name", "corp", "--start-url", box.org.start_url,
                       "--sso-region", "us-east-1", "--account-id", "333333333333",
                       "--role-name", "ReadOnlyAccess", "--region", "eu-west-1", "--output", "table",
                       "--profile-name", "prod read")
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
        view = botocore_view(config_path)
        assert view["sso_sessions"]["corp"] == {
            "sso_start_url": box.org.start_url, "sso_region": "us-east-1",
            "sso_registration_scopes": "sso:account:access"}
        assert view["profiles"]["prod read"] == {
            "sso_session": "corp", "sso_account_id": "333333333333", "sso_role_name": "ReadOnlyAccess",
            "region": "eu-west-1", "output": "table"}
        assert "assume 'prod read'" in done.stderr
        assert "aws sts get-caller-identity --profile 'prod read'" in done.stderr
        assert config_path.read_text().startswith(BASE)
        assert box.count("CreateToken:authorization_code") == 1
    finally:
        box.stop()


def test_missing_flag_without_a_terminal_names_the_flag(monkeypatch, config_path):
    box = start_sandbox(monkeypatch)
    try:
        config_path.write_text(BASE)
        done = _no_tty("config", "sso", "--session-name", "corp", "--start-url", box.org.start_url,
                       "--sso-region", "us-east-1")
        assert done.returncode == 7, done.stderr
        assert "rolecall: error: no terminal to ask for the account" in done.stderr
        assert "hint: pass --account-id" in done.stderr
        assert config_path.read_text() == BASE, "nothing is written before every answer is known"
        early = _no_tty("config", "sso")
        assert early.returncode == 7 and "hint: pass --session-name" in early.stderr
        bad = _no_tty("config", "sso", "--session-name", "corp", "--start-url", box.org.start_url,
                      "--sso-region", "us-east-1", "--account-id", "999999999999")
        assert bad.returncode == 2 and "--account-id '999999999999' is not one of the accounts" in bad.stderr
    finally:
        box.stop()


def test_interactive_through_a_pty(monkeypatch, config_path):
    box = start_sandbox(monkeypatch)
    try:
        config_path.write_text(BASE)
        proc = PtyProcess(rolecall_argv("config", "sso"), dict(os.environ))
        proc.expect(r"SSO session name: ")
        proc.send("corp\r")
        proc.expect(r"SSO start URL: ")
        proc.send(box.org.start_url + "\r")
        proc.expect(r"SSO region \[us-east-1\]: ")
        proc.send("mars-1\r")  # rejected, asked again
        proc.expect(r"not a known AWS region")
        proc.expect(r"SSO region \[us-east-1\]: ")
        proc.send("\r")
        proc.expect(r"SSO registration scopes \[sso:account:access\]: ")
        proc.send("\r")
        proc.expect(r"There are 4 AWS accounts available to you")
        proc.expect(r"Account")
        proc.send("staging")  # type to filter
        proc.expect(r"sandbox-staging \(222222222222")
        proc.send("\r")
        proc.expect(r"There are 2 roles available to you in 222222222222")
        proc.send("ReadOnly")
        proc.expect(r"ReadOnlyAccess")
        proc.send("\r")
        proc.expect(r"Default client region \[us-east-1\]: ")
        proc.send("eu-west-2\r")
        proc.expect(r"Default output format \[json\]: ")
        proc.send("\r")
        proc.expect(r"Profile name \[ReadOnlyAccess-222222222222\]: ")
        proc.send("\r")
        status = proc.wait()
        assert status == 0, proc.text[-3000:]
        view = botocore_view(config_path)
        assert view["profiles"]["ReadOnlyAccess-222222222222"] == {
            "sso_session": "corp", "sso_account_id": "222222222222", "sso_role_name": "ReadOnlyAccess",
            "region": "eu-west-2", "output": "json"}
        assert "assume ReadOnlyAccess-222222222222" in proc.text
    finally:
        box.stop()
