"""The portal's account and role listing, kept for completion and for naming accounts.

`rolecall config generate` lists every account and role of an sso-session;
the listing is kept here so that TAB after `assume --account-id` / `--role-name`
offers them (and an ad-hoc role's confirmation can name its account) without
a call to AWS. A cache only: missing or unreadable means nothing to offer.
Stdlib only: completion imports it on every TAB.
"""

from __future__ import annotations

import os

FILE = "portal-roles"  # in rolecall's state dir: `session<TAB>account id<TAB>account name<TAB>role` lines
MAX_KEPT = 20000


class Role:
    """One row: a role the portal offers in an account (a plain class: cheap on the TAB path)."""

    __slots__ = ("session", "account_id", "account_name", "role_name")

    def __init__(self, session: str, account_id: str, account_name: str, role_name: str) -> None:
        self.session = session
        self.account_id = account_id
        self.account_name = account_name
        self.role_name = role_name


def _path() -> str:
    from rolecall import hot

    return os.path.join(hot.state_dir(), FILE)


def remember(session: str, roles: list[tuple[str, str, str]]) -> None:
    """Replace `session`'s rows with (account id, account name, role name) triples (best effort)."""
    from pathlib import Path

    from rolecall import fileio, hot

    if hot.dir_problem(hot.state_dir()) is not None:
        return
    rows = [row for row in known() if row.session != session]
    rows += [Role(session, *triple) for triple in roles]
    fields = [(r.session, r.account_id, r.account_name, r.role_name) for r in rows[-MAX_KEPT:]]
    text = "".join("\t".join(row) + "\n" for row in fields
                   if not any(ch in "".join(row) for ch in "\t\r\n"))
    try:
        fileio.atomic_write(Path(_path()), text)
    except OSError:
        pass


def known(session: str | None = None) -> list[Role]:
    """The kept rows (of `session` only, when given)."""
    from rolecall import hot

    try:
        data = hot.read_regular(_path(), 4 << 20, private=True)
    except OSError:
        return []
    rows = []
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and (session is None or parts[0] == session):
            rows.append(Role(*parts))
    return rows


def account_ids(session: str | None = None) -> list[tuple[str, str | None]]:
    """(account id, account name) pairs, each account once."""
    found: dict[str, str | None] = {}
    for row in known(session):
        found.setdefault(row.account_id, row.account_name or None)
    return list(found.items())


def role_names(session: str | None = None, account_id: str | None = None) -> list[str]:
    """Role names (of one account, when given), each once."""
    return list(dict.fromkeys(row.role_name for row in known(session)
                              if account_id is None or row.account_id == account_id))


def account_name(account_id: str, session: str | None = None) -> str | None:
    return next((row.account_name or None for row in known(session) if row.account_id == account_id), None)
