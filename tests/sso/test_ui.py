"""The login UI: prompts on stderr or /dev/tty, browsers never write to stdout."""

from __future__ import annotations

import io
import subprocess
import sys

from rolecall.browser import launch as launch_browser
from rolecall.sso.ui import TerminalLoginUI, is_headless

from tests.support.sso_flows import run_python


def test_prompts_go_to_the_stream_not_stdout(capsys):
    stream = io.StringIO()
    ui = TerminalLoginUI(stream, open_browser=False)
    ui.show_url("http://127.0.0.1:1/device?user_code=ABCD-EFGH", "ABCD-EFGH")
    assert ui.open_browser("http://127.0.0.1:1/") is False  # --no-browser: never opens
    assert "http://127.0.0.1:1/device?user_code=ABCD-EFGH" in stream.getvalue()
    assert "ABCD-EFGH" in stream.getvalue().splitlines()[-1]
    assert capsys.readouterr().out == ""


def test_browser_output_cannot_reach_stdout(tmp_path):
    noisy = tmp_path / "noisy-browser"
    noisy.write_text("#!/bin/sh\necho \"browser junk $1\"\n")
    noisy.chmod(0o755)
    code = ("import sys\nfrom rolecall.browser import launch as launch_browser\n"
            "ok = launch_browser('http://127.0.0.1:9/x')\nprint('PAYLOAD', ok)\n")
    result = run_python(code, env={"BROWSER": f"{noisy} %s"})
    assert result.stdout == "PAYLOAD True\n"
    assert "browser junk http://127.0.0.1:9/x" in result.stderr


def test_failing_browser_reports_false(monkeypatch):
    monkeypatch.setenv("BROWSER", "false %s")
    assert launch_browser("http://127.0.0.1:9/") is False


def test_no_display_means_no_console_browser_takeover(tmp_path):
    """Without a display or BROWSER, webbrowser would run lynx/w3m in the user's terminal mid-login."""
    if sys.platform in ("darwin", "win32"):
        return
    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = tmp_path / "ran"
    fake = bindir / "www-browser"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    import os
    code = "from rolecall.browser import launch as launch_browser\nprint(launch_browser('http://127.0.0.1:9/'))\n"
    result = run_python(code, env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "TERM": "xterm"})
    assert result.stdout == "False\n" and not marker.exists()
    # control: plain webbrowser in the same environment does run it
    run_python("import webbrowser\nwebbrowser.open('http://127.0.0.1:9/')\n",
               env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "TERM": "xterm"})
    assert marker.exists()


def test_headless_detection():
    assert is_headless({"SSH_CONNECTION": "a b c d"}) is True
    assert is_headless({"SSH_TTY": "/dev/pts/1"}) is True
    assert is_headless({"SSH_TTY": "/dev/pts/1", "DISPLAY": "localhost:10.0"}) is False
    assert is_headless({"SSH_CONNECTION": "a b c d", "WAYLAND_DISPLAY": "wayland-0"}) is False
    assert is_headless({}) is False


def test_for_tty_without_a_terminal_is_no_terminal():
    code = ("from rolecall.errors import NoTerminal\nfrom rolecall.sso.ui import TerminalLoginUI\n"
            "try:\n    TerminalLoginUI.for_tty()\nexcept NoTerminal as e:\n"
            "    print(e.exit_code, e.hint)\nelse:\n    print('opened')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            start_new_session=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.stdout.strip() == "7 log in from a terminal first: rolecall login"
