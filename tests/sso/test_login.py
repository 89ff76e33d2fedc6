"""Login flows end to end against the sandbox over HTTP: PKCE (default) and device code."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from rolecall.sandbox.backend import pkce_challenge
from rolecall.sandbox.server import Sandbox
from rolecall.sso.errors import LoginFailed
from rolecall.sso.login import login
from rolecall.sso.tokens import access_token, read_token

from tests.support.sso_flows import RecordingUI, in_thread


def _portal_accepts(token: str) -> bool:
    from rolecall import aws

    client = aws.client("sso", "us-east-1", profile="dev")
    accounts = aws.call(client, "list_accounts", accessToken=token)["accountList"]
    return any(a["accountId"] == "111111111111" for a in accounts)


def test_pkce_login_end_to_end(sandbox, corp, browser):
    token = login(corp)
    assert sandbox.count("CreateToken:authorization_code") == 1
    assert sandbox.count("StartDeviceAuthorization") == 0
    assert read_token(corp) == token
    assert token["refreshToken"] and token["clientId"]
    assert _portal_accepts(token["accessToken"])
    assert access_token(corp) == token["accessToken"]


def test_pkce_authorize_url_is_the_cli_shape(sandbox, corp, browser):
    login(corp)
    url = browser.read_text().splitlines()[0]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sandbox.url and parts.path == "/authorize"
    keys = [pair.split("=", 1)[0] for pair in parts.query.split("&")]
    assert keys == ["response_type", "client_id", "redirect_uri", "state", "code_challenge_method", "scopes",
                    "code_challenge"]
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    reg = json.loads(corp.registration_path.read_text())
    assert query["response_type"] == "code" and query["client_id"] == reg["clientId"]
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/oauth/callback", query["redirect_uri"])
    assert uuid.UUID(query["state"]).version == 4
    assert query["code_challenge_method"] == "S256" and query["scopes"] == "sso:account:access"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", query["code_challenge"])


def test_pkce_verifier_and_challenge():
    from rolecall.sso import pkce

    verifiers = {pkce.new_verifier() for _ in range(20)}
    assert len(verifiers) == 20
    for verifier in verifiers:
        assert re.fullmatch(r"[A-Za-z0-9._~-]{64}", verifier)
        assert pkce.challenge(verifier) == pkce_challenge(verifier)  # the sandbox's own S256


def test_registration_reused_across_logins(sandbox, corp, browser):
    login(corp)
    login(corp)
    assert sandbox.count("RegisterClient") == 1
    # two code exchanges, and before the second browser one probe that the cached client is still known
    assert sandbox.count("CreateToken:authorization_code") == 3
    reg = json.loads(corp.registration_path.read_text())
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]
    assert reg["scopes"] == ["sso:account:access"]
    assert list(reg) == ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reg["expiresAt"])


def test_registration_kept_apart_per_flow(sandbox, corp, browser):
    """As the AWS CLI: one cache key, but a registration is only used by the flow that made it."""
    login(corp)
    pkce_client = json.loads(corp.registration_path.read_text())["clientId"]
    login(corp, device_code=True)
    device_reg = json.loads(corp.registration_path.read_text())
    assert sandbox.count("RegisterClient") == 2
    assert device_reg["clientId"] != pkce_client and "grantTypes" not in device_reg
    login(corp, device_code=True)
    assert sandbox.count("RegisterClient") == 2  # the device registration is reused by the device flow
    login(corp)
    assert sandbox.count("RegisterClient") == 3  # ...but not by PKCE


def test_registration_near_expiry_is_replaced(sandbox, corp, browser):
    login(corp)
    reg = json.loads(corp.registration_path.read_text())
    reg["expiresAt"] = "2000-01-01T00:00:00Z"
    corp.registration_path.write_text(json.dumps(reg))
    login(corp)
    assert sandbox.count("RegisterClient") == 2


def test_access_denied_in_browser(sandbox, corp, browser, monkeypatch):
    sandbox.set_auto_approve(False)
    monkeypatch.setenv("ROLECALL_FAKE_BROWSER_DENY", "1")
    with pytest.raises(LoginFailed, match=r"denied in the browser \(access_denied\)"):
        login(corp)
    assert read_token(corp) is None
    assert sandbox.count("CreateToken") == 0


def test_state_mismatch_is_ignored_and_the_login_goes_on(sandbox, corp, monkeypatch):
    """A callback with a forged state is answered 400 and ignored (#14): it neither reaches
    CreateToken nor aborts the wait; the real sign-in that follows completes."""
    statuses = []

    def forge_then_sign_in(url, code):
        query = parse_qs(urlsplit(url).query)
        forged = query["redirect_uri"][0] + "?code=stolen-code&state=" + str(uuid.uuid4())

        def browser():
            try:
                urllib.request.urlopen(forged, timeout=10).read()
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
            urllib.request.urlopen(url, timeout=10).read()  # the real browser: authorize → callback
        in_thread(browser)

    login(corp, ui=RecordingUI(on_show=forge_then_sign_in))
    assert statuses == [400]
    assert sandbox.count("CreateToken") == 1 and read_token(corp) is not None


def test_callback_serves_a_close_this_tab_page(sandbox, corp):
    pages = []

    def answer(url, code):
        query = parse_qs(urlsplit(url).query)
        callback = f"{query['redirect_uri'][0]}?code=x&state={query['state'][0]}"

        def fetch():
            with urllib.request.urlopen(callback, timeout=10) as response:
                pages.append(response.read().decode())
        in_thread(fetch).join(10)

    from rolecall.errors import AwsError

    with pytest.raises(AwsError, match="InvalidGrantException"):  # the code "x" is refused; the page matters
        login(corp, ui=RecordingUI(on_show=answer))
    assert pages and "You can close this tab." in pages[0]


def test_login_timeout(sandbox, corp, monkeypatch):
    monkeypatch.setenv("ROLECALL_LOGIN_TIMEOUT", "0.5")
    ui = RecordingUI(open_result=True)  # "opened", but nobody ever comes back
    with pytest.raises(LoginFailed, match=r"timed out after 0\.5 s"):
        login(corp, ui=ui)
    assert len(ui.opened) == 1 and read_token(corp) is None


def test_no_browser_falls_back_to_device_code(sandbox, corp):
    ui = RecordingUI(open_result=False)
    token = login(corp, ui=ui)
    assert ui.infos == ["could not open a browser; using the device code flow instead"]
    assert sandbox.count("StartDeviceAuthorization") == 1 and sandbox.count("CreateToken:device_code") == 1
    assert _portal_accepts(token["accessToken"])


def test_headless_ssh_uses_device_code(sandbox, corp, browser, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    login(corp)
    assert sandbox.count("Authorize") == 0 and sandbox.count("CreateToken:device_code") == 1


def test_legacy_profile_uses_device_code(sandbox, aws_config, browser):
    from rolecall import awsconfig
    from rolecall.sso.target import target_for_profile

    from tests.support.sso_flows import CONFIG, LEGACY

    aws_config(CONFIG + LEGACY)
    target = target_for_profile(awsconfig.load(), "legacy")
    token = login(target)
    assert sandbox.count("CreateToken:device_code") == 1 and sandbox.count("Authorize") == 0
    assert token["startUrl"] == target.start_url
    registered = json.loads(target.registration_path.read_text())
    assert "grantTypes" not in registered and "scopes" not in registered  # legacy: as the CLI


# -- device code flow --------------------------------------------------------------------------

def test_device_flow_preapproved_shows_nothing(sandbox, corp):
    ui = RecordingUI()
    token = login(corp, device_code=True, ui=ui)
    assert ui.shown == [] and ui.opened == []  # the immediate try succeeded
    assert sandbox.count("CreateToken:device_code") == 1
    assert _portal_accepts(token["accessToken"])


@pytest.fixture
def manual_sandbox(monkeypatch):
    box = Sandbox(auto_approve=False).start()
    for key, value in box.env().items():
        monkeypatch.setenv(key, value)
    yield box
    box.stop()


def test_device_flow_polls_until_approved(manual_sandbox, corp):
    box = manual_sandbox

    def approve_later(url, code):
        def wait_then_approve():
            import time
            while box.count("CreateToken:device_code") < 2:  # at least one pending poll after showing
                time.sleep(0.05)
            box.approve_all()
        in_thread(wait_then_approve)

    ui = RecordingUI(on_show=approve_later)
    token = login(corp, device_code=True, ui=ui)
    (url, user_code), = ui.shown
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", user_code) and user_code in url
    assert ui.opened == [url]
    assert box.count("CreateToken:device_code") >= 3
    assert _portal_accepts(token["accessToken"])


def test_device_flow_slow_down_adds_five_seconds(manual_sandbox, corp):
    box = manual_sandbox
    asked: list[float] = []

    def sleep(seconds):
        import time
        asked.append(seconds)
        if len(asked) == 1:
            return  # poll at once: the sandbox answers SlowDown
        box.approve_all()
        time.sleep(1.0)  # the sandbox's interval; the test need not wait the full 6 s

    login(corp, device_code=True, ui=RecordingUI(), sleep=sleep)
    assert asked == [1, 6]


def test_device_flow_denied(manual_sandbox, corp):
    def deny(url, code):
        urllib.request.urlopen(f"{manual_sandbox.url}/device?user_code={code}&action=deny", timeout=10).read()

    with pytest.raises(LoginFailed, match="denied"):
        login(corp, device_code=True, ui=RecordingUI(on_show=deny), sleep=lambda s: None)
    assert read_token(corp) is None


def test_device_code_expired(manual_sandbox, corp):
    def expire(url, code):
        manual_sandbox.set_clock_offset(3600)

    with pytest.raises(LoginFailed, match="device code expired"):
        login(corp, device_code=True, ui=RecordingUI(on_show=expire), sleep=lambda s: None)


def test_device_flow_times_out(manual_sandbox, corp, monkeypatch):
    monkeypatch.setenv("ROLECALL_LOGIN_TIMEOUT", "3")
    with pytest.raises(LoginFailed, match="timed out"):
        login(corp, device_code=True, ui=RecordingUI())


def test_reuse_fresh_skips_the_flow(sandbox, corp, browser):
    first = login(corp)
    again = login(corp, reuse_fresh=True)
    assert again == first and sandbox.count("CreateToken") == 1


def test_bad_login_timeout_setting(corp, monkeypatch):
    from rolecall.errors import UsageError

    monkeypatch.setenv("ROLECALL_LOGIN_TIMEOUT", "soon")
    with pytest.raises(UsageError, match="ROLECALL_LOGIN_TIMEOUT"):
        login(corp, ui=RecordingUI())
