"""getSigninToken + login URL against the sandbox's federation endpoint, over HTTP on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
from urllib.parse import urlsplit

import pytest

from rolecall import console
from rolecall.errors import AwsError, ConfigError, EndpointError, RolecallError, UsageError
from tests.support.sandbox_clients import raw_get

from tests.support.console import ACCOUNT, ROLE, query_of


def _assert_login_url(url: str, sandbox, destination: str) -> str:
    parts = urlsplit(url)
    sb = urlsplit(sandbox.url)
    assert (parts.scheme, parts.netloc, parts.path) == (sb.scheme, sb.netloc, "/federation")
    query = query_of(url)
    assert set(query) == {"Action", "Issuer", "Destination", "SigninToken"}
    assert query["Action"] == "login" and query["Issuer"] == "rolecall"
    assert query["Destination"] == destination
    assert len(query["SigninToken"]) > 20
    return query["SigninToken"]


def test_sign_in_url_is_accepted_by_the_federation_login(sandbox, sso_creds):
    url = console.sign_in_url(sso_creds, service="ec2", region="eu-west-1")
    _assert_login_url(url, sandbox, "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1")
    assert sandbox.count("GetSigninToken") == 1
    # The token really is one the endpoint issued for these credentials.
    status, _, page = raw_get(url)
    assert status == 200
    assert f"signed in to sandbox-dev ({ACCOUNT})/{ROLE}" in page
    assert "destination https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1" in page
    assert "issuer rolecall" in page


def test_works_with_the_real_credentials_type(sandbox, role_creds):
    from datetime import datetime, timezone

    try:
        from rolecall.credentials import Credentials
    except ImportError:  # the package re-exports it once rolecall/credentials.py lands
        from rolecall.credentials.model import Credentials
    creds = Credentials(role_creds["accessKeyId"], role_creds["secretAccessKey"], role_creds["sessionToken"],
                        datetime.fromtimestamp(role_creds["expiration"] / 1000, timezone.utc), ACCOUNT, ROLE, None)
    url = console.open_console(creds, service="iam", url_only=True).url
    _assert_login_url(url, sandbox, "https://console.aws.amazon.com/iam/home")


def test_duration_is_sent_for_sso_credentials(sandbox, sso_creds):
    url = console.open_console(sso_creds, url_only=True, duration=43200).url
    assert raw_get(url)[0] == 200


def test_chained_role_with_duration_is_a_clear_error(sandbox, chained_creds):
    with pytest.raises(AwsError) as info:
        console.open_console(chained_creds, url_only=True, duration=3600)
    err = info.value
    assert err.code == "SessionDurationNotAllowed"
    assert "chained role" in err.message and "--duration 3600" in err.message
    assert sandbox.url in err.message
    assert "without --duration" in err.hint
    assert chained_creds.session_token not in err.message and chained_creds.secret_access_key not in err.message
    assert sandbox.count("GetSigninToken") == 2  # asked again without the duration to tell why
    # Without --duration the same credentials sign in fine.
    url = console.open_console(chained_creds, url_only=True).url
    assert raw_get(url)[0] == 200


def test_chained_profile_with_duration_refused_before_the_network(sandbox, aws_config, sso_creds):
    aws_config(
        "[sso-session s]\nsso_start_url = https://rolecall-sandbox.invalid/start\nsso_region = us-east-1\n"
        "[profile dev]\nsso_session = s\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n"
        "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = dev\n"
        "region = eu-west-1\n"
    )
    creds = console.SessionCredentials(sso_creds.access_key_id, sso_creds.secret_access_key,
                                       sso_creds.session_token, profile="deploy")
    with pytest.raises(UsageError, match=r"role chaining \(deploy → dev\)") as info:
        console.open_console(creds, url_only=True, duration=7200)
    assert info.value.hint == "run without --duration: rolecall console deploy"
    assert sandbox.count("GetSigninToken") == 0
    # the profile's region is used for the Destination
    url = console.open_console(creds, url_only=True).url
    assert query_of(url)["Destination"] == "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"


def test_bad_credentials_are_an_aws_error(sandbox, sso_creds):
    forged = console.SessionCredentials(sso_creds.access_key_id, "wrong-secret", sso_creds.session_token)
    with pytest.raises(AwsError, match=r"rejected the credentials in this shell \(HTTP 400: .*invalid") as info:
        console.open_console(forged, url_only=True)
    assert "wrong-secret" not in str(info.value) and sso_creds.session_token not in str(info.value)


def test_bad_credentials_with_duration_are_not_blamed_on_chaining(sandbox, sso_creds):
    forged = console.SessionCredentials(sso_creds.access_key_id, "wrong-secret", sso_creds.session_token)
    with pytest.raises(AwsError, match=r"rejected the credentials in this shell \(HTTP 400") as info:
        console.open_console(forged, url_only=True, duration=3600)
    assert info.value.code == "InvalidCredentials" and "chain" not in info.value.message
    assert sandbox.count("GetSigninToken") == 2


def test_duration_out_of_range_makes_no_call(sandbox, sso_creds):
    with pytest.raises(UsageError):
        console.open_console(sso_creds, url_only=True, duration=50000)
    assert sandbox.count("GetSigninToken") == 0


def test_endpoint_down_names_the_endpoint(monkeypatch, sso_creds):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", f"http://127.0.0.1:{port}")
    with pytest.raises(EndpointError) as info:
        console.open_console(sso_creds, url_only=True)
    message = info.value.message
    assert message.startswith(f"cannot reach http://127.0.0.1:{port}/federation")
    assert "\n" not in message and sso_creds.session_token not in message


@pytest.mark.parametrize("kind", ["error500", "throttle", "close"])
def test_transient_failures_are_retried(sandbox, sso_creds, kind):
    sandbox.inject_fault("GetSigninToken", kind, count=1)
    url = console.open_console(sso_creds, url_only=True).url
    assert raw_get(url)[0] == 200
    assert sandbox.count("GetSigninToken") == 2


def test_persistent_500_gives_up(sandbox, sso_creds):
    sandbox.inject_fault("GetSigninToken", "error500", count=console.MAX_ATTEMPTS)
    with pytest.raises(AwsError, match=r"HTTP 500 after 3 attempts"):
        console.open_console(sso_creds, url_only=True)
    assert sandbox.count("GetSigninToken") == console.MAX_ATTEMPTS


def test_garbage_answer_is_an_endpoint_error(sandbox, sso_creds):
    sandbox.inject_fault("GetSigninToken", "invalid_json")
    with pytest.raises(EndpointError, match="not a getSigninToken answer"):
        console.open_console(sso_creds, url_only=True)


def test_timeout(sandbox, sso_creds, monkeypatch):
    monkeypatch.setattr(console, "FEDERATION_TIMEOUT", 0.3)
    sandbox.inject_fault("GetSigninToken", "delay", delay=1.5)
    with pytest.raises(EndpointError, match=f"timed out talking to {sandbox.url}/federation"):
        console.open_console(sso_creds, url_only=True)


# -- proxies -------------------------------------------------------------------


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_loopback_is_never_proxied(sandbox, sso_creds, monkeypatch):
    dead = f"http://127.0.0.1:{_dead_port()}"
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(var, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert raw_get(console.open_console(sso_creds, url_only=True).url)[0] == 200


def test_https_proxy_is_used_and_no_proxy_bypasses_it(sso_creds, monkeypatch):
    """A stand-in proxy records the CONNECT it is asked for (and refuses it)."""
    import socket
    import threading

    seen: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                seen.append(conn.recv(4096).split(b"\r\n", 1)[0])
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=serve, daemon=True).start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "https://signin.rolecall-test.invalid")
        monkeypatch.setenv("https_proxy", f"http://127.0.0.1:{server.getsockname()[1]}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        with pytest.raises(EndpointError):
            console.open_console(sso_creds, url_only=True)
        assert len(seen) == 1 and seen[0].startswith(b"CONNECT signin.rolecall-test.invalid:443 ")
        monkeypatch.setenv("no_proxy", "rolecall-test.invalid")
        with pytest.raises(EndpointError, match="cannot reach https://signin.rolecall-test.invalid/federation"):
            console.open_console(sso_creds, url_only=True)
        assert len(seen) == 1  # bypassed: straight to the (unresolvable) host
    finally:
        server.close()


# -- TLS and AWS_CA_BUNDLE -------------------------------------------------------


@pytest.fixture
def tls_federation(tmp_path):
    """An HTTPS federation stand-in with a self-signed certificate for 127.0.0.1."""
    from tests.support.tools import require_tool

    openssl = require_tool("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            body = json.dumps({"SigninToken": "tls-signin-token"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    import ssl

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", cert, seen
    finally:
        server.shutdown()
        server.server_close()


def test_untrusted_certificate_is_a_tls_error(tls_federation, monkeypatch):
    base, _, seen = tls_federation
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", base)
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token")
    with pytest.raises(EndpointError, match=f"TLS error talking to {base}/federation") as info:
        console.open_console(creds, url_only=True)
    assert "AWS_CA_BUNDLE" in info.value.hint


def test_aws_ca_bundle_is_trusted(tls_federation, monkeypatch):
    base, cert, seen = tls_federation
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", base)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token")
    url = console.open_console(creds, url_only=True, service="s3").url
    assert query_of(url)["SigninToken"] == "tls-signin-token"
    sent = query_of("http://x" + seen[0])
    assert sent["Action"] == "getSigninToken"
    assert json.loads(sent["Session"]) == {"sessionId": "ASIAEXAMPLE", "sessionKey": "secret",
                                           "sessionToken": "token"}


def test_profile_ca_bundle_is_trusted(tls_federation, monkeypatch, aws_config):
    base, cert, _ = tls_federation
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", base)
    aws_config(f"[profile p]\nca_bundle = {cert}\nregion = eu-west-1\n")
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token", profile="p")
    assert query_of(console.open_console(creds, url_only=True).url)["SigninToken"] == "tls-signin-token"


def test_missing_ca_bundle_file(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", "https://127.0.0.1:9")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "nope.pem"))
    creds = console.SessionCredentials("ASIAEXAMPLE", "secret", "token")
    with pytest.raises(ConfigError, match=r"cannot load the CA bundle .*nope\.pem"):
        console.open_console(creds, url_only=True)


# -- opening and copying (in-process) --------------------------------------------


def test_rolecall_browser_gets_exactly_one_argument(sandbox, sso_creds, recorder, monkeypatch):
    monkeypatch.setenv("ROLECALL_BROWSER", f"{recorder.path} --new-tab")
    monkeypatch.setenv("BROWSER", "/bin/false")  # ROLECALL_BROWSER wins
    assert console.open_console(sso_creds, service="s3").url is None
    calls = recorder.calls()
    assert len(calls) == 1
    flag, url = calls[0]
    assert flag == "--new-tab"
    _assert_login_url(url, sandbox, "https://us-east-1.console.aws.amazon.com/s3/home?region=us-east-1")


def test_failing_rolecall_browser(sandbox, sso_creds, tmp_path, monkeypatch):
    from tests.support.console import Recorder

    failing = Recorder(tmp_path, "failing-browser", exit_code=3)
    monkeypatch.setenv("ROLECALL_BROWSER", str(failing.path))
    with pytest.raises(RolecallError, match=r"exited with status 3: cannot open display") as info:
        console.open_console(sso_creds)
    assert "SigninToken" not in str(info.value)
    monkeypatch.setenv("ROLECALL_BROWSER", str(tmp_path / "no-such-browser"))
    with pytest.raises(RolecallError, match="cannot run ROLECALL_BROWSER"):
        console.open_console(sso_creds)
    monkeypatch.setenv("ROLECALL_BROWSER", "'unbalanced")
    with pytest.raises(ConfigError, match="ROLECALL_BROWSER is not a valid command line"):
        console.open_console(sso_creds)


def test_copy_uses_the_clipboard_and_opens_nothing(sandbox, sso_creds, recorder, monkeypatch):
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setenv("ROLECALL_BROWSER", str(recorder.path))
    assert console.open_console(sso_creds, copy=True, service="lambda").url is None
    assert len(copied) == 1
    _assert_login_url(copied[0], sandbox, "https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1")
    assert recorder.calls() == []


def test_no_clipboard_tool(sandbox, sso_creds, monkeypatch):
    import pyperclip

    def no_clipboard(text):
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    with pytest.raises(RolecallError, match="cannot copy to the clipboard") as info:
        console.open_console(sso_creds, copy=True)
    assert "xclip" in info.value.hint and "--url" in info.value.hint
