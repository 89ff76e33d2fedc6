"""Fixtures for the EKS tests: a signed-in sandbox with clusters, and a private KUBECONFIG."""

from __future__ import annotations

import pytest

from tests.support.sso import BASE_CONFIG, cli_login


@pytest.fixture
def eks_home(sandbox, aws_config, isolated_home, monkeypatch):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    kubeconfig = isolated_home / ".kube" / "config"
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    return kubeconfig
