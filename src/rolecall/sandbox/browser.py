"""A fake web browser for tests and the demo: ``python -m rolecall.sandbox.browser URL``.

Set ``BROWSER="<python> -m rolecall.sandbox.browser %s"`` and Python's :mod:`webbrowser` (used by
login flows) runs this instead of a real browser.  It:

* GETs the URL without auto-following redirects;
* on the sandbox's approval page, "clicks" the Approve link;
* follows 302 redirects, including the last one to the loopback callback of the login in progress;
* on a device verification page (``/device?user_code=…``) the GET itself approves the code.

It never leaves loopback: a non-loopback URL is only recorded (see ``ROLECALL_FAKE_BROWSER_LOG``)
and the exit status is 0, as a real browser opening a tab would be.  Nothing is printed on stdout
(the caller's stdout may be a shell's ``eval``).  Environment:

* ``ROLECALL_FAKE_BROWSER_LOG=FILE`` — append every URL opened (one per line).
* ``ROLECALL_FAKE_BROWSER_DENY=1`` — click Deny instead of Approve.
* ``ROLECALL_FAKE_BROWSER_VERBOSE=1`` — trace hops on stderr.

The callback hop: ``webbrowser.open`` waits for this process, and a login that serves its
loopback callback only after ``webbrowser.open`` returns would deadlock with a browser that waits
for the callback's answer.  So the callback is fetched by a detached helper process; this process
waits for it briefly (``ROLECALL_FAKE_BROWSER_CALLBACK_WAIT``, default 1.5 s) and then exits 0.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from urllib.parse import parse_qs, urljoin, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_HOPS = 10
TIMEOUT = 10.0

_APPROVE = re.compile(r'<a[^>]*id="approve"[^>]*href="([^"]+)"')
_DENY = re.compile(r'<a[^>]*id="deny"[^>]*href="([^"]+)"')


def _say(message: str) -> None:
    if os.environ.get("ROLECALL_FAKE_BROWSER_VERBOSE"):
        sys.stderr.write(f"fake-browser: {message}\n")


def _get(url: str, timeout: float = TIMEOUT) -> tuple[int, dict[str, str], str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("GET", path, headers={"User-Agent": "rolecall-fake-browser/1", "Accept": "text/html"})
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK


def _is_callback(url: str) -> bool:
    """A redirect target that is the login's loopback callback (not a sandbox page)."""
    keys = parse_qs(urlsplit(url).query, keep_blank_values=True)
    return "code" in keys or "error" in keys


def _fetch_callback(url: str) -> int:
    """Hand the callback to a detached helper; wait for it briefly."""
    try:
        wait = float(os.environ.get("ROLECALL_FAKE_BROWSER_CALLBACK_WAIT", "1.5"))
    except ValueError:
        wait = 1.5
    helper = subprocess.Popen(
        [sys.executable, "-m", "rolecall.sandbox.browser", "--callback", url],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, close_fds=True,
    )
    try:
        code = helper.wait(timeout=wait)
        _say(f"callback answered (helper exit {code})")
        return 0 if code == 0 else 1
    except subprocess.TimeoutExpired:
        _say("callback not answered yet; leaving it to the helper")
        return 0


def browse(url: str) -> int:
    log_file = os.environ.get("ROLECALL_FAKE_BROWSER_LOG")
    if log_file:
        with open(log_file, "a", encoding="utf-8") as fh:
            fh.write(url + "\n")
    deny = os.environ.get("ROLECALL_FAKE_BROWSER_DENY", "") not in ("", "0")
    deadline = time.monotonic() + 20
    redirected = False
    for _ in range(MAX_HOPS):
        if not _is_loopback(url):
            _say(f"not visiting non-loopback URL {url}")
            return 0
        if redirected and _is_callback(url):
            return _fetch_callback(url)
        _say(f"GET {url}")
        status, headers, body = _get(url, timeout=max(1.0, min(TIMEOUT, deadline - time.monotonic())))
        if status in (301, 302, 303, 307, 308) and "location" in headers:
            url = urljoin(url, headers["location"])
            redirected = True
            continue
        if status != 200:
            sys.stderr.write(f"fake-browser: {url} answered HTTP {status}\n")
            return 1
        link = (_DENY if deny else _APPROVE).search(body)
        if link:
            url = urljoin(url, link.group(1).replace("&amp;", "&"))
            continue
        return 0
    sys.stderr.write("fake-browser: too many redirects\n")
    return 1


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "--callback":
        try:
            _get(args[1], timeout=30)
            return 0
        except OSError:
            return 1
    if len(args) != 1:
        sys.stderr.write("usage: python -m rolecall.sandbox.browser URL\n")
        return 2
    try:
        return browse(args[0])
    except (OSError, http.client.HTTPException) as exc:
        sys.stderr.write(f"fake-browser: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
