"""A real terminal for interactive tests: a private tmux server running a shell.

Waits poll the screen (with a generous deadline that only bounds a hang);
nothing asserts on timing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.tools import require_tool

DEADLINE = 60.0


class Tmux:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.tmux = require_tool("tmux")
        # a short private socket path (sun_path is limited to ~108 bytes)
        self._dir = tempfile.mkdtemp(prefix="rc-tmux-")
        self.socket = os.path.join(self._dir, "s")
        env = dict(env, TERM="xterm-256color")
        env.pop("TMUX", None)
        self._run("-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "45", "-s", "t", "-c", str(cwd),
                  *argv, env=env)
        self._run("set-option", "-g", "escape-time", "10")

    def _run(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run([self.tmux, "-S", self.socket, *args], capture_output=True, text=True,
                                env=env, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr}")
        return result.stdout

    def send(self, *keys: str) -> None:
        self._run("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "t", "-l", text)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "t")

    def wait_for(self, predicate, what: str) -> None:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; screen:\n{self.screen()}")

    def wait_for_text(self, text: str) -> None:
        self.wait_for(lambda: text in self.screen(), repr(text))

    def wait_for_file(self, path: Path) -> None:
        self.wait_for(lambda: path.exists() and path.stat().st_size > 0, str(path))

    def close(self) -> None:
        try:
            subprocess.run([self.tmux, "-S", self.socket, "kill-server"], capture_output=True, timeout=30)
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


@contextlib.contextmanager
def integrated_shell(shell: str, tmp_path: Path):
    """A real `shell` in tmux with the `rolecall init` integration sourced (UTF-8 locale)."""
    from tests.support.shells import SHELL_ARGS, init_output

    integration = tmp_path / f"init.{shell}"
    integration.write_text(init_output(shell), encoding="utf-8")
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    tmux = Tmux([require_tool(shell), *SHELL_ARGS[shell]], env, tmp_path)
    tmux.shell = shell
    tmux.type(f"source '{integration}'")
    tmux.send("Enter")
    try:
        yield tmux
    finally:
        tmux.close()
