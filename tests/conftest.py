"""Shared fixtures. Every test runs with HOME and every AWS path in a temp dir.

The real ~/.aws must never be touched: the session fixture snapshots it and
fails loudly if anything under it changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.cli import run_rolecall
from tests.support.sandboxes import start_sandbox
from tests.support.tools import REAL_HOME

_AWS_VARS_TO_CLEAR = [k for k in os.environ if k.startswith(("AWS_", "ROLECALL_", "_ROLECALL_"))] + [
    "BROWSER", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT",
]


def _snapshot(root: Path) -> dict[str, tuple[int, float]]:
    found = {}
    if root.is_dir():
        for path in root.rglob("*"):
            try:
                st = path.stat()
            except OSError:
                continue
            found[str(path)] = (st.st_size, st.st_mtime)
    return found


_LEAK_WARNING = (
    "WARNING: the interpreter outside .venv ({python}) can import rolecall: this machine can hide a "
    "missing install step (tests that escape the venv pass here and fail on a fresh machine). "
    "Uninstall rolecall there: {python} -m pip uninstall rolecall"
)


def _install_leak() -> str | None:
    from tests.support.interpreter import base_interpreter, base_interpreter_imports_rolecall

    if base_interpreter_imports_rolecall():
        return _LEAK_WARNING.format(python=base_interpreter())
    return None


def pytest_configure(config):
    config._rolecall_install_leak = _install_leak()


def _order_line(config) -> str | None:
    seed = config.getoption("randomly_seed", None) if config.pluginmanager.hasplugin("randomly") else None
    return None if seed is None else f"random test order: replay it with --randomly-seed={seed}"


def pytest_sessionstart(session):
    # (-q hides pytest's header: these lines are written directly)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    leak = getattr(session.config, "_rolecall_install_leak", None)
    if reporter is not None:
        for line in filter(None, [_order_line(session.config), leak]):
            reporter.write_line(line, red=line is leak, bold=line is leak)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    order = _order_line(config)
    if order:
        terminalreporter.write_line(order)
    leak = getattr(config, "_rolecall_install_leak", None)
    if leak:
        terminalreporter.section("install leak", sep="!", red=True, bold=True)
        terminalreporter.line(leak, red=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def _real_aws_untouched():
    before = _snapshot(REAL_HOME / ".aws")
    yield
    after = _snapshot(REAL_HOME / ".aws")
    assert before == after, "a test touched the real ~/.aws — tests must use the isolated HOME"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, caches → tmp_path."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    for var in _AWS_VARS_TO_CLEAR:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert Path(os.path.expanduser("~")) == home
    # botocore computes its SSO token cache dir from HOME once, at import time:
    # point its in-process providers at the isolated HOME too.
    import botocore.credentials
    import botocore.tokens

    sso_cache = str(home / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", sso_cache)
    # webbrowser reads BROWSER once per process; let each test set its own.
    import webbrowser

    monkeypatch.setattr(webbrowser, "_tryorder", None, raising=False)
    monkeypatch.setattr(webbrowser, "_browsers", {}, raising=False)
    yield home


@pytest.fixture
def aws_config(isolated_home):
    """Write the isolated config file: `aws_config("[profile a]\\n…")` → its Path."""

    def write(text: str, credentials: str | None = None) -> Path:
        path = isolated_home / ".aws" / "config"
        path.write_text(text, encoding="utf-8")
        if credentials is not None:
            (isolated_home / ".aws" / "credentials").write_text(credentials, encoding="utf-8")
        return path

    return write


@pytest.fixture
def sandbox(monkeypatch):
    """A started sandbox (auto-approve) with the AWS_ENDPOINT_URL_* vars pointing at it."""
    box = start_sandbox(monkeypatch, auto_approve=True)
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def rolecall():
    return run_rolecall
