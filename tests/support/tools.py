"""Where the repository is, and the external tools tests need (in CI a missing tool fails, never skips)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REAL_HOME = Path(os.path.expanduser("~"))
REPO = Path(__file__).resolve().parent.parent.parent


def require_tool(name: str) -> str:
    """Path of an external tool; in CI a missing tool fails the test, never skips it."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI but not installed (.ci/run must install it)")
    pytest.skip(f"{name} not installed")
