"""`rolecall login` when already signed in: says until when, opens nothing; `--force` signs in again."""

from __future__ import annotations

import re

ALREADY = re.compile(r"rolecall: already signed in to (.+?) until \d\d:\d\d UTC \(in (\d+h \d+m|\d+m)\)")


def test_a_valid_token_means_no_browser(sandbox, corp, browser, rolecall):
    first = rolecall("login")
    assert first.returncode == 0, first.stderr
    opened = browser.read_text()
    sandbox.reset_counts()
    again = rolecall("login")
    assert again.returncode == 0, again.stderr
    match = ALREADY.fullmatch(again.stderr.strip())
    assert match and match.group(1) == "sso-session corp", again.stderr
    assert match.group(2).startswith("7h") or match.group(2).startswith("8h")
    assert browser.read_text() == opened  # no browser
    assert sandbox.counts == {"ListAccounts": 1}  # only the check that the portal still accepts the token


def test_force_signs_in_again(sandbox, corp, browser, rolecall):
    assert rolecall("login").returncode == 0
    before = sandbox.count("Authorize")
    forced = rolecall("login", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "logged in to sso-session corp" in forced.stderr
    assert sandbox.count("Authorize") == before + 1


def test_an_expired_token_signs_in(sandbox, corp, browser, rolecall):
    import json

    assert rolecall("login").returncode == 0
    before = sandbox.count("Authorize")
    token = json.loads(corp.token_path.read_text())
    token["expiresAt"] = "2020-01-01T00:00:00Z"
    corp.token_path.write_text(json.dumps(token))
    again = rolecall("login")
    assert again.returncode == 0, again.stderr
    assert "logged in to sso-session corp" in again.stderr
    assert sandbox.count("Authorize") == before + 1


def test_a_token_the_portal_no_longer_accepts_signs_in_again(sandbox, corp, browser, rolecall):
    assert rolecall("login").returncode == 0
    before = sandbox.count("Authorize")
    sandbox.expire_access_tokens()  # revoked server-side: the file still says valid
    again = rolecall("login")
    assert again.returncode == 0, again.stderr
    assert "already signed in" not in again.stderr and "logged in to sso-session corp" in again.stderr
    assert sandbox.count("Authorize") == before + 1
