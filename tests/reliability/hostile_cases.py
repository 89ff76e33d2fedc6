"""The hostile configs and credentials files: each case builds files under a HOME.

A case returns the profile name the commands target. `MARKER` is a file that
shell-injection payloads try to create: it must never appear.
"""

from __future__ import annotations

import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

START_URL = "https://rolecall-sandbox.invalid/start"
MARKER = "PWNED-marker"
TEN_MB = 10 * 1024 * 1024

SESSION_BLOCK = f"""[sso-session rel]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def sso_profile(name: str, *, account: str = "111111111111", role: str = "AdministratorAccess",
                extra: str = "", header: str | None = None) -> str:
    head = header if header is not None else f"[profile {name}]"
    return f"{head}\nsso_session = rel\nsso_account_id = {account}\nsso_role_name = {role}\nregion = us-east-1\n{extra}"


def valid(*profiles: str) -> str:
    return SESSION_BLOCK + "\n" + "\n".join(profiles)


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path], str]  # writes into HOME/.aws, returns the target profile
    kind: str  # "file": the file is invalid; "profile": the file parses, the profile is bad; "ok": usable


def _config(home: Path) -> Path:
    return home / ".aws" / "config"


def _creds(home: Path) -> Path:
    return home / ".aws" / "credentials"


def write(text: str | bytes, target: str = "config", profile: str = "p") -> Callable[[Path], str]:
    def build(home: Path) -> str:
        path = _config(home) if target == "config" else _creds(home)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_bytes(text.encode("utf-8"))
        if target != "config":
            _config(home).write_text(valid(sso_profile("p")))
        return profile
    return build


def _dir_instead(which: str) -> Callable[[Path], str]:
    def build(home: Path) -> str:
        if which == "config":
            _config(home).mkdir()
        else:
            _config(home).write_text(valid(sso_profile("p")))
            _creds(home).mkdir()
        return "p"
    return build


def _symlink_loop(home: Path) -> str:
    a, b = home / ".aws" / "loop-a", home / ".aws" / "loop-b"
    os.symlink(b, a)
    os.symlink(a, b)
    os.symlink(a, _config(home))
    return "p"


def _dangling(home: Path) -> str:
    os.symlink(home / ".aws" / "nowhere", _config(home))
    return "p"


def _chain(depth: int, end: str) -> Callable[[Path], str]:
    def build(home: Path) -> str:
        # the bottom logs in to a session with no cached token: resolving stops there (exit 4)
        parts = [SESSION_BLOCK.replace("sso-session rel", "sso-session cold")]
        if end == "sso":
            parts.append(sso_profile("c0").replace("sso_session = rel", "sso_session = cold"))
        for i in range(1, depth + 1):
            parts.append(f"[profile c{i}]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"
                         f"source_profile = c{i - 1}\n")
        _config(home).write_text("\n".join(parts))
        return f"c{depth}"
    return build


def _cycle(names: list[str]) -> Callable[[Path], str]:
    def build(home: Path) -> str:
        parts = []
        for i, name in enumerate(names):
            nxt = names[(i + 1) % len(names)]
            parts.append(f"[profile {name}]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = {nxt}\n")
        _config(home).write_text("\n".join(parts))
        return names[0]
    return build


def _process(command: str) -> Callable[[Path], str]:
    def build(home: Path) -> str:
        _config(home).write_text(f"[profile p]\ncredential_process = {command}\n")
        return "p"
    return build


def _garbage(seed: int, size: int) -> bytes:
    data = random.Random(seed).randbytes(size)
    return b"\xff\xfe" + data  # never valid UTF-8


def _many_profiles(home: Path) -> str:
    _config(home).write_text(valid(*(sso_profile(f"p{i}") for i in range(3_000))))
    return "p2999"


def _huge_value(key_line: Callable[[str], str]) -> Callable[[Path], str]:
    def build(home: Path) -> str:
        _config(home).write_text(valid(sso_profile("p", extra=key_line("x" * TEN_MB) + "\n")))
        return "p"
    return build


def _huge_role(home: Path) -> str:
    _config(home).write_text(valid(sso_profile("p", role="R" * TEN_MB)))
    return "p"


PY = sys.executable
M = MARKER

CASES: list[Case] = [
    # -- the file itself is bad -------------------------------------------------------------
    Case("binary-garbage", write(_garbage(1, 4096)), "file"),
    Case("binary-garbage-credentials", write(_garbage(2, 4096), target="credentials"), "file"),
    Case("latin1-comment", write(b"# caf\xe9\n[profile p]\nregion = x\n"), "file"),
    Case("utf8-encoded-surrogate", write(b"[profile p]\nregion = \xed\xa0\x80\n"), "file"),
    Case("utf8-bom", write("\ufeff" + valid(sso_profile("p"))), "file"),
    Case("duplicate-section", write(valid(sso_profile("p"), sso_profile("p"))), "file"),
    Case("duplicate-key", write(valid(sso_profile("p", extra="region = eu-west-1\n"))), "file"),
    Case("duplicate-section-credentials",
         write("[p]\naws_access_key_id = A\n[p]\naws_access_key_id = B\n", target="credentials"), "file"),
    Case("key-before-any-section", write("region = us-east-1\n" + valid(sso_profile("p"))), "file"),
    Case("junk-line", write(valid(sso_profile("p", extra="this line has no equals sign\n"))), "file"),
    Case("unterminated-header", write("[profile p\nregion = x\n"), "file"),
    Case("nested-line-without-equals", write(valid(sso_profile("p", extra="s3 =\n  no equals here\n"))), "file"),
    Case("ten-mb-line-no-section", write("x" * TEN_MB), "file"),
    Case("directory-as-config", _dir_instead("config"), "file"),
    Case("directory-as-credentials", _dir_instead("credentials"), "file"),
    Case("symlink-loop-config", _symlink_loop, "file"),
    # -- parses, but the profile is bad -------------------------------------------------------
    Case("missing-sso-session", write(sso_profile("p").replace("sso_session = rel", "sso_session = nope")),
         "profile"),
    Case("session-without-region", write(SESSION_BLOCK.replace("sso_region = us-east-1\n", "") + sso_profile("p")),
         "profile"),
    Case("session-without-start-url", write(SESSION_BLOCK.replace(f"sso_start_url = {START_URL}\n", "")
                                            + sso_profile("p")), "profile"),
    Case("account-id-short", write(valid(sso_profile("p", account="12345"))), "profile"),
    Case("account-id-letters", write(valid(sso_profile("p", account="abcdefghijkl"))), "profile"),
    Case("account-id-13-digits", write(valid(sso_profile("p", account="1234567890123"))), "profile"),
    Case("account-id-arabic-digits", write(valid(sso_profile("p", account="\u0661" * 12))), "profile"),
    Case("sso-region-inline-comment", write(SESSION_BLOCK.replace("sso_region = us-east-1",
                                                                  "sso_region = us-east-1 # primary")
                                            + sso_profile("p")), "profile"),
    Case("sso-region-shell-injection", write(SESSION_BLOCK.replace("sso_region = us-east-1",
                                                                   f"sso_region = us-east-1;touch {M}")
                                             + sso_profile("p")), "profile"),
    Case("sso-region-path", write(SESSION_BLOCK.replace("sso_region = us-east-1", "sso_region = ../../etc")
                                  + sso_profile("p")), "profile"),
    Case("sso-region-empty", write(SESSION_BLOCK.replace("sso_region = us-east-1", "sso_region =")
                                   + sso_profile("p")), "profile"),
    Case("start-url-javascript", write(SESSION_BLOCK.replace(START_URL, "javascript:alert(1)") + sso_profile("p")),
         "profile"),
    Case("start-url-contradicts-session", write(valid(sso_profile("p", extra="sso_start_url = https://other.invalid/start\n"))),
         "profile"),
    Case("legacy-missing-region", write(f"[profile p]\nsso_start_url = {START_URL}\nsso_account_id = 111111111111\n"
                                        "sso_role_name = AdministratorAccess\n"), "profile"),
    Case("cycle-2", _cycle(["a", "b"]), "profile"),
    Case("cycle-self", _cycle(["a"]), "profile"),
    Case("cycle-3", _cycle(["a", "b", "c"]), "profile"),
    Case("chain-200-deep-to-sso", _chain(200, "sso"), "profile"),
    Case("chain-to-missing-profile", _chain(3, "missing"), "profile"),
    Case("role-arn-without-source", write("[profile p]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"), "profile"),
    Case("source-and-credential-source", write(valid(sso_profile("base"), "[profile p]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"
                                                "source_profile = base\ncredential_source = Environment\n")), "profile"),
    Case("duration-not-a-number", write(valid(sso_profile("base"), "[profile p]\nrole_arn = arn:aws:iam::111111111111:role/deploy\n"
                                          "source_profile = base\nduration_seconds = one-hour\n")), "profile"),
    Case("role-arn-garbage", write(valid(sso_profile("base"), "[profile p]\nrole_arn = not-an-arn\nsource_profile = base\n")),
         "profile"),
    Case("process-dollar-paren", _process(f"$(touch {M})"), "profile"),
    Case("process-semicolon", _process(f"; touch {M}"), "profile"),
    Case("process-backticks", _process(f"`touch {M}`"), "profile"),
    Case("process-missing-executable", _process("/nonexistent/helper --json"), "profile"),
    Case("process-prints-garbage", _process(f"{PY} -c \"print('not json')\""), "profile"),
    Case("process-unbalanced-quote", _process("helper 'unterminated"), "profile"),
    Case("process-calls-itself", _process(f"{PY} -m rolecall credential-process --profile p"), "profile"),
    Case("no-credentials-at-all", write("[profile p]\nregion = us-east-1\n"), "profile"),
    Case("profile-missing-empty-file", write(""), "profile"),
    Case("profile-missing-comments-only", write("# just a comment\n; another\n\n   \n"), "profile"),
    Case("profile-missing-dangling-symlink", _dangling, "profile"),
    Case("header-unterminated-quote", write('[profile "p]\nregion = x\n'), "profile"),
    Case("header-three-words", write("[profile p q r]\nregion = x\n"), "profile"),
    Case("role-name-continuation-line", write(valid(sso_profile("p", role="Admin\n\tExtra"))), "profile"),
    Case("role-name-ten-mb", _huge_role, "profile"),
    # -- hostile but valid: everything must work --------------------------------------------------
    Case("unicode-name", write(valid(sso_profile("профиль-✓")), profile="профиль-✓"), "ok"),
    Case("shell-metachar-name", write(valid(sso_profile("", header=f'[profile "$(touch {M})"]')), profile=f"$(touch {M})"),
         "ok"),
    Case("backtick-name", write(valid(sso_profile("", header=f'[profile "`touch {M}`"]')), profile=f"`touch {M}`"), "ok"),
    Case("quote-and-semicolon-name", write(valid(sso_profile("", header="[profile \"it's;x\"]")), profile="it's;x"), "ok"),
    Case("ansi-escape-name", write(valid(sso_profile("evil\x1b[31mred")), profile="evil\x1b[31mred"), "ok"),
    Case("rtl-override-name", write(valid(sso_profile("abc\u202edcba")), profile="abc\u202edcba"), "ok"),
    Case("quoted-name-with-space", write(valid(sso_profile("with space", header='[profile "with space"]')), profile="with space"), "ok"),
    Case("crlf-line-endings", write(valid(sso_profile("p")).replace("\n", "\r\n")), "ok"),
    Case("lone-cr-line-endings", write(valid(sso_profile("p")).replace("\n", "\r")), "ok"),
    Case("default-and-profile-default", write(valid(sso_profile("default", header="[default]"),
                                                    sso_profile("default")), profile="default"), "ok"),
    Case("ten-mb-unrelated-value", _huge_value(lambda v: f"description = {v}"), "ok"),
    Case("three-thousand-profiles", _many_profiles, "ok"),
    Case("ten-k-character-name", write(valid(sso_profile("n" * 10_000)), profile="n" * 10_000), "ok"),
    Case("nested-services-section", write(valid(sso_profile("p", extra="s3 =\n  max_concurrent_requests = 10\n"),
                                                "[services x]\nsso =\n  endpoint_url = http://127.0.0.1:9\n")), "ok"),
]
