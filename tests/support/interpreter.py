"""The test run's own Python, reachable at another path, and the install-leak guard.

A symlink to the base interpreter leaves the virtual environment: it imports
rolecall only on a machine where rolecall was installed outside `.venv`, which
is exactly the machine that hides a missing install step. `interpreter_at`
gives the link the venv's identity instead (its `pyvenv.cfg` and `lib/` beside
it), so the odd path runs what the suite runs, on any machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def in_venv() -> bool:
    return sys.prefix != sys.base_prefix


def interpreter_at(directory: Path) -> Path:
    """`directory/bin/python3`: this interpreter with this run's site-packages."""
    bin_dir = directory / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python3"
    python.symlink_to(os.path.realpath(sys.executable))
    if in_venv():
        prefix = Path(sys.prefix)
        # Python finds pyvenv.cfg next to the path it was started by (or one
        # level up) and then takes site-packages from <that prefix>/lib.
        shutil.copyfile(prefix / "pyvenv.cfg", directory / "pyvenv.cfg")
        for sub in ("lib", "lib64"):
            if (prefix / sub).exists():
                (directory / sub).symlink_to(prefix / sub)
    return python


def base_interpreter() -> str:
    return os.path.join(sys.base_prefix, "bin", "python3")


def base_interpreter_imports_rolecall() -> bool:
    """True when the interpreter outside the venv can import rolecall (from /, no PYTHONPATH)."""
    if not in_venv() or not os.access(base_interpreter(), os.X_OK):
        return False
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    done = subprocess.run([base_interpreter(), "-c", "import rolecall"], cwd="/", env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    return done.returncode == 0
