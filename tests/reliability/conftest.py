"""Shared helpers for the reliability and security suite.

- `cli(*args)`: run the real CLI in a child process; every result lands in the
  test's transcript, and after a test that used a sandbox, no secret the
  sandbox issued (access/refresh tokens, secret keys, session tokens, client
  secrets) may appear in any stderr of that transcript.
- `sso_login(...)`: a device-flow login with botocore's own client against the
  sandbox, the token file written as the AWS CLI writes it (independent of
  rolecall's login code).
- `zygote`: a pre-warmed rolecall that forks one real child per command (see
  zygote.py), for the large input matrices.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import REPO

SESSION = "rel"
REGION = "us-east-1"
FMT = "%Y-%m-%dT%H:%M:%SZ"
ROLECALL = [sys.executable, "-m", "rolecall"]
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


@pytest.fixture(autouse=True)
def _secret_watch(request):
    record = Transcript()
    _TRANSCRIPT.append(record)
    yield record
    _TRANSCRIPT.pop()
    secrets: set[str] = set()
    for box in record.sandboxes:
        secrets |= issued_secrets(box)
    if not secrets:
        return
    for run in record.runs:
        assert_no_secret_in(run.stderr, secrets, f"the stderr of {' '.join(run.argv[:4])}")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Watch the shared `sandbox` fixture's secrets too (it is torn down before _secret_watch)."""
    outcome = yield
    if fixturedef.argname == "sandbox" and _TRANSCRIPT and outcome.excinfo is None:
        transcript().sandboxes.append(outcome.get_result())


def cli(*args: str, env: dict | None = None, timeout: float = 60, input: str | None = None,
        cwd: str | None = None) -> subprocess.CompletedProcess:
    """`python -m rolecall ARGS` with the isolated environment; recorded in the transcript."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    result = subprocess.run(
        [*ROLECALL, *args], capture_output=True, text=True, env=full_env, input=input, timeout=timeout,
        cwd=cwd, stdin=None if input is not None else subprocess.DEVNULL,
    )
    if _TRANSCRIPT:
        transcript().add(result.args, result.returncode, result.stdout, result.stderr)
    return result


def start_sandbox(**kwargs):
    """A Sandbox started for this test (stopped by the caller), its secrets watched."""
    from rolecall.sandbox.server import Sandbox

    box = Sandbox(**kwargs).start()
    if _TRANSCRIPT:
        transcript().sandboxes.append(box)
    return box


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


# --------------------------------------------------------------------------- SSO fixtures


def token_path(home: Path, key_source: str = SESSION) -> Path:
    return home / ".aws" / "sso" / "cache" / (hashlib.sha1(key_source.encode()).hexdigest() + ".json")


def sandbox_config(org, *, session: str = SESSION, limit: int | None = None, extra: str = "") -> tuple[str, list[str]]:
    """An sso-session for the sandbox and one profile per account×role: (text, profile names)."""
    lines = [f"[sso-session {session}]", f"sso_start_url = {org.start_url}", f"sso_region = {org.region}",
             "sso_registration_scopes = sso:account:access", ""]
    names = []
    for account in org.accounts:
        for role in account.roles:
            name = f"p{len(names)}"
            names.append(name)
            lines += [f"[profile {name}]", f"sso_session = {session}", f"sso_account_id = {account.id}",
                      f"sso_role_name = {role}", f"region = {org.region}", ""]
            if limit is not None and len(names) >= limit:
                return "\n".join(lines) + extra, names
    return "\n".join(lines) + extra, names


def sso_login(sandbox, home: Path, *, session: str = SESSION, expires_in: int | None = None) -> dict:
    """Device-flow login with botocore's client; token file written in the AWS CLI's format.

    `expires_in` (seconds, may be negative) backdates expiresAt; the refresh token stays valid.
    """
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config

    from tests.support import sandbox_clients as testing

    client = botocore.session.Session().create_client(
        "sso-oidc", region_name=REGION, endpoint_url=sandbox.url,
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    registration = testing.register(client)
    token = testing.device_login(sandbox, client, registration)
    now = datetime.now(timezone.utc)
    lifetime = token["expiresIn"] if expires_in is None else expires_in
    data = {
        "startUrl": sandbox.org.start_url,
        "region": REGION,
        "accessToken": token["accessToken"],
        "expiresAt": (now + timedelta(seconds=lifetime)).strftime(FMT),
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": datetime.fromtimestamp(registration["clientSecretExpiresAt"],
                                                        timezone.utc).strftime(FMT),
        "refreshToken": token["refreshToken"],
    }
    path = token_path(home, session)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    path.write_text(json.dumps(data))
    os.chmod(path, 0o600)
    return data


@pytest.fixture
def sso_home(sandbox, aws_config, isolated_home):
    """Sandbox + a config with one profile per sandbox role (p0…p9) + a valid token."""
    text, names = sandbox_config(sandbox.org)
    aws_config(text)
    token = sso_login(sandbox, isolated_home)
    return isolated_home, names, token


def cache_files(home: Path) -> list[Path]:
    found = []
    for sub in (("sso", "cache"), ("cli", "cache")):
        directory = home.joinpath(".aws", *sub)
        if directory.is_dir():
            found += sorted(directory.glob("*.json"))
    return found


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


@pytest.fixture(scope="session")
def zygote():
    z = Zygote()
    yield z
    z.close()


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
        from rolecall.sandbox.server import Sandbox

        self.home = root / "home"
        (self.home / ".aws").mkdir(parents=True)
        sandbox_kwargs.setdefault("auto_approve", True)
        self.sandbox = Sandbox(**sandbox_kwargs).start()
        text, self.profiles = sandbox_config(self.sandbox.org, extra=extra_config)
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
