"""The portal's account and role listing, kept for completion and for naming accounts.

`rolecall config generate` lists every account and role of an sso-session;
the listing is kept here so that TAB after `assume --account-id` / `--role-name`
offers them (and an ad-hoc role's confirmation can name its account) without
a call to AWS. A cache only: missing or unreadable means nothing to offer.
Stdlib only: completion imports it on every TAB.
"""

from __future__ import annotations

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


def remember(session: str, roles: list[tuple[str, str, str]]) -> None:
    """Replace `session`'s rows with (account id, account name, role name) triples (best effort)."""
    from rolecall import kept_rows

    rows = [row for row in kept_rows.read(FILE, 4) if row[0] != session]
    kept_rows.write(FILE, rows + [(session, *triple) for triple in roles], MAX_KEPT)


def known(session: str | None = None) -> list[Role]:
    """The kept rows (of `session` only, when given)."""
    from rolecall import kept_rows

    return [Role(*row) for row in kept_rows.read(FILE, 4) if session is None or row[0] == session]


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
