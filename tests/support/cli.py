"""The one way tests run the real CLI: `python -m rolecall ARGS` in a child process.

Observers (the reliability suite's transcript) see every result.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

ROLECALL = [sys.executable, "-m", "rolecall"]

# Called with each CompletedProcess (reliability's transcript registers here).
OBSERVERS: list[Callable[[subprocess.CompletedProcess], None]] = []


def run_rolecall(*args: str, env: dict | None = None, input: str | None = None,
                 timeout: float = 60, cwd: str | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a child process with the (isolated) environment."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    result = subprocess.run(
        [*ROLECALL, *args],
        capture_output=True, text=True, env=full_env, input=input,
        timeout=timeout, cwd=cwd, stdin=None if input is not None else subprocess.DEVNULL,
    )
    for observer in OBSERVERS:
        observer(result)
    return result
