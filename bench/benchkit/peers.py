"""The peers rolecall is compared with, each installed where it belongs.

- aws-sso-util and awsume from PyPI into their own virtualenv (bench/.work/peers-venv), created once
  and reused; never into rolecall's environment.
- the AWS CLI v2 from the system's package manager (Debian's `awscli` is v2); a v1 found first on
  PATH (pip's `awscli`) is recorded but not used: `configure export-credentials` needs v2 >= 2.9.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PYPI_PEERS = ("aws-sso-util", "awsume")
_AWS_VERSION = re.compile(r"aws-cli/(\d+)\.(\d+)\.(\d+)")


@dataclass
class Peer:
    name: str
    path: str | None  # executable, None when unavailable
    version: str  # what the tool reports, or why it is missing

    @property
    def available(self) -> bool:
        return self.path is not None


def _log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def ensure_peers_venv(venv: Path, *, offline: bool = False) -> dict[str, Peer]:
    """aws-sso-util and awsume in `venv`; installs them on first use."""
    bin_dir = venv / "bin"
    marker = venv / ".bench-installed"
    if not marker.exists() and not offline:
        _log(f"installing {', '.join(PYPI_PEERS)} from PyPI into {venv} (once)")
        if not (bin_dir / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        proc = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               *PYPI_PEERS], capture_output=True, text=True)
        if proc.returncode == 0:
            marker.write_text("\n".join(PYPI_PEERS) + "\n")
        else:
            _log("pip install failed: " + " | ".join(proc.stderr.strip().splitlines()[-3:]))
    peers = {}
    for name in PYPI_PEERS:
        exe = bin_dir / name
        if exe.exists():
            peers[name] = Peer(name, str(exe), _dist_version(bin_dir / "python", name))
        else:
            peers[name] = Peer(name, None, "not installed (PyPI unreachable?)")
    return peers


def _dist_version(python: Path, dist: str) -> str:
    proc = subprocess.run([str(python), "-c", f"import importlib.metadata as m; print(m.version({dist!r}))"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def aws_version(exe: str) -> tuple[tuple[int, int, int] | None, str]:
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"{exe}: {exc}"
    text = (proc.stdout + proc.stderr).strip()
    match = _AWS_VERSION.search(text)
    if not match:
        return None, text or f"{exe}: no version"
    return (int(match[1]), int(match[2]), int(match[3])), text.splitlines()[0]


def _candidates() -> list[str]:
    found = []
    for path in ("/usr/bin/aws", "/usr/local/bin/aws", shutil.which("aws")):
        if path and os.path.exists(path) and os.path.realpath(path) not in [os.path.realpath(p) for p in found]:
            found.append(path)
    return found


def _v2_at_least_2_9(version: tuple[int, int, int] | None) -> bool:
    return version is not None and version[0] == 2 and version[1:] >= (9, 0)


def find_aws_cli_v2(*, install: bool = True) -> tuple[Peer, list[str]]:
    """The AWS CLI v2 (>= 2.9) if one is or can be installed; also every `aws` seen, for the report."""
    seen: list[str] = []
    for attempt in range(2):
        for exe in _candidates():
            version, text = aws_version(exe)
            if f"{exe}: {text}" not in seen:
                seen.append(f"{exe}: {text}")
            if _v2_at_least_2_9(version):
                return Peer("aws", exe, text), seen
        if attempt == 0 and install and not _try_apt_install("awscli"):
            break
    why = "no AWS CLI v2 >= 2.9 (needed for `aws configure export-credentials`)"
    return Peer("aws", None, why + (f"; found: {'; '.join(seen)}" if seen else "")), seen


def ensure_hyperfine(*, install: bool = True) -> str | None:
    """hyperfine (Debian's package) if present or installable; None → the bench's own timing loop."""
    found = shutil.which("hyperfine")
    if found is None and install and _try_apt_install("hyperfine"):
        found = shutil.which("hyperfine")
    return found


def _try_apt_install(package: str) -> bool:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    _log(f"installing Debian's {package} (apt-get)")
    argv = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(argv, env=env, capture_output=True).returncode == 0:
        return True
    subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
    return subprocess.run(argv, env=env, capture_output=True).returncode == 0
