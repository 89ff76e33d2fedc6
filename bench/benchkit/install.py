"""rolecall as users get it: a regular (non-editable) install in its own virtualenv.

`make`'s .venv holds an *editable* install. setuptools implements it (with our
package_dir mapping of shell/ and completions/) as a meta-path finder that a .pth
file imports at every interpreter start-up: it costs every `python` in that venv,
bare `python -c pass` included, ~10 ms (pathlib, importlib.util …). Timing the hot
paths there would measure the finder, and flatter the ratios. So the bench
installs the checkout as a wheel into bench/.work/rolecall-venv (dependencies from
PyPI once; rolecall itself re-installed from a copy of the tree on every run, so
the build never writes into the checkout).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchkit.timing import BenchError

_TREE = ("src", "bin", "shell", "completions", "pyproject.toml", "setup.py", "README.md", "LICENSE")
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _pip(python: Path, *args: str) -> None:
    proc = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-4:])
        raise BenchError(f"pip install {' '.join(args)} failed: {tail}")


def _dependencies(pyproject: Path) -> str:
    text = pyproject.read_text(encoding="utf-8")
    start = text.find("dependencies = [")
    return text[start:text.find("]", start) + 1] + "\n" if start >= 0 else text


def install_wheel_venv(checkout: Path, venv: Path, work: Path) -> str:
    """Install `checkout` into `venv` (created once); returns the path of its `rolecall` script."""
    python = venv / "bin" / "python"
    marker = venv / ".bench-deps-installed"
    # The dependencies as pyproject.toml lists them now: a new one means one install with deps again.
    wanted = _dependencies(checkout / "pyproject.toml")
    fresh = not marker.exists() or marker.read_text() != wanted
    if not python.exists():
        sys.stderr.write(f"bench: creating {venv} (rolecall installed as a wheel, deps from PyPI, once)\n")
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        _pip(python, "setuptools>=64", "wheel")
    copy = work / "rolecall-src"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    for name in _TREE:
        src = checkout / name
        if src.is_dir():
            shutil.copytree(src, copy / name, ignore=_IGNORE)
        elif src.exists():
            shutil.copy2(src, copy / name)
    if fresh:
        _pip(python, "--no-build-isolation", str(copy))
        marker.write_text(wanted)
    else:
        _pip(python, "--no-build-isolation", "--no-deps", "--force-reinstall", str(copy))
    exe = venv / "bin" / "rolecall"
    if not exe.exists():
        raise BenchError(f"{exe} missing after the install")
    return str(exe)
