"""Fixtures for the shell tests (the helpers are in tests/support/shells.py)."""

from __future__ import annotations

import pytest

from tests.support.shells import SHELLS, ShellRunner
from tests.support.tools import require_tool


@pytest.fixture(params=SHELLS)
def sh(request, tmp_path) -> ShellRunner:
    require_tool(request.param)
    return ShellRunner(request.param, tmp_path / "cwd")
