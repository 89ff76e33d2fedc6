"""Faults from the sandbox (429 bursts, 500s, slow answers, dropped connections, garbage),
a refused port and a TLS mismatch, during GetRoleCredentials, token refresh, AssumeRole and login.

Retryable faults are retried (botocore standard mode: 1 try + 5 retries, with backoff) and
the command succeeds; beyond that, or for what cannot be retried: one `rolecall: error:`
line naming the endpoint, a `hint:` line, the documented exit code (5 AWS error,
6 endpoint unreachable, 4 login required), nothing on stdout, no traceback, and the token
file as it was.

Backoff makes an exhausted scenario take 5-30 s, so every scenario gets a World of its own
(HOME + sandbox) and they all run side by side once per module; each test then checks one.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass, field
from typing import Callable

import pytest

from rolecall.aws import MAX_ATTEMPTS
from tests.support.faults import SESSION, World, assert_clean_error, transcript
from tests.support.sso import token_path

CHAIN = """
[profile chain]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = p0
role_session_name = reliability
region = us-east-1
"""
CP = ("credential-process", "--profile", "p0")
EXHAUST = MAX_ATTEMPTS  # attempts in total (standard mode): this many faults exhaust the retries


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Scenario:
    argv: tuple[str, ...] = CP
    faults: list[tuple[str, str, int, float]] = field(default_factory=list)
    expires_in: int | None = None  # token lifetime at the start (negative: expired, refreshable)
    login: bool = True
    env: Callable[[World], dict] | None = None
    prepare: Callable[[World], None] | None = None


SCENARIOS: dict[str, Scenario] = {
    # retried, then success
    "grc-throttle-x2": Scenario(faults=[("GetRoleCredentials", "throttle", 2, 0)]),
    "grc-500-x3": Scenario(faults=[("GetRoleCredentials", "error500", 3, 0)]),
    "grc-close-x2": Scenario(faults=[("GetRoleCredentials", "close", 2, 0)]),
    "grc-slow-1s": Scenario(faults=[("GetRoleCredentials", "delay", 1, 1.0)]),
    "refresh-throttle-x2": Scenario(expires_in=-60, faults=[("CreateToken", "throttle", 2, 0)]),
    "refresh-500-x2": Scenario(expires_in=-60, faults=[("CreateToken", "error500", 2, 0)]),
    "any-500-x3": Scenario(expires_in=-60, faults=[("*", "error500", 3, 0)]),
    "sts-throttle-x2": Scenario(argv=("credential-process", "--profile", "chain"),
                                faults=[("AssumeRole", "throttle", 2, 0)]),
    "login-throttle-and-500": Scenario(
        argv=("login", "--profile", "p0", "--device-code", "--no-browser"), login=False,
        faults=[("RegisterClient", "throttle", 2, 0), ("StartDeviceAuthorization", "error500", 2, 0)]),
    "refresh-fails-old-token-still-valid": Scenario(expires_in=300,
                                                    faults=[("CreateToken", "error500", EXHAUST, 0)]),
    # exhausted or not retryable
    "grc-throttle-exhausted": Scenario(faults=[("GetRoleCredentials", "throttle", EXHAUST, 0)]),
    "grc-500-exhausted": Scenario(faults=[("GetRoleCredentials", "error500", EXHAUST, 0)]),
    "grc-close-exhausted": Scenario(faults=[("GetRoleCredentials", "close", EXHAUST, 0)]),
    "grc-invalid-json": Scenario(faults=[("GetRoleCredentials", "invalid_json", EXHAUST, 0)]),
    "grc-slower-than-timeout": Scenario(faults=[("GetRoleCredentials", "delay", EXHAUST, 3.0)],
                                        env=lambda w: {"ROLECALL_READ_TIMEOUT": "1"}),
    "sso-refused": Scenario(env=lambda w: {"AWS_ENDPOINT_URL_SSO": f"http://127.0.0.1:{closed_port()}"}),
    "sso-tls-to-plain-http": Scenario(env=lambda w: {"AWS_ENDPOINT_URL_SSO": w.sandbox.url.replace("http:", "https:")}),
    "refresh-500-exhausted": Scenario(expires_in=-60, faults=[("CreateToken", "error500", EXHAUST, 0)]),
    "refresh-close-exhausted": Scenario(expires_in=-60, faults=[("CreateToken", "close", EXHAUST, 0)]),
    "refresh-invalid-json": Scenario(expires_in=-60, faults=[("CreateToken", "invalid_json", EXHAUST, 0)]),
    "refresh-oidc-refused": Scenario(
        expires_in=-60, env=lambda w: {"AWS_ENDPOINT_URL_SSO_OIDC": f"http://127.0.0.1:{closed_port()}"}),
    "refresh-token-revoked": Scenario(expires_in=-60, prepare=lambda w: w.sandbox.revoke_refresh_tokens()),
    "sts-500-exhausted": Scenario(argv=("credential-process", "--profile", "chain"),
                                  faults=[("AssumeRole", "error500", EXHAUST, 0)]),
    "login-register-500-exhausted": Scenario(
        argv=("login", "--profile", "p0", "--device-code", "--no-browser"), login=False,
        faults=[("RegisterClient", "error500", EXHAUST, 0)]),
}


@dataclass
class Outcome:
    world: World
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    token_before: bytes | None
    injected: int


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Run every scenario at once, each in its own World; {name: Outcome}."""
    started = {}
    for name, scenario in SCENARIOS.items():
        world = World(tmp_path_factory.mktemp(name), login=scenario.login, expires_in=scenario.expires_in,
                      extra_config=CHAIN)
        if scenario.env:
            world.env.update(scenario.env(world))
        if scenario.prepare:
            scenario.prepare(world)
        for op, kind, count, delay in scenario.faults:
            world.sandbox.inject_fault(op, kind, count, delay)
        path = token_path(world.home, SESSION)
        before = path.read_bytes() if path.exists() else None
        world.sandbox.reset_counts()
        started[name] = (world, world.popen(*scenario.argv), time.monotonic(), before)
    done = {}
    try:
        for name, (world, proc, t0, before) in started.items():
            out, err = proc.communicate(timeout=200)
            injected = sum(count for _, _, count, _ in SCENARIOS[name].faults)
            done[name] = Outcome(world, proc.returncode, out, err, time.monotonic() - t0, before, injected)
        yield done
    finally:
        for world, proc, _, _ in started.values():
            if proc.poll() is None:
                proc.kill()
            world.stop()


def outcome(outcomes, name: str) -> Outcome:
    result = outcomes[name]
    # its stderr is checked for the world's secrets like any other command's
    transcript().add(SCENARIOS[name].argv, result.returncode, result.stdout, result.stderr)
    transcript().sandboxes.append(result.world.sandbox)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def cp_succeeded(result: Outcome) -> dict:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["Version"] == 1 and doc["SessionToken"]
    return doc


def failed(result: Outcome, code: int, *needles: str) -> str:
    line = assert_clean_error(result, code, *needles)
    assert result.stdout == ""  # stdout is a protocol: nothing but the payload, and there is none
    return line


# ---------------------------------------------------------------- retried, then success


@pytest.mark.slow
@pytest.mark.parametrize("name, op, calls", [
    ("grc-throttle-x2", "GetRoleCredentials", 3),
    ("grc-500-x3", "GetRoleCredentials", 4),
    ("grc-close-x2", "GetRoleCredentials", 3),
    ("grc-slow-1s", "GetRoleCredentials", 1),
    ("sts-throttle-x2", "AssumeRole", 3),
])
def test_retryable_faults_are_retried_until_success(outcomes, name, op, calls):
    result = outcome(outcomes, name)
    cp_succeeded(result)
    assert result.world.sandbox.count(op) == calls


@pytest.mark.slow
@pytest.mark.parametrize("name, attempts", [("refresh-throttle-x2", 3), ("refresh-500-x2", 3), ("any-500-x3", 4)])
def test_refresh_is_retried_and_the_new_token_written(outcomes, name, attempts):
    result = outcome(outcomes, name)
    cp_succeeded(result)
    box = result.world.sandbox
    assert box.count("CreateToken:refresh_token") == attempts if name != "any-500-x3" else \
        box.count("CreateToken:refresh_token") + box.count("GetRoleCredentials") == attempts + 1
    token = json.loads(token_path(result.world.home, SESSION).read_bytes())
    assert token["accessToken"] != result.world.token["accessToken"]
    assert token["accessToken"] in box.backend.access_tokens


@pytest.mark.slow
def test_login_survives_throttling_and_500s(outcomes):
    result = outcome(outcomes, "login-throttle-and-500")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.world.sandbox.count("RegisterClient") == 3
    assert result.world.sandbox.count("StartDeviceAuthorization") == 3
    token = json.loads(token_path(result.world.home, SESSION).read_bytes())
    assert token["accessToken"] in result.world.sandbox.backend.access_tokens


@pytest.mark.slow
def test_a_failed_refresh_falls_back_to_the_still_valid_token(outcomes):
    result = outcome(outcomes, "refresh-fails-old-token-still-valid")
    cp_succeeded(result)
    assert result.world.sandbox.count("CreateToken:refresh_token") == EXHAUST
    assert token_path(result.world.home, SESSION).read_bytes() == result.token_before


# ---------------------------------------------------------------- exhausted or not retryable


@pytest.mark.slow
def test_500s_beyond_the_retries_exit_5_naming_the_endpoint(outcomes):
    result = outcome(outcomes, "grc-500-exhausted")
    line = failed(result, 5, "hint: the service is failing; try again in a minute")
    assert f"HTTP 500 from {result.world.sandbox.url}" in line
    assert result.world.sandbox.count("GetRoleCredentials") == EXHAUST


@pytest.mark.slow
def test_throttling_beyond_the_retries_exit_5_naming_the_endpoint(outcomes):
    result = outcome(outcomes, "grc-throttle-exhausted")
    failed(result, 5, "TooManyRequestsException", f"still throttled by {result.world.sandbox.url} after retries",
           "hint: wait a minute and run the command again")
    assert result.world.sandbox.count("GetRoleCredentials") == EXHAUST


@pytest.mark.slow
@pytest.mark.parametrize("name", ["grc-close-exhausted", "sso-refused"])
def test_connections_that_fail_beyond_the_retries_exit_6(outcomes, name):
    result = outcome(outcomes, name)
    env_url = result.world.env["AWS_ENDPOINT_URL_SSO"]
    line = failed(result, 6, f"cannot reach {env_url} (get_role_credentials): connection failed",
                  "hint: check your network, proxy and AWS_CA_BUNDLE")
    assert line.startswith("rolecall: error: ")


@pytest.mark.slow
def test_tls_to_a_plain_http_port_exits_6_with_a_ca_bundle_hint(outcomes):
    result = outcome(outcomes, "sso-tls-to-plain-http")
    url = result.world.env["AWS_ENDPOINT_URL_SSO"]
    failed(result, 6, f"TLS error talking to {url}", "hint: check AWS_CA_BUNDLE / ca_bundle")


@pytest.mark.slow
def test_garbage_role_credentials_answer_exits_6_naming_the_endpoint(outcomes):
    result = outcome(outcomes, "grc-invalid-json")
    failed(result, 6, f"invalid response from {result.world.sandbox.url} (get_role_credentials)",
           "hint: is an AWS_ENDPOINT_URL_* variable pointing at the wrong server?")
    assert result.world.sandbox.count("GetRoleCredentials") == 1  # garbage is not retried


@pytest.mark.slow
def test_answers_slower_than_the_read_timeout_exit_6(outcomes):
    """ROLECALL_READ_TIMEOUT=1 against answers delayed 3 s: every attempt times out."""
    result = outcome(outcomes, "grc-slower-than-timeout")
    failed(result, 6, f"timed out talking to {result.world.sandbox.url} (get_role_credentials)",
           "hint: check your network, proxy and AWS_CA_BUNDLE")
    assert result.world.sandbox.count("GetRoleCredentials") == EXHAUST


@pytest.mark.slow
@pytest.mark.parametrize("name, code, needle", [
    ("refresh-500-exhausted", 5, "HTTP 500 from {url}"),
    ("refresh-close-exhausted", 6, "cannot reach {url} (create_token)"),
    ("refresh-oidc-refused", 6, "cannot reach {oidc} (create_token)"),
])
def test_a_refresh_that_cannot_happen_fails_cleanly_and_keeps_the_token_file(outcomes, name, code, needle):
    result = outcome(outcomes, name)
    failed(result, code, needle.format(url=result.world.sandbox.url,
                                       oidc=result.world.env["AWS_ENDPOINT_URL_SSO_OIDC"]))
    assert token_path(result.world.home, SESSION).read_bytes() == result.token_before
    assert result.world.sandbox.count("GetRoleCredentials") == 0


@pytest.mark.slow
def test_a_garbage_refresh_answer_exits_6_and_keeps_the_token_file(outcomes):
    result = outcome(outcomes, "refresh-invalid-json")
    failed(result, 6, f"invalid response from {result.world.sandbox.url} (create_token)")
    assert token_path(result.world.home, SESSION).read_bytes() == result.token_before


@pytest.mark.slow
def test_a_revoked_refresh_token_means_login_required(outcomes):
    result = outcome(outcomes, "refresh-token-revoked")
    failed(result, 4, "login required for sso-session rel", "hint: run: rolecall login --sso-session rel")
    assert token_path(result.world.home, SESSION).read_bytes() == result.token_before


@pytest.mark.slow
def test_assume_role_500s_beyond_the_retries_exit_5(outcomes):
    result = outcome(outcomes, "sts-500-exhausted")
    failed(result, 5, "sts assume_role failed", f"HTTP 500 from {result.world.sandbox.url}")
    assert result.world.sandbox.count("AssumeRole") == EXHAUST


@pytest.mark.slow
def test_login_with_a_failing_register_client_exits_5(outcomes):
    result = outcome(outcomes, "login-register-500-exhausted")
    failed(result, 5, "register_client", f"HTTP 500 from {result.world.sandbox.url}")
    assert not token_path(result.world.home, SESSION).exists()


@pytest.mark.slow
def test_no_scenario_crashed(outcomes):
    """Whatever else happened: every scenario ran, none ended in a traceback or exit 70, all faults were served."""
    assert set(outcomes) == set(SCENARIOS)
    for name, o in outcomes.items():
        assert "Traceback" not in o.stderr, (name, o.stderr)
        assert o.returncode != 70, (name, o.stderr)
    assert sum(o.injected for o in outcomes.values()) >= 60
