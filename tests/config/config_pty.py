"""Drive a command through a pseudo-terminal (it becomes the controlling tty, so /dev/tty works)."""

from __future__ import annotations

import os
import pty
import re
import select
import sys


class PtyProcess:
    def __init__(self, argv: list[str], env: dict) -> None:
        env = dict(env, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="120", LINES="40")
        pid, fd = pty.fork()
        if pid == 0:  # child
            try:
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = b""
        self.status: int | None = None

    def expect(self, pattern: str, timeout: float = 30) -> str:
        """Read until `pattern` (a regex over the escape-stripped output) shows up."""
        regex = re.compile(pattern)
        seen = getattr(self, "_consumed", 0)
        while True:
            text = _strip(self.output.decode("utf-8", "replace"))
            match = regex.search(text, seen)
            if match:
                self._consumed = match.end()
                return text
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise AssertionError(f"timed out waiting for {pattern!r}; output so far:\n{text[-2000:]}")
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise AssertionError(f"process ended before {pattern!r}; output:\n{text[-2000:]}")
            self.output += chunk

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode("utf-8"))

    def wait(self, timeout: float = 60) -> int:
        while True:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise AssertionError("process did not finish")
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            self.output += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.status = os.waitstatus_to_exitcode(status)
        return self.status

    @property
    def text(self) -> str:
        return _strip(self.output.decode("utf-8", "replace"))


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")


def _strip(text: str) -> str:
    return _ANSI.sub("", text)


def rolecall_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "rolecall", *args]
