"""`rolecall doctor`: find what is wrong, and print the fix for each problem."""

from __future__ import annotations

import json
import sys

import click

from rolecall import doctor

_MARK = {doctor.OK: "ok  ", doctor.WARN: "warn", doctor.FAIL: "FAIL"}


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--offline", is_flag=True, help="Skip the checks that need the network (clock skew).")
def cmd(as_json: bool, offline: bool) -> int:
    """Check config, tokens, clock, shell integration, completion and caches.

    Exits 0 only when every check is ok.
    """
    findings = doctor.run_checks(network=not offline)
    if as_json:
        sys.stdout.write(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False) + "\n")
    else:
        from rolecall.term import paint

        for f in findings:
            sys.stdout.write(f"[{paint(_MARK[f.status], f.status, sys.stdout)}] {f.check}: {f.detail}\n")
            if f.fix and f.status != doctor.OK:
                sys.stdout.write(f"         fix: {f.fix}\n")
    return 0 if doctor.all_well(findings) else 1
