"""Helpers for driving the real shells with the real `rolecall init` output.

Every shell starts without any user config (`bash --noprofile --norc`,
`zsh -f`, `fish --no-config`), with the isolated HOME from tests/conftest.py,
a UTF-8 locale, and its cwd in a scratch directory so a command injection
would leave a file where `assert_no_side_effects` looks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.tools import require_tool

SHELLS = ("bash", "zsh", "fish")

SHELL_ARGS = {"bash": ["--noprofile", "--norc"], "zsh": ["-f"], "fish": ["--no-config"]}

MANAGED = (
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
    "ROLECALL_PROFILE", "ROLECALL_EXPIRATION",
)

_INIT_CACHE: dict[str, str] = {}

def init_output(shell: str) -> str:
    """The real `rolecall init SHELL` output (computed once per test session)."""
    if shell not in _INIT_CACHE:
        result = subprocess.run([sys.executable, "-m", "rolecall", "init", shell], capture_output=True,
                                text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        _INIT_CACHE[shell] = result.stdout
    return _INIT_CACHE[shell]

def shell_argv(shell: str, script: str) -> list[str]:
    return [require_tool(shell), *SHELL_ARGS[shell], "-c", script]

def dump_env_cmd(path: Path) -> str:
    """A command (valid in all three shells) that writes the environment, NUL-separated."""
    return f"env -0 > '{path}'"

def parse_env_dump(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    env = {}
    for item in data.split(b"\0"):
        if not item:
            continue
        key, _, value = item.partition(b"=")
        env[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
    return env

def without_shell_noise(env: dict[str, str]) -> dict[str, str]:
    """Drop what shells set for themselves (SHLVL, PWD, _ …), keep everything else."""
    noise = {"SHLVL", "PWD", "OLDPWD", "_", "COLUMNS", "LINES"}
    return {k: v for k, v in env.items() if k not in noise}

class ShellRunner:
    """Runs scripts in a real shell that has loaded the integration from a file."""

    def __init__(self, shell: str, workdir: Path) -> None:
        self.shell = shell
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.integration = workdir.parent / f"rolecall-init.{shell}"
        self.integration.write_text(init_output(shell), encoding="utf-8")
        self._dumps = 0

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        env.update(extra or {})
        return env

    def source_line(self) -> str:
        return f"source '{self.integration}'"

    def run(self, body: str, *, extra_env: dict[str, str] | None = None, load: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        script = (self.source_line() + "\n" if load else "") + body
        return subprocess.run(shell_argv(self.shell, script), capture_output=True, text=True,
                              cwd=self.workdir, env=self.env(extra_env), timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def dump_path(self) -> Path:
        self._dumps += 1
        return self.workdir.parent / f"env-{self.shell}-{self._dumps}.bin"

    def assert_no_side_effects(self) -> None:
        leftovers = sorted(p.name for p in self.workdir.iterdir())
        assert leftovers == [], f"a command ran during assume: {leftovers}"
        home = Path(os.environ["HOME"])
        assert not list(home.glob("pwned*")), "a command ran in HOME"

def quote_for(shell: str, word: str) -> str:
    """Quote a test's own argument for the script (not the code under test)."""
    if shell == "fish":
        return "'" + word.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return "'" + word.replace("'", "'\\''") + "'"


def in_shell(shell: str, tmp_path: Path, command: str,
             env: dict | None = None) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """Run `command` in a real shell with the `rolecall init` integration loaded; (result, env after)."""
    integration = tmp_path / f"init.{shell}"
    integration.write_text(init_output(shell), encoding="utf-8")
    dump = tmp_path / f"env-{shell}.bin"
    status = "set rc $status" if shell == "fish" else "rc=$?"
    script = f"source '{integration}'\n{command}\n{status}\nenv -0 > '{dump}'\nexit $rc\n"
    result = subprocess.run([require_tool(shell), *SHELL_ARGS[shell], "-c", script], capture_output=True,
                            text=True, timeout=120, env=env or dict(os.environ), stdin=subprocess.DEVNULL)
    return result, parse_env_dump(dump)
