"""The README's exit-code table, row by row, against real runs of the CLI.

Every code in the table needs a scenario here and every scenario a row: a row
added, dropped or renumbered without the other fails the first test.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.sso_flows import CORP_SESSION, DEV_PROFILE

README = Path(__file__).resolve().parents[2] / "README.md"

CONFIG = CORP_SESSION + "\n" + DEV_PROFILE + """
[profile nowhere]
sso_session = corp
sso_account_id = 999999999999
sso_role_name = AdministratorAccess
region = us-east-1
"""


def readme_codes() -> set[int]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Exit codes", 1)[1].split("\n\n", 2)[1]
    return {int(m.group(1)) for m in re.finditer(r"^\|\s*(\d+)\s*\|", table, re.M)}


def no_tty(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """The CLI in a new session: no controlling terminal, as under an SDK or in CI."""
    return subprocess.run([sys.executable, "-m", "rolecall", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL,
                          start_new_session=True)


def _one_line_error(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("rolecall: error: "), result.stderr


@pytest.fixture
def corp(aws_config, sandbox):
    aws_config(CONFIG)
    return sandbox


def _login(rolecall) -> None:
    assert rolecall("login", "--sso-session", "corp", "--device-code").returncode == 0


def code_0(rolecall, tmp_path, aws_config, request):
    aws_config(CONFIG)
    result = rolecall("list", "--names")
    assert result.stdout.split() == ["dev", "nowhere"]
    return result


def code_1(rolecall, tmp_path, aws_config, request):
    result = rolecall("sandbox", "stop", "--dir", str(tmp_path / "none"))
    _one_line_error(result)
    return result


def code_2(rolecall, tmp_path, aws_config, request):
    result = rolecall("lst")
    _one_line_error(result)
    assert "hint: did you mean 'list'?" in result.stderr
    return result


def code_3(rolecall, tmp_path, aws_config, request):
    missing = rolecall("list", env={"AWS_CONFIG_FILE": str(tmp_path / "nope")})
    assert missing.returncode == 3 and "the config file does not exist" in missing.stderr
    aws_config(CONFIG)
    result = rolecall("credential-process", "--profile", "not-there")
    _one_line_error(result)
    assert "profile 'not-there' not found" in result.stderr
    return result


def code_4(rolecall, tmp_path, aws_config, request):
    request.getfixturevalue("corp")
    plain = rolecall("credential-process", "--profile", "dev")
    assert plain.returncode == 4 and "rolecall login" in plain.stderr
    result = no_tty("credential-process", "--profile", "dev", "--auto-login")  # would log in: no terminal
    _one_line_error(result)
    return result


def code_5(rolecall, tmp_path, aws_config, request):
    request.getfixturevalue("corp")
    _login(rolecall)
    result = rolecall("credential-process", "--profile", "nowhere")
    _one_line_error(result)
    assert "GetRoleCredentials" in result.stderr or "get_role_credentials" in result.stderr
    return result


def code_6(rolecall, tmp_path, aws_config, request):
    import socket

    aws_config(CONFIG)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    dead = f"http://127.0.0.1:{port}"
    result = rolecall("login", "--sso-session", "corp", "--device-code",
                      env={"AWS_ENDPOINT_URL_SSO_OIDC": dead, "AWS_ENDPOINT_URL_SSO": dead})
    _one_line_error(result)
    assert dead in result.stderr
    return result


def code_7(rolecall, tmp_path, aws_config, request):
    aws_config(CONFIG)
    result = no_tty("config", "sso")  # the wizard has questions and no flags answer them
    _one_line_error(result)
    return result


def code_70(rolecall, tmp_path, aws_config, request):
    aws_config(CONFIG)
    # A bug, made on purpose: a command module that raises something unexpected.
    code = ("import sys, rolecall.cli as c\n"
            "def boom(argv): raise RuntimeError('made on purpose')\n"
            "c.run_click = boom\n"
            "from rolecall.entry import main\n"
            "sys.exit(main(['list']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            stdin=subprocess.DEVNULL)
    _one_line_error(result)
    assert "--debug" in result.stderr
    return result


def code_130(rolecall, tmp_path, aws_config, request):
    box = request.getfixturevalue("corp")
    box.set_auto_approve(False)  # the device login waits for an approval that never comes
    proc = subprocess.Popen([sys.executable, "-m", "rolecall", "login", "--sso-session", "corp", "--device-code",
                             "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            # a suite started in the background inherits SIGINT ignored: give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while box.count("StartDeviceAuthorization") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


SCENARIOS = {int(name.split("_")[1]): fn for name, fn in dict(globals()).items()
             if name.startswith("code_") and callable(fn)}


def test_every_row_of_the_table_has_a_scenario():
    assert readme_codes() == set(SCENARIOS)


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_the_row_is_true(code, rolecall, tmp_path, aws_config, request):
    result = SCENARIOS[code](rolecall, tmp_path, aws_config, request)
    assert result.returncode == code, (result.returncode, result.stderr)
