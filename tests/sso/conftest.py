"""Fixtures for the SSO tests (the helpers are in tests/support/sso_flows.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rolecall import awsconfig
from tests.support.sso_flows import CONFIG, FAKE_BROWSER


@pytest.fixture
def config(aws_config):
    """The standard config (sso-session corp + profiles); returns a loader of the parsed config."""
    aws_config(CONFIG)
    return awsconfig.load

@pytest.fixture
def browser(monkeypatch, tmp_path) -> Path:
    """BROWSER = the sandbox's fake browser; returns the file logging every URL it opened."""
    log = tmp_path / "browser.log"
    log.touch()
    monkeypatch.setenv("BROWSER", FAKE_BROWSER)
    monkeypatch.setenv("ROLECALL_FAKE_BROWSER_LOG", str(log))
    return log

@pytest.fixture
def corp(config):
    from rolecall.sso.target import target_for_session

    return target_for_session(config(), "corp")
