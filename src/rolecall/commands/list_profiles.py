"""`rolecall list`: the profiles as a table, JSON, or bare names."""

from __future__ import annotations

import json
import sys

import click

from rolecall import awsconfig
from rolecall.term import printable


def profile_rows(config: awsconfig.AwsConfig, needle: str | None) -> list[dict]:
    rows = []
    for name in sorted(config.profiles):
        if needle and needle.lower() not in name.lower():
            continue
        p = config.profiles[name]
        account = p.account_id
        role = p.role_name or p.role_arn
        if p.kind == awsconfig.KIND_ROLE_CHAIN and p.role_arn:
            parts = p.role_arn.split(":")
            account = parts[4] if len(parts) > 4 else None
        rows.append({
            "name": name,
            "kind": p.kind,
            "account_id": account,
            "role": role,
            "region": p.region,
            "sso_session": p.sso_session,
            "sso_start_url": p.start_url if p.is_sso else None,
            "source_profile": p.source_profile,
        })
    return rows


def render_table(rows: list[dict]) -> str:
    headers = ["PROFILE", "KIND", "ACCOUNT", "ROLE", "REGION", "SESSION"]
    keys = ["name", "kind", "account_id", "role", "region", "sso_session"]
    table = [headers] + [[_cell(row[k]) for k in keys] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(headers))]
    out = []
    for line in table:
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    return "\n".join(out)


def _cell(value: object) -> str:
    if value is None:
        return "-"
    # Profile names may hold control characters; never let them reach the terminal raw.
    return printable(value)


@click.command("list")
@click.argument("filter", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--names", is_flag=True, help="One profile name a line (for scripts).")
def cmd(filter: str | None, as_json: bool, names: bool) -> int:
    """List profiles, optionally only those whose name contains FILTER."""
    config = awsconfig.load().require_files()
    rows = profile_rows(config, filter)
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    elif names:
        for row in rows:
            sys.stdout.write(row["name"] + "\n")
    elif not rows:
        click.echo(f"no profiles in {config.config_path}" + (f" matching {filter!r}" if filter else ""), err=True)
    else:
        sys.stdout.write(render_table(rows) + "\n")
    return 0
