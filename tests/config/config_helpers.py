"""Checks shared by the config-editor tests: botocore's reading of a file, and
a line diff that proves an edit touched only the section it meant to."""

from __future__ import annotations

import difflib
import re

from rolecall.configedit.document import section_kind
from tests.support import sandboxes

_HEADER = re.compile(r"\s*\[(.+)\]")


def botocore_view(path) -> dict:
    """What botocore itself reads from `path` (profiles, sso_sessions, services)."""
    from botocore.configloader import load_config

    return load_config(str(path))


def _owners(lines: list[str]) -> list[tuple[str, str] | None]:
    owner = None
    out = []
    for line in lines:
        match = _HEADER.match(line)
        if match and not line.lstrip().startswith(("#", ";")):
            owner = section_kind(match.group(1)) or ("other", match.group(1))
        out.append(owner)
    return out


def changed_owners(before: str, after: str) -> set:
    """Sections owning every changed line (old side and new side).

    Blank lines are allowed anywhere (separators around appended sections),
    and so is the old last line gaining a line ending when text is appended
    after it; every other changed line, line ending included, is reported.
    """
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    old_owner, new_owner = _owners(old), _owners(new)
    found: set = set()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for i in range(i1, i2):
            if old[i].strip() == "":
                continue
            if i == len(old) - 1 and not old[i].endswith("\n") and any(
                new[j].rstrip("\r\n") == old[i] for j in range(j1, j2)
            ):
                continue
            found.add(old_owner[i])
        for j in range(j1, j2):
            if new[j].strip() == "":
                continue
            if i2 == len(old) and old and not old[-1].endswith("\n") and new[j].rstrip("\r\n") == old[-1]:
                continue
            found.add(new_owner[j])
    return found


SESSION_CONFIG = """\
[default]
region = us-east-1

[sso-session corp]
sso_start_url = {start_url}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def start_sandbox(monkeypatch, **kwargs):
    """An auto-approve sandbox with its endpoints and the fake browser in the environment."""
    return sandboxes.start_sandbox(monkeypatch, browser=True, auto_approve=True, **kwargs)


def login(rolecall, session: str = "corp") -> None:
    """A real PKCE login through the fake browser, as a user would run it."""
    done = rolecall("login", "--sso-session", session)
    assert done.returncode == 0, done.stderr
