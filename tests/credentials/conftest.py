"""Fixtures for the credentials tests (the helpers are in tests/support/sso.py)."""

from __future__ import annotations

import pytest

from tests.support import compute_endpoints
from tests.support.sso import BASE_CONFIG, cli_login


@pytest.fixture
def sso_config(aws_config):
    """The standard test config written to the isolated HOME."""
    return aws_config(BASE_CONFIG)


@pytest.fixture
def logged_in(sandbox, sso_config, isolated_home):
    """Sandbox running, config written, a CLI-style token for the `sandbox` session."""
    return cli_login(isolated_home)


@pytest.fixture
def container(sandbox, monkeypatch):
    """An ECS-format credential endpoint on loopback (botocore's ContainerProvider finds it); its keys."""
    yield from compute_endpoints.container(sandbox, monkeypatch)


@pytest.fixture
def imds(sandbox, monkeypatch):
    """An IMDSv2 stub on loopback (botocore's InstanceMetadataProvider finds it); its keys."""
    yield from compute_endpoints.imds(sandbox, monkeypatch)
