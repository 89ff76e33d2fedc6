"""Helpers for the SSO tests: the configs they share, a recording login UI, a child Python."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from rolecall.sandbox.org import DEFAULT_START_URL
from tests.support.sandboxes import fake_browser

# The sandbox's default org as an sso-session, and its first profile (shared by several suites).
CORP_SESSION = f"""\
[sso-session corp]
sso_start_url = {DEFAULT_START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""
DEV_PROFILE = """\
[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
region = us-east-1
"""

CONFIG = CORP_SESSION + "\n" + DEV_PROFILE + """
[profile staging-ro]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnlyAccess
region = us-east-1

[profile chained]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = dev

[profile static]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = not-a-real-secret
"""

LEGACY = f"""
[profile legacy]
sso_start_url = {DEFAULT_START_URL}/legacy
sso_region = us-east-1
sso_account_id = 333333333333
sso_role_name = ReadOnlyAccess
"""

OTHER_SESSION = f"""
[sso-session other]
sso_start_url = {DEFAULT_START_URL}/other
sso_region = us-east-1

[profile other-admin]
sso_session = other
sso_account_id = 444444444444
sso_role_name = AdministratorAccess
"""

FAKE_BROWSER = fake_browser()

class RecordingUI:
    """A LoginUI that records what it was asked to show and runs a hook on show_url."""

    def __init__(self, open_result: bool = True, on_show=None, browser: bool = True) -> None:
        self.shown: list[tuple[str, str | None]] = []
        self.opened: list[str] = []
        self.infos: list[str] = []
        self.open_result = open_result
        self.on_show = on_show
        self.browser = browser

    def show_url(self, url: str, user_code: str | None = None) -> None:
        self.shown.append((url, user_code))
        if self.on_show is not None:
            self.on_show(url, user_code)

    def open_browser(self, url: str) -> bool:
        self.opened.append(url)
        return self.open_result

    def info(self, message: str) -> None:
        self.infos.append(message)

def run_python(code: str, *, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -c code` with the isolated environment (HOME etc. set by the fixtures)."""
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full,
                          timeout=timeout, stdin=subprocess.DEVNULL)

def in_thread(fn) -> threading.Thread:
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread
