"""`rolecall doctor`: each check's failure and its fix, and exit 0 only when all is well."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.tools import require_tool
from tests.support.faults import FMT, SESSION, cli, sandbox_config, sso_login
from tests.support.sso import token_path

ALL_CHECKS = {"config", "profiles", "token", "clock", "shell", "completion", "permissions", "state", "browser"}


def doctor(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    result = cli("doctor", "--json", *args, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(result.stdout)


def only(findings: list[dict], check: str) -> list[dict]:
    return [f for f in findings if f["check"] == check]


def single(findings: list[dict], check: str) -> dict:
    found = only(findings, check)
    assert len(found) == 1, findings
    return found[0]


def run_fix(fix: str) -> None:
    """Run the command a finding's fix names (`run: CMD`) in a real bash."""
    assert fix.startswith("run: "), fix
    bash = require_tool("bash")
    done = subprocess.run([bash, "--noprofile", "--norc", "-c", fix[len("run: "):]], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def well(sso_home, monkeypatch):
    """A healthy setup: valid token, private caches, the integration loaded (_ROLECALL_INIT)."""
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    monkeypatch.setenv("SHELL", "/bin/bash")
    return sso_home


def test_all_well_exits_0_and_every_check_is_ok(well, sandbox):
    home, _, _ = well
    result, findings = doctor()
    assert result.returncode == 0, result.stdout
    assert {f["check"] for f in findings} == ALL_CHECKS
    assert all(f["status"] == "ok" for f in findings), findings
    assert "sso-session rel: valid until" in single(findings, "token")["detail"]
    text = cli("doctor")
    assert text.returncode == 0
    assert "FAIL" not in text.stdout and "[warn]" not in text.stdout
    assert text.stdout.count("[ok  ]") == len(findings)


def test_config_that_does_not_parse_fails_with_the_fix(aws_config, monkeypatch):
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    path = aws_config("[profile a]\nregion = x\n\n[profile a]\nregion = y\n")
    result, findings = doctor("--offline")
    assert result.returncode == 1
    config = single(findings, "config")
    assert config["status"] == "fail"
    assert str(path) in config["detail"] and "duplicate section [profile a]" in config["detail"]
    assert ":4" in config["detail"]  # the line of the second header
    assert "merge or rename one of the [profile a] sections" in config["fix"]
    # a broken config does not hide the other checks
    assert single(findings, "shell")["status"] == "ok"


def test_profile_with_a_missing_sso_session_fails_with_the_add_session_command(aws_config, monkeypatch):
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    aws_config("[profile app]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n")
    result, findings = doctor("--offline")
    assert result.returncode == 1
    problem = single(findings, "profiles")
    assert problem["status"] == "fail"
    assert "[profile app]" in problem["detail"] and "'corp' does not exist" in problem["detail"]
    assert problem["fix"] == "run: rolecall config add-session corp --start-url URL --region REGION"


def test_token_absent_then_valid_then_refreshable_then_login_needed(sandbox, aws_config, isolated_home, monkeypatch):
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    text, _ = sandbox_config(sandbox.org, session=SESSION)
    aws_config(text)
    _, findings = doctor("--offline")
    token = single(findings, "token")
    assert token["status"] == "warn"
    assert "never logged in" in token["detail"]
    assert token["fix"] == f"run: rolecall login --sso-session {SESSION}"

    data = sso_login(sandbox, isolated_home)
    _, findings = doctor("--offline")
    assert single(findings, "token")["status"] == "ok"

    path = token_path(isolated_home, SESSION)
    data["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime(FMT)
    path.write_text(json.dumps(data))
    _, findings = doctor("--offline")
    token = single(findings, "token")
    assert token["status"] == "ok" and "refreshable" in token["detail"]

    for key in ("refreshToken", "clientSecret"):
        data.pop(key)
    path.write_text(json.dumps(data))
    result, findings = doctor("--offline")
    token = single(findings, "token")
    assert token["status"] == "warn" and "login needed" in token["detail"]
    assert token["fix"] == f"run: rolecall login --sso-session {SESSION}"
    assert result.returncode == 1


def test_legacy_profile_token_is_checked_too(sandbox, aws_config, monkeypatch):
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    aws_config(f"[profile old]\nsso_start_url = {sandbox.org.start_url}\nsso_region = us-east-1\n"
               "sso_account_id = 111111111111\nsso_role_name = ReadOnlyAccess\n")
    _, findings = doctor("--offline")
    token = single(findings, "token")
    assert token["status"] == "warn"
    assert token["fix"] == "run: rolecall login --profile old"


@pytest.mark.parametrize("offset, word", [(600, "behind"), (-600, "ahead of")])
def test_clock_skew_against_the_sandbox_date_header_fails_with_the_fix(well, sandbox, offset, word):
    sandbox.set_clock_offset(offset)
    result, findings = doctor()
    clock = single(findings, "clock")
    assert clock["status"] == "fail", clock
    assert f"{word} {sandbox.url}" in clock["detail"]
    assert clock["fix"] == "sync the system clock: sudo timedatectl set-ntp true"
    assert result.returncode == 1
    sandbox.set_clock_offset(30)  # within tolerance
    result, findings = doctor()
    assert single(findings, "clock")["status"] == "ok"
    assert result.returncode == 0


def test_offline_skips_the_clock_check(well, sandbox):
    sandbox.set_clock_offset(3600)
    before = sandbox.count("ListAccounts")
    result, findings = doctor("--offline")
    assert only(findings, "clock") == []
    assert sandbox.count("ListAccounts") == before
    assert result.returncode == 0


@pytest.mark.slow  # botocore retries the refused connection 5 times with backoff (~10 s)
def test_unreachable_endpoint_is_a_warning_not_a_crash(well, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{port}")
    result, findings = doctor()
    clock = single(findings, "clock")
    assert clock["status"] == "warn" and "could not read the server clock" in clock["detail"]
    assert f"127.0.0.1:{port}" in clock["detail"]
    assert result.returncode == 1


@pytest.mark.parametrize("shell, rc, line", [
    ("/bin/bash", "~/.bashrc", 'eval "$(rolecall init bash)"'),
    ("/usr/bin/zsh", "~/.zshrc", 'eval "$(rolecall init zsh)"'),
    ("/usr/bin/fish", "~/.config/fish/config.fish", "rolecall init fish | source"),
])
def test_shell_integration_not_loaded_names_the_rc_line(aws_config, monkeypatch, shell, rc, line):
    aws_config("")
    monkeypatch.setenv("SHELL", shell)
    result, findings = doctor("--offline")
    finding = single(findings, "shell")
    assert finding["status"] == "warn"
    name = shell.rsplit("/", 1)[-1]
    assert finding["fix"] == f"run: rolecall init --install {name}   (it adds {line!r} to {rc})"
    assert result.returncode == 1
    completion = single(findings, "completion")
    assert completion["status"] == "warn" and "shell integration" in completion["fix"]


def test_standalone_completion_files_count_as_installed(aws_config, isolated_home, monkeypatch):
    aws_config("")
    monkeypatch.setenv("SHELL", "/bin/bash")
    target = isolated_home / ".local/share/bash-completion/completions/rolecall"
    target.parent.mkdir(parents=True)
    target.write_text("# completion\n")
    _, findings = doctor("--offline")
    assert single(findings, "completion")["status"] == "ok"


def test_the_real_bash_integration_is_seen_by_doctor(aws_config, tmp_path):
    bash = require_tool("bash")
    aws_config("")
    script = f'eval "$({shlex.join([sys.executable, "-m", "rolecall"])} init bash)"; ' \
             f'{shlex.join([sys.executable, "-m", "rolecall"])} doctor --offline --json'
    done = subprocess.run([bash, "--noprofile", "--norc", "-c", script], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)
    findings = json.loads(done.stdout)
    assert single(findings, "shell")["status"] == "ok"


def test_a_0644_token_file_fails_with_a_chmod_that_fixes_it(well):
    home, _, _ = well
    path = token_path(home, SESSION)
    os.chmod(path, 0o644)
    result, findings = doctor("--offline")
    finding = single(findings, "permissions")
    assert finding["status"] == "fail"
    assert f"{path.name} (644)" in finding["detail"]
    assert f"chmod 600 {shlex.quote(str(path))}" in finding["fix"]
    assert result.returncode == 1
    run_fix(finding["fix"])
    assert (path.stat().st_mode & 0o777) == 0o600
    result, findings = doctor("--offline")
    assert single(findings, "permissions")["status"] == "ok"
    assert result.returncode == 0


def test_a_group_readable_cache_dir_fails_with_a_chmod_that_fixes_it(well, sandbox):
    home, names, _ = well
    assert cli("credential-process", "--profile", names[0]).returncode == 0  # creates ~/.aws/cli/cache
    directory = home / ".aws" / "cli" / "cache"
    os.chmod(directory, 0o755)
    result, findings = doctor("--offline")
    bad = [f for f in only(findings, "permissions") if f["status"] == "fail"]
    assert len(bad) == 1 and str(directory) in bad[0]["detail"]
    assert f"chmod 700 {shlex.quote(str(directory))}" in bad[0]["fix"]
    run_fix(bad[0]["fix"])
    result, findings = doctor("--offline")
    assert all(f["status"] == "ok" for f in only(findings, "permissions"))
    assert result.returncode == 0


def test_credential_process_pointing_at_a_missing_executable(well, aws_config, sandbox):
    text, _ = sandbox_config(sandbox.org, session=SESSION)
    aws_config(text + "\n[profile helper]\ncredential_process = /nonexistent/bin/helper --profile x\n"
               f"\n[profile fine]\ncredential_process = {shlex.quote(sys.executable)} -c pass\n"
               "\n[profile onpath]\ncredential_process = no-such-helper-on-path-xyz --a\n")
    result, findings = doctor("--offline")
    bad = [f for f in only(findings, "credential_process") if f["status"] == "fail"]
    assert len(bad) == 2, findings
    by_profile = {f["detail"].split(":")[0]: f for f in bad}
    assert "'/nonexistent/bin/helper'" in by_profile["profile helper"]["detail"]
    assert "not an executable file" in by_profile["profile helper"]["detail"]
    assert "on PATH" in by_profile["profile onpath"]["detail"]
    assert "rolecall config set helper credential_process" in by_profile["profile helper"]["fix"]
    assert result.returncode == 1
    aws_config(text + f"\n[profile fine]\ncredential_process = {shlex.quote(sys.executable)} -c pass\n")
    result, findings = doctor("--offline")
    assert single(findings, "credential_process")["status"] == "ok"
    assert result.returncode == 0


def test_credential_process_with_broken_quoting(aws_config, monkeypatch):
    monkeypatch.setenv("_ROLECALL_INIT", "bash")
    aws_config("[profile q]\ncredential_process = helper 'unterminated\n")
    _, findings = doctor("--offline")
    finding = single(findings, "credential_process")
    assert finding["status"] == "fail" and "does not parse" in finding["detail"]


def test_text_output_shows_each_fix_under_its_finding(aws_config, monkeypatch):
    aws_config("[profile app]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n")
    monkeypatch.setenv("SHELL", "/bin/bash")
    result = cli("doctor", "--offline")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    fail = next(i for i, line in enumerate(lines) if line.startswith("[FAIL] profiles:"))
    assert lines[fail + 1].strip() == "fix: run: rolecall config add-session corp --start-url URL --region REGION"
    assert result.stderr == ""
