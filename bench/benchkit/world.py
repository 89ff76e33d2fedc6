"""An isolated world for one benchmark: a temp HOME, an AWS config, a sandbox process.

Every tool (rolecall and the peers) runs with the same HOME, AWS_CONFIG_FILE and
AWS_ENDPOINT_URL_* variables, so they read the same profiles, share the AWS CLI's
token and role-credential caches, and talk to the same emulator.

The sandbox runs in its own process (`python -m rolecall.sandbox.serve`), not in a
thread of this script: the benchmark driver's own work then never competes with the
emulator for a GIL, and the emulator is what the CLI's `rolecall sandbox start
--background` runs too. It is driven through its `/_sandbox/*` control API.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Mapping

from benchkit.timing import BenchError

from rolecall.sandbox.profiles import ENDPOINT_VARS  # noqa: E402  (the one list of what a sandbox answers)
_DROP_PREFIXES = ("AWS_", "ROLECALL_", "_ROLECALL_", "PYTHON", "AWSUME", "_AWSUME", "AWS_SSO_", "VIRTUAL_ENV")
_DROP = ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


def clean_environ(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ without anything that would change a tool's behaviour (AWS_*, PYTHON*, …)."""
    base = os.environ if base is None else base
    return {k: v for k, v in base.items() if not k.startswith(_DROP_PREFIXES) and k not in _DROP}


class SandboxProcess:
    """`python -m rolecall.sandbox.serve` in the background; stopped by its pid (ours)."""

    def __init__(self, python: str, directory: Path, *, generate: int | None = None, latency: float = 0.0,
                 auto_approve: bool = True, env: Mapping[str, str] | None = None) -> None:
        self.python = python
        self.directory = directory
        self.generate = generate
        self.latency = latency
        self.auto_approve = auto_approve
        self.env = dict(env or clean_environ())
        self.url = ""
        self.proc: subprocess.Popen | None = None
        self.control = None

    def start(self, timeout: float = 60.0) -> "SandboxProcess":
        from rolecall.sandbox.control import SandboxControl

        self.directory.mkdir(parents=True, exist_ok=True)
        url_file = self.directory / "sandbox.url"
        url_file.unlink(missing_ok=True)
        argv = [self.python, "-m", "rolecall.sandbox.serve", "--url-file", str(url_file),
                "--latency", str(self.latency)]
        if self.generate is not None:
            argv += ["--generate", str(self.generate)]
        if self.auto_approve:
            argv.append("--auto-approve")
        self.log_path = self.directory / "sandbox.log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         cwd=str(self.directory))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the sandbox exited at start-up (status {self.proc.returncode}); "
                                 f"see {self.log_path}")
            if url_file.exists():
                self.url = url_file.read_text().strip()
                control = SandboxControl(self.url, timeout=30)
                if self.url and control.is_up():
                    self.control = control
                    return self
            time.sleep(0.05)
        self.stop()
        raise BenchError(f"the sandbox did not start within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def endpoint_env(self) -> dict[str, str]:
        return {name: self.url for name in ENDPOINT_VARS}


class World:
    """A fresh HOME under `root` (deleted and recreated), its config file, and the env every tool gets."""

    def __init__(self, root: Path, *, path_dirs: list[str], python: str) -> None:
        self.root = root
        if root.exists():
            shutil.rmtree(root)
        self.home = root / "home"
        (self.home / ".aws").mkdir(parents=True, mode=0o700)
        self.config_path = self.home / ".aws" / "config"
        self.python = python
        self.path_dirs = path_dirs
        self.sandbox: SandboxProcess | None = None

    def start_sandbox(self, *, generate: int | None = None, latency: float = 0.0) -> SandboxProcess:
        self.sandbox = SandboxProcess(self.python, self.root / "sandbox", generate=generate, latency=latency,
                                      env=clean_environ()).start()
        return self.sandbox

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()

    def write_config(self, text: str) -> None:
        self.config_path.write_text(text, encoding="utf-8")

    def env(self, **extra: str) -> dict[str, str]:
        env = clean_environ()
        path = env.get("PATH", "/usr/bin:/bin")
        env.update({
            "HOME": str(self.home),
            "PATH": os.pathsep.join(self.path_dirs + [path]),
            "AWS_CONFIG_FILE": str(self.config_path),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.home / ".aws" / "credentials"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            # no peer may wander off to an instance-metadata endpoint while being timed
            "AWS_EC2_METADATA_DISABLED": "true",
            # the fake browser: follows the sandbox's /authorize page to the loopback callback
            "BROWSER": f"{self.python} -m rolecall.sandbox.browser %s",
            "LC_ALL": env.get("LC_ALL") or "C.UTF-8",
        })
        if self.sandbox is not None:
            env.update(self.sandbox.endpoint_env())
        env.update(extra)
        return env

    def sso_cache(self) -> Path:
        return self.home / ".aws" / "sso" / "cache"

    def cli_cache(self) -> Path:
        return self.home / ".aws" / "cli" / "cache"


def rolecall_python(rolecall_exe: str) -> str:
    """The interpreter a console script runs on (its shebang): the honest `bare python` baseline."""
    try:
        with open(rolecall_exe, "rb") as fh:
            first = fh.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!"):
        parts = first[2:].split()
        if parts and os.path.basename(parts[0]) == "env" and len(parts) > 1:
            return shutil.which(parts[1]) or sys.executable
        if parts and os.path.exists(parts[0]):
            return parts[0]
    return sys.executable
