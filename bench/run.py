#!/usr/bin/env python3
"""`make bench`: how fast rolecall's hot paths are, against bare Python and its peers.

    python bench/run.py [--quick] [--sections 1,2,3,4,5] [--runs N] [--strict]

Creates what it needs under bench/.work/ (git-ignored): rolecall installed as a wheel
in its own venv, aws-sso-util + awsume in a peers venv (PyPI, once), the AWS CLI v2
from Debian's `awscli` when it can be installed, isolated HOMEs, local sandboxes.
Prints a table and writes bench/results.md. Exit status: 0 when every section ran
(targets may still FAIL: they are results), 1 when a section could not be measured,
and with --strict also 1 when a target failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CHECKOUT = BENCH.parent
sys.path.insert(0, str(BENCH))
try:
    import rolecall  # noqa: F401  (the sandbox and its org fixtures come from the checkout)
except ImportError:
    sys.path.insert(1, str(CHECKOUT / "src"))

from benchkit import diagnose, machine, peers, report  # noqa: E402
from benchkit.install import install_wheel_venv  # noqa: E402
from benchkit.results import Section  # noqa: E402
from benchkit.scenarios import SECTIONS, Context  # noqa: E402
from benchkit.timing import BenchError, hyperfine_path  # noqa: E402
from benchkit.world import rolecall_python  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="fewer runs, smaller orgs (1,000-account target not evaluated), short populate timeout")
    p.add_argument("--sections", default="1,2,3,4,5,6,7", help="comma-separated subset of 1-7 (default: all)")
    p.add_argument("--runs", type=int, help="timed runs per command (default 30, --quick 10)")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs first (default 3)")
    p.add_argument("--rolecall", choices=("wheel", "path"), default="wheel",
                   help="wheel: install the checkout into bench/.work/rolecall-venv (what users get; default); "
                        "path: the rolecall found on PATH as it is")
    p.add_argument("--no-editable-rows", action="store_true",
                   help="skip the informational rows for make's editable .venv")
    p.add_argument("--populate-timeout", type=float, help="seconds for aws-sso-util configure populate "
                                                          "(default 300, --quick 120)")
    p.add_argument("--offline", action="store_true", help="install nothing; use the peers already present")
    p.add_argument("--output", type=Path, default=BENCH / "results.md", help="default: bench/results.md")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target FAILs")
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def find_rolecall(args: argparse.Namespace, work: Path) -> str:
    if args.rolecall == "path":
        exe = shutil.which("rolecall")
        if exe is None:
            raise BenchError("no `rolecall` on PATH (run through `make bench`, or use --rolecall wheel)")
        return exe
    if args.offline and (work / "rolecall-venv" / "bin" / "rolecall").exists():
        return str(work / "rolecall-venv" / "bin" / "rolecall")
    return install_wheel_venv(CHECKOUT, work / "rolecall-venv", work)


def editable_rolecall(main_exe: str) -> tuple[str, str] | None:
    """make's .venv rolecall (editable), when it is not the one measured."""
    exe = CHECKOUT / ".venv" / "bin" / "rolecall"
    if exe.exists() and os.path.realpath(exe) != os.path.realpath(main_exe):
        return str(exe), rolecall_python(str(exe))
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    work = BENCH / ".work"
    work.mkdir(exist_ok=True)
    notes: list[str] = []
    peers.ensure_hyperfine(install=not args.offline)
    if hyperfine_path() is None:
        notes.append("hyperfine not found: timings come from the script's own loop (fork+exec+wait).")

    try:
        rolecall_exe = find_rolecall(args, work)
    except BenchError as exc:
        log(str(exc))
        return 1
    python = rolecall_python(rolecall_exe)
    log(f"rolecall: {rolecall_exe} (interpreter {python})")

    found_peers = peers.ensure_peers_venv(work / "peers-venv", offline=args.offline)
    aws, aws_seen = peers.find_aws_cli_v2(install=not args.offline)
    found_peers["aws"] = aws

    ctx = Context(
        work=work, rolecall=rolecall_exe, python=python, peers=found_peers,
        runs=args.runs or (10 if args.quick else 30), warmup=args.warmup, quick=args.quick,
        populate_timeout=args.populate_timeout or (120.0 if args.quick else 300.0),
        generate_accounts=200 if args.quick else 1000, compare_accounts=50 if args.quick else 200,
        editable=None if args.no_editable_rows else editable_rolecall(rolecall_exe),
    )
    machine_info = machine.describe(python)
    tools = {
        "rolecall": f"{rolecall_version(rolecall_exe)} ({rolecall_exe}; "
                    + ("regular install of this checkout" if args.rolecall == "wheel" else "as found on PATH") + ")",
        "hyperfine": machine.hyperfine_version(),
        "bash": machine.bash_version(),
    }
    for name in ("aws-sso-util", "awsume"):
        peer = found_peers[name]
        tools[name] = f"{peer.version} ({peer.path})" if peer.available else peer.version

    tools["AWS CLI (used)"] = f"{aws.version} ({aws.path})" if aws.available else aws.version
    if aws_seen:
        tools["AWS CLIs found"] = "; ".join(aws_seen)
    settings = {"timed runs per command": str(ctx.runs), "warm-up runs": str(ctx.warmup),
                "quick": "yes" if args.quick else "no", "sections": ",".join(args.sections)}

    sections: list[Section] = []
    try:
        for key in sorted(args.sections):
            fn = SECTIONS[key]
            log(f"section {key} …")
            t0 = time.perf_counter()
            try:
                sec = fn(ctx)
            except BenchError as exc:
                sec = Section(key, fn.__name__.replace("_", " "), error=str(exc))
            except Exception as exc:  # a bug in the bench, or in what it measures: report, go on
                sec = Section(key, fn.__name__.replace("_", " "),
                              error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}")
            sec.seconds = time.perf_counter() - t0
            sections.append(sec)
            log(f"section {key} done in {sec.seconds:.0f} s" + (f": ERROR {sec.error.splitlines()[0]}"
                                                                  if sec.error else ""))
        if any(k in args.sections for k in ("1", "2", "3")):
            log("import price list …")
            ctx.diagnostics += [""] + diagnose.import_prices(python, ctx.world("prices").env(),
                                                             runs=max(10, ctx.runs // 2))
    finally:
        ctx.close()

    print(report.table(sections))
    text = report.markdown(sections, machine=machine_info, tools=tools, settings=settings,
                           diagnostics=ctx.diagnostics, notes=notes, load_end=machine.load_average(),
                           total_seconds=time.perf_counter() - started)
    report.write(args.output, text)
    log(f"wrote {args.output}")
    if any(sec.error for sec in sections):
        return 1
    if args.strict and any(t.ok is not True for sec in sections for t in sec.targets):
        return 1
    return 0


def rolecall_version(exe: str) -> str:
    import subprocess

    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else "unknown"


if __name__ == "__main__":
    sys.exit(main())
