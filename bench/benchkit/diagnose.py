"""Why a hot path costs what it costs: -X importtime and cProfile, summarised for results.md."""

from __future__ import annotations

import os
import pstats
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

# Imports a hot path must not pay for (STYLE.md: config read + JSON read + print).
HEAVY = ("boto3", "botocore", "click", "configupdater", "questionary", "prompt_toolkit", "urllib3",
         "filelock", "shellingham", "pyperclip", "s3transfer", "jmespath", "dateutil", "certifi")


@dataclass
class ImportProfile:
    label: str
    total_us: int = 0  # sum of the top-level imports' cumulative times
    top: list[tuple[int, str]] = field(default_factory=list)  # (cumulative µs, top-level module)
    heaviest_self: list[tuple[int, str]] = field(default_factory=list)  # (self µs, module)
    heavy_found: list[str] = field(default_factory=list)
    modules: int = 0


def import_profile(label: str, argv: Sequence[str], env: Mapping[str, str], *, top: int = 8) -> ImportProfile:
    """Run `argv` once with PYTHONPROFILEIMPORTTIME=1 (works through console scripts and shells)."""
    proc = subprocess.run(list(argv), env=dict(env, PYTHONPROFILEIMPORTTIME="1"), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    return parse_importtime(label, proc.stderr, top=top)


def parse_importtime(label: str, stderr: str, *, top: int = 8) -> ImportProfile:
    result = ImportProfile(label)
    top_level: list[tuple[int, str]] = []
    selfs: list[tuple[int, str]] = []
    packages: set[str] = set()
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        self_us, cumulative, raw_name = int(parts[0]), int(parts[1]), parts[2]
        name = raw_name.strip()
        indent = len(raw_name) - len(raw_name.lstrip(" "))
        result.modules += 1
        selfs.append((self_us, name))
        packages.add(name.split(".")[0])
        if indent <= 1:  # "| name": one space of padding; nested imports have more
            top_level.append((cumulative, name))
    top_level.sort(reverse=True)
    selfs.sort(reverse=True)
    result.total_us = sum(c for c, _ in top_level)
    result.top = top_level[:top]
    result.heaviest_self = selfs[:5]
    result.heavy_found = sorted(p for p in packages if p in HEAVY)
    return result


def cprofile_top(python: str, module_argv: Sequence[str], env: Mapping[str, str], *, only: str = "rolecall",
                 top: int = 6) -> list[str]:
    """`python -m cProfile -o F -m …` once: `only`'s own functions by cumulative time, then every
    function (stdlib included) by self time: the first list says which step, the second what in it."""
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-prof-") as tmp:
        out = Path(tmp) / "profile.out"
        proc = subprocess.run([python, "-m", "cProfile", "-o", str(out), *module_argv], env=dict(env),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or not out.exists():
            return [f"(cProfile run failed: exit {proc.returncode})"]
        stats = pstats.Stats(str(out))
    marker = f"{os.sep}{only}{os.sep}"
    ours, anywhere = [], []
    for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = (f"{only}/{filename.split(marker, 1)[1]}" if marker in filename
                 else os.path.basename(filename) if filename != "~" else "")
        name = f"{where}:{line} {func}" if where else func
        anywhere.append((tottime, name, ncalls))
        # entry.py / __main__.py only dispatch: everything is inside them
        if marker in filename and func != "<module>" and not where.endswith(("/entry.py", "/__main__.py")):
            ours.append((cumtime, name, ncalls))
    ours.sort(reverse=True)
    anywhere.sort(reverse=True)
    lines = [f"cumulative {cum * 1000:6.1f} ms  {name}  ({calls} calls)" for cum, name, calls in ours[:top]]
    lines += [f"self       {tot * 1000:6.1f} ms  {name}  ({calls} calls)" for tot, name, calls in anywhere[:top]]
    return lines


def markdown(profile: ImportProfile) -> list[str]:
    lines = [f"- `{profile.label}`: {profile.modules} modules imported, {profile.total_us / 1000:.1f} ms in "
             f"imports (`-X importtime`, one run, noisy)"]
    heavy = ", ".join(profile.heavy_found) if profile.heavy_found else "none"
    lines.append(f"  - heavy packages imported: **{heavy}**")
    lines.append("  - top-level imports by cumulative time: " +
                 ", ".join(f"`{name}` {cum / 1000:.1f} ms" for cum, name in profile.top))
    lines.append("  - heaviest modules by self time: " +
                 ", ".join(f"`{name}` {s / 1000:.1f} ms" for s, name in profile.heaviest_self))
    return lines


# What each import costs on its own (with its dependencies), over a bare start-up: the price list the
# hot paths are built from.
PRICE_LIST = ("re", "logging", "dataclasses", "typing", "pathlib", "json", "argparse", "datetime", "hashlib",
              "subprocess", "tempfile", "shlex", "filelock", "click", "botocore.session", "rolecall.entry",
              "rolecall.errors", "rolecall.paths", "rolecall.awsconfig", "rolecall.credentials.resolver",
              "rolecall.completion", "rolecall.commands.credential_process", "rolecall.commands.assume")


def import_prices(python: str, env: Mapping[str, str], *, runs: int, modules: Sequence[str] = PRICE_LIST
                  ) -> list[str]:
    from benchkit.timing import BenchError, Command, measure

    commands = [Command("bare", [python, "-c", "pass"])]
    commands += [Command(name, [python, "-c", f"import {name}"]) for name in modules]
    try:
        found = measure(commands, env, runs=runs, warmup=2)
    except BenchError as exc:
        return [f"- (import price list not measured: {exc})"]
    # Minimums, not medians: a price list wants the cost itself, not the machine's noise on top.
    base = found["bare"].minimum
    lines = [f"Import costs on rolecall's interpreter: fastest of {runs} runs of `python -c 'import X'` minus the "
             f"fastest bare `python -c pass` ({base * 1000:.1f} ms); a module's cost includes its own imports, "
             "so the rows overlap.", "", "| import | cost |", "|---|---:|"]
    for name in modules:
        lines.append(f"| `{name}` | {(found[name].minimum - base) * 1000:+.1f} ms |")
    return lines
