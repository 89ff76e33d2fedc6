"""Fixtures for the reliability and security suite (its helpers are in tests/support/faults.py).

`_secret_watch` (autouse) gives each test a transcript of every CLI run and
sandbox; after the test, no secret a sandbox issued may appear in any stderr.
"""

from __future__ import annotations

import pytest

from tests.support import faults
from tests.support.faults import (
    SESSION,
    Transcript,
    Zygote,
    assert_no_secret_in,
    issued_secrets,
    sandbox_config,
    sso_login,
)


@pytest.fixture(autouse=True)
def _secret_watch(request):
    record = Transcript()
    faults.watch(record)
    yield record
    faults.unwatch()
    secrets: set[str] = set()
    for box in record.sandboxes:
        secrets |= issued_secrets(box)
    if not secrets:
        return
    for run in record.runs:
        assert_no_secret_in(run.stderr, secrets, f"the stderr of {' '.join(run.argv[:4])}")


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Watch the shared `sandbox` fixture's secrets too (it is torn down before _secret_watch)."""
    outcome = yield
    if fixturedef.argname == "sandbox" and faults.watching() and outcome.excinfo is None:
        faults.transcript().sandboxes.append(outcome.get_result())


@pytest.fixture
def sso_home(sandbox, aws_config, isolated_home):
    """Sandbox + a config with one profile per sandbox role (p0…p9) + a valid token."""
    text, names = sandbox_config(sandbox.org, session=SESSION)
    aws_config(text)
    token = sso_login(sandbox, isolated_home)
    return isolated_home, names, token


@pytest.fixture(scope="session")
def zygote():
    z = Zygote()
    yield z
    z.close()
