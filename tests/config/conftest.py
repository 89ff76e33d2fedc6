from __future__ import annotations

import pytest

from .config_helpers import SESSION_CONFIG, login, start_sandbox


@pytest.fixture
def config_path(isolated_home):
    return isolated_home / ".aws" / "config"


@pytest.fixture
def small_org_sandbox(monkeypatch, config_path, rolecall):
    """Default sandbox org, logged in, config with [default] + sso-session corp."""
    box = start_sandbox(monkeypatch)
    config_path.write_text(SESSION_CONFIG.format(start_url=box.org.start_url))
    login(rolecall)
    try:
        yield box
    finally:
        box.stop()
