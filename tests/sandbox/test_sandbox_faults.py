"""Fault injection, counters, clock/latency knobs, the HTTP control API."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError
from botocore.parsers import ResponseParserError

from rolecall.sandbox.control import SandboxControl, SandboxControlError
from tests.support.sandbox_clients import raw_get, sts_client


def _status(exc):
    return exc.value.response["Error"]["Code"], exc.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize("kind, expected", [
    ("throttle", ("TooManyRequestsException", 429)),
    ("error500", ("InternalServerException", 500)),
])
def test_portal_error_faults(sbx, portal, token, kind, expected):
    sbx.inject_fault("ListAccounts", kind, count=2)
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            portal.list_accounts(accessToken=token["accessToken"])
        assert _status(exc) == expected
    assert portal.list_accounts(accessToken=token["accessToken"])["accountList"]
    assert sbx.count("ListAccounts") == 3


def test_oidc_and_sts_faults(sbx, oidc, sso_creds):
    sbx.inject_fault("RegisterClient", "throttle")
    with pytest.raises(ClientError) as exc:
        oidc.register_client(clientName="x", clientType="public")
    assert _status(exc) == ("TooManyRequestsException", 429)
    sbx.inject_fault("CreateToken", "error500")
    with pytest.raises(oidc.exceptions.InternalServerException):
        oidc.create_token(clientId="a", clientSecret="b", grantType="refresh_token", refreshToken="c")
    sts = sts_client(sso_creds)
    sbx.inject_fault("GetCallerIdentity", "throttle")
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert _status(exc) == ("Throttling", 400)
    sbx.inject_fault("AssumeRole", "error500")
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/deploy", RoleSessionName="x1")
    assert _status(exc)[1] == 500
    sbx.inject_fault("GetCallerIdentity", "invalid_json")
    with pytest.raises(ResponseParserError):
        sts.get_caller_identity()
    assert sts.get_caller_identity()["Account"] == "111111111111"


def test_invalid_json_close_and_delay(sbx, portal, token):
    sbx.inject_fault("ListAccounts", "invalid_json")
    # botocore's rest-json parser swallows a non-JSON 200 body: the answer just lacks its fields
    assert "accountList" not in portal.list_accounts(accessToken=token["accessToken"])
    sbx.inject_fault("ListAccounts", "invalid_json")
    status, headers, body = raw_get(f"{sbx.url}/assignment/accounts",
                                    headers={"x-amz-sso_bearer_token": token["accessToken"]})
    assert status == 200 and headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        json.loads(body)
    sbx.inject_fault("ListAccounts", "close")
    with pytest.raises(ConnectionClosedError):
        portal.list_accounts(accessToken=token["accessToken"])
    sbx.inject_fault("ListAccounts", "delay", delay=0.3)
    started = time.monotonic()
    assert portal.list_accounts(accessToken=token["accessToken"])["accountList"]
    assert time.monotonic() - started >= 0.3


def test_wildcard_fault_and_validation(sbx, portal, token):
    sbx.inject_fault("*", "error500", count=1)
    with pytest.raises(ClientError):
        portal.list_account_roles(accessToken=token["accessToken"], accountId="111111111111")
    assert portal.list_account_roles(accessToken=token["accessToken"], accountId="111111111111")["roleList"]
    with pytest.raises(ValueError):
        sbx.inject_fault("ListAccounts", "explode")
    with pytest.raises(ValueError):
        sbx.inject_fault("NoSuchOperation", "throttle")


def test_counts_and_reset(sbx, portal, token):
    portal.list_accounts(accessToken=token["accessToken"])
    assert sbx.counts["ListAccounts"] == 1 and sbx.count("StartDeviceAuthorization") == 1
    assert sbx.count("CreateToken") == sbx.count("CreateToken:device_code") == 1
    sbx.reset_counts()
    assert sbx.counts == {} and sbx.count("ListAccounts") == 0


def test_date_header_follows_clock_offset_and_latency(sbx):
    from email.utils import parsedate_to_datetime

    sbx.set_clock_offset(-86400)
    _, headers, _ = raw_get(f"{sbx.url}/device")
    assert abs(parsedate_to_datetime(headers["date"]).timestamp() - (time.time() - 86400)) < 5
    assert len(headers["x-amzn-requestid"]) == 36
    sbx.set_latency(0.2)
    started = time.monotonic()
    raw_get(f"{sbx.url}/device")
    assert time.monotonic() - started >= 0.2


def test_http_control_api(sbx, portal, token):
    control = SandboxControl(sbx.url)
    assert control.health()["ok"] and control.is_up()
    assert control.env() == sbx.env()
    control.inject_fault("ListAccounts", "throttle")
    with pytest.raises(ClientError):
        portal.list_accounts(accessToken=token["accessToken"])
    assert control.count("ListAccounts") == 1 and control.counts == sbx.counts
    control.reset_counts()
    assert control.counts == {}
    control.set_clock_offset(42)
    control.set_latency(0.0)
    assert sbx.clock_offset == 42
    control.configure(auto_approve=True)
    assert sbx.auto_approve
    control.expire_access_tokens()
    with pytest.raises(portal.exceptions.UnauthorizedException):
        portal.list_accounts(accessToken=token["accessToken"])
    control.revoke_refresh_tokens()
    assert all(rt.revoked for rt in sbx.backend.refresh_tokens.values())
    control.approve_all()
    with pytest.raises(SandboxControlError):
        control.inject_fault("ListAccounts", "explode")
    control.inject_fault("ListAccounts", "throttle")
    control.reset()  # clears faults too
    assert sbx._faults == {} or all(not q for q in sbx._faults.values())
    assert not SandboxControl("http://127.0.0.1:9", timeout=1).is_up()
