"""Helpers for the reliability and security suite (its fixtures are in tests/reliability/conftest.py).

- `cli(*args)`: the one CLI runner; while a test runs, every result lands in
  its transcript, and after a test that used a sandbox, no secret the sandbox
  issued (access/refresh tokens, secret keys, session tokens, client secrets)
  may appear in any stderr of that transcript.
- `sso_login(...)`: tests.support.sso's AWS-CLI-style login for this suite's
  sso-session (`rel`).
- `Zygote`: a pre-warmed rolecall that forks one real child per command (see
  tests/reliability/zygote.py), for the large input matrices.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support import cli as _cli
from tests.support import sandboxes as _sandboxes
from tests.support.cli import ROLECALL
from tests.support.cli import run_rolecall as cli
from tests.support.sandboxes import start_sandbox
from tests.support.sso import cli_login, sandbox_config
from tests.support.tools import REPO

__all__ = ["cli", "start_sandbox", "sandbox_config", "ROLECALL"]

SESSION = "rel"
REGION = "us-east-1"
FMT = "%Y-%m-%dT%H:%M:%SZ"
ERROR_LINE = re.compile(r"rolecall: error: \S")

# --------------------------------------------------------------------------- transcript + secrets


@dataclass
class Run:
    argv: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    killed: bool = False  # died of the SIGKILL a crash test asked for
    seconds: float = 0.0


class Transcript:
    """Everything the commands of one test printed (stderr is checked for secrets)."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.sandboxes: list = []

    def add(self, argv, returncode, stdout, stderr) -> None:
        self.runs.append(Run(list(argv), returncode, stdout or "", stderr or ""))


_TRANSCRIPT: list[Transcript] = []


def transcript() -> Transcript:
    return _TRANSCRIPT[-1]


def issued_secrets(sandbox) -> set[str]:
    """Every secret the sandbox handed out (its backend state is the ground truth)."""
    backend = sandbox.backend
    with backend.lock:
        found = set(backend.access_tokens) | set(backend.refresh_tokens)
        found |= {client.secret for client in backend.clients.values()}
        for creds in backend.creds.values():
            found |= {creds.secret, creds.session_token}
        found |= set(backend.signin_tokens)
    return {s for s in found if s}


def assert_no_secret_in(text: str, secrets: set[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"an issued secret ({secret[:6]}…) appeared in {where}"


def watch(record: Transcript) -> None:
    """Record every CLI run and sandbox into `record` until unwatch()."""
    _TRANSCRIPT.append(record)


def unwatch() -> None:
    _TRANSCRIPT.pop()


def _record_run(result: subprocess.CompletedProcess) -> None:
    if _TRANSCRIPT:
        transcript().add(result.args, result.returncode, result.stdout, result.stderr)


def _record_sandbox(box) -> None:
    if _TRANSCRIPT:
        transcript().sandboxes.append(box)


_cli.OBSERVERS.append(_record_run)
_sandboxes.OBSERVERS.append(_record_sandbox)


# --------------------------------------------------------------------------- assertions


def assert_clean_error(result, exit_code: int, *needles: str) -> str:
    """exit `exit_code`, no traceback, `rolecall: error: …` + an optional `hint:` line; returns the error line."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == exit_code, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if line.startswith("rolecall: error: ")]
    assert len(errors) == 1, result.stderr
    tail = lines[errors[0] + 1:]
    assert len(tail) <= 1 and all(line.startswith("hint: ") for line in tail), result.stderr
    message = lines[errors[0]]
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)
    return message


def assert_no_traceback(result) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "rolecall: error: unexpected" not in result.stderr, result.stderr
    assert result.returncode != 70, result.stderr


# --------------------------------------------------------------------------- SSO


def sso_login(sandbox, home: Path, *, session: str = SESSION, expires_in: int | None = None) -> dict:
    """A device-flow login with botocore's client against `sandbox`, written as the AWS CLI writes it."""
    return cli_login(home, session=session, start_url=sandbox.org.start_url, expires_in=expires_in, sandbox=sandbox)


def file_state(path: Path) -> tuple[bytes, int] | None:
    """(bytes, mtime_ns) of a file; None if it does not exist. Directories → (b"<dir>", mtime)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symlink loop: compare the link itself
        st = path.lstat()
        return (f"<{exc.strerror}> -> {os.readlink(path)}".encode(), st.st_mtime_ns)
    if path.is_dir():
        return (b"<dir>", st.st_mtime_ns)
    return (path.read_bytes(), st.st_mtime_ns)


# --------------------------------------------------------------------------- zygote


class Zygote:
    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.zygote"], cwd=str(REPO), env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        ready = self.proc.stdout.readline()
        assert ready.strip() == "ready", ready

    def run(self, jobs: list[dict]) -> list[Run]:
        """Run `jobs` ({"argv", "env"?, "timeout"?}); env defaults to this process's environment."""
        payload = []
        for job in jobs:
            payload.append({"argv": list(job["argv"]), "env": job.get("env") or dict(os.environ),
                            "cwd": job.get("cwd") or os.getcwd(), "timeout": job.get("timeout", 20),
                            "kill_after": job.get("kill_after")})
        self.proc.stdin.write(json.dumps(payload) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the zygote died"
        results = []
        for job, raw in zip(payload, json.loads(line)):
            run = Run(job["argv"], None if raw["timed_out"] else raw["exit"], raw.get("stdout", ""),
                      raw.get("stderr", ""), bool(raw.get("killed")), raw.get("seconds", 0.0))
            if _TRANSCRIPT:
                transcript().runs.append(run)
            results.append(run)
        return results

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


# --------------------------------------------------------------------------- independent worlds


def clean_env(home: Path) -> dict[str, str]:
    """This process's environment minus AWS/rolecall settings, with HOME and every AWS path under `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "ROLECALL_", "_ROLECALL_")) and k not in ("BROWSER", "DISPLAY")}
    env.update({
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": REGION,
    })
    return env


class World:
    """A HOME of its own with a sandbox of its own: scenarios that can run side by side.

    Used where many slow scenarios (retries with backoff) must run in parallel.
    """

    def __init__(self, root: Path, *, login: bool = True, expires_in: int | None = None, extra_config: str = "",
                 **sandbox_kwargs) -> None:
        self.home = root / "home"
        (self.home / ".aws").mkdir(parents=True)
        sandbox_kwargs.setdefault("auto_approve", True)
        self.sandbox = start_sandbox(**sandbox_kwargs)
        text, self.profiles = sandbox_config(self.sandbox.org, session=SESSION, extra=extra_config)
        self.config_path = self.home / ".aws" / "config"
        self.config_path.write_text(text)
        self.token = sso_login(self.sandbox, self.home, expires_in=expires_in) if login else None
        self.env = clean_env(self.home)
        self.env.update(self.sandbox.env())

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([*ROLECALL, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=self.env, text=True)

    def stop(self) -> None:
        self.sandbox.stop()


def watching() -> bool:
    return bool(_TRANSCRIPT)
