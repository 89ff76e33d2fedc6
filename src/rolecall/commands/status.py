"""`rolecall status`: SSO tokens and cached role credentials (never a secret)."""

from __future__ import annotations

import json
import sys

import click

from rolecall import awsconfig
from rolecall.term import printable


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--profile", "-p", "profile", metavar="PROFILE", help="Only this profile's sso-session.")
@click.option("--sso-session", "session", metavar="NAME", help="Only this sso-session.")
@click.option("--check", is_flag=True,
              help="Refresh the shown tokens if near expiry; exit 4 (with the login command) if one needs a login.")
def cmd(as_json: bool, profile: str | None, session: str | None, check: bool) -> int:
    """Show each sso-session's token (valid, refreshable, expired, absent) and cached role credentials."""
    from rolecall.sso import status
    from rolecall.sso.target import all_targets, select_targets

    config = awsconfig.load().require_files()
    if profile or session:
        targets = select_targets(config, profile=profile, session=session)
    else:
        targets = all_targets(config)
    if check:
        from rolecall.sso.tokens import access_token

        for target in targets:
            access_token(target)  # refreshes when needed; raises LoginRequired (exit 4)
    tokens = status.token_rows(targets)
    creds = status.credential_rows(config)
    if as_json:
        sys.stdout.write(json.dumps({"tokens": tokens, "role_credentials": creds}, indent=2,
                                    ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(render(tokens, creds))
    return 0


def _left(row: dict) -> str | None:
    """`in 6h 12m` / `expired 3m ago` beside an expiry."""
    from rolecall.session import time_left_text

    if row.get("expires_at") is None:
        return None
    return time_left_text(0, -float(row["seconds_left"] or 0)) if row["seconds_left"] is not None else None


def render(tokens: list[dict], creds: list[dict]) -> str:
    out = []
    if tokens:
        out.append(_table(
            ["SSO SESSION", "START URL", "REGION", "TOKEN", "EXPIRES (UTC)", "LEFT", "REFRESHABLE"],
            [[t["sso_session"] or f"(profile {t['profile']})", t["start_url"], t["region"], t["state"],
              t["expires_at"], _left(t) if t["state"] == "valid" else "expired" if t["expires_at"] else None,
              "yes" if t["refreshable"] else "no"] for t in tokens]))
    else:
        out.append("no sso-session or SSO profile configured")
    if creds:
        out.append(_table(
            ["PROFILE", "ACCOUNT", "ROLE", "PROVIDER", "EXPIRES (UTC)", "LEFT", "STATE"],
            [[c["profile"], c["account_id"], c["role"], c["provider"], c["expires_at"], _left(c), c["state"]]
             for c in creds]))
    else:
        out.append("no cached role credentials")
    return "\n\n".join(out) + "\n"


def _table(headers: list[str], rows: list[list[object]]) -> str:
    table = [headers] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    left = headers.index("LEFT") if "LEFT" in headers else -1
    return "\n".join("  ".join(_coloured(c.ljust(widths[i]), i == left and n > 0) for i, c in enumerate(line)).rstrip()
                     for n, line in enumerate(table))


def _coloured(cell: str, is_left: bool) -> str:
    """The LEFT column: green with an hour or more left, yellow below, red once expired."""
    if not is_left or not cell.strip() or cell.strip() == "-":
        return cell
    from rolecall.term import paint

    text = cell.strip()
    style = "bad" if text.startswith("expired") else "soon" if "h" not in text else "good"
    return paint(text, style, sys.stdout) + cell[len(text):]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    return printable(value)
