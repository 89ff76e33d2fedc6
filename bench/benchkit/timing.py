"""Run commands repeatedly and keep their medians: hyperfine when present, else our own loop.

Every command is run once first, outside the timing, and must succeed (and pass an optional
check of its output): a benchmark of a command that fails measures an error path.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

Check = Callable[[subprocess.CompletedProcess], None]


class BenchError(RuntimeError):
    """A benchmark could not be run as intended (the message says what and why)."""


@dataclass(frozen=True)
class Command:
    """One thing to time: a label, an argv (never through a shell), and an optional output check."""

    label: str
    argv: Sequence[str]
    check: Check | None = None
    timeout: float = 120.0


@dataclass
class Measurement:
    label: str
    times: list[float] = field(default_factory=list)  # seconds, one per timed run
    tool: str = "hyperfine"

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.times)

    @property
    def stdev(self) -> float:
        return statistics.stdev(self.times) if len(self.times) > 1 else 0.0

    @property
    def minimum(self) -> float:
        return min(self.times)

    @property
    def runs(self) -> int:
        return len(self.times)


def describe(proc: subprocess.CompletedProcess) -> str:
    """A failed run, in a few lines (stderr tail), for error messages."""
    err = (proc.stderr or "").strip().splitlines()[-6:]
    out = (proc.stdout or "").strip().splitlines()[-3:]
    lines = [f"exit status {proc.returncode}"]
    lines += [f"  stderr: {line}" for line in err]
    if not err:
        lines += [f"  stdout: {line}" for line in out]
    return "\n".join(lines)


def run_checked(command: Command, env: Mapping[str, str], cwd: str | os.PathLike | None = None
                ) -> subprocess.CompletedProcess:
    """Run once (stdin closed, output captured); raise BenchError unless it succeeded and passed its check."""
    try:
        proc = subprocess.run(list(command.argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=command.timeout)
    except FileNotFoundError as exc:
        raise BenchError(f"{command.label}: cannot run {command.argv[0]}: {exc.strerror}") from None
    except subprocess.TimeoutExpired:
        raise BenchError(f"{command.label}: no answer within {command.timeout:.0f} s") from None
    if proc.returncode != 0:
        raise BenchError(f"{command.label}: `{shlex.join(command.argv)}` failed: {describe(proc)}")
    if command.check is not None:
        try:
            command.check(proc)
        except (AssertionError, ValueError, KeyError, TypeError) as exc:
            raise BenchError(f"{command.label}: wrong output ({exc or type(exc).__name__}): "
                             f"{(proc.stdout or '')[:200]!r}") from None
    return proc


def hyperfine_path() -> str | None:
    return shutil.which("hyperfine")


def measure(commands: Sequence[Command], env: Mapping[str, str], *, runs: int, warmup: int = 3,
            cwd: str | os.PathLike | None = None, use_hyperfine: bool = True) -> dict[str, Measurement]:
    """Median wall time of each command; all checked first, then timed in one hyperfine call."""
    for command in commands:
        run_checked(command, env, cwd)
    exe = hyperfine_path() if use_hyperfine else None
    if exe is None:
        return {c.label: _own_loop(c, env, runs=runs, warmup=warmup, cwd=cwd) for c in commands}
    return _hyperfine(exe, commands, env, runs=runs, warmup=warmup, cwd=cwd)


def _hyperfine(exe: str, commands: Sequence[Command], env: Mapping[str, str], *, runs: int, warmup: int,
               cwd) -> dict[str, Measurement]:
    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp:
        export = Path(tmp) / "hyperfine.json"
        # -N: no intermediate shell, so nothing needs subtracting and the argv is exactly ours.
        argv = [exe, "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
                "--export-json", str(export)]
        for command in commands:
            argv += ["--command-name", command.label, shlex.join(command.argv)]
        proc = subprocess.run(argv, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise BenchError(f"hyperfine failed: {describe(proc)}")
        data = json.loads(export.read_text())
    # --command-name makes hyperfine report our label as "command": match on it, not on order.
    by_name = {result["command"]: result for result in data["results"]}
    missing = [c.label for c in commands if c.label not in by_name]
    if missing:
        raise BenchError(f"hyperfine reported no result for {', '.join(missing)}")
    return {c.label: Measurement(c.label, [float(t) for t in by_name[c.label]["times"]], tool="hyperfine")
            for c in commands}


def _own_loop(command: Command, env: Mapping[str, str], *, runs: int, warmup: int, cwd) -> Measurement:
    """The fallback without hyperfine: fork+exec+wait timed with a monotonic clock."""
    argv = list(command.argv)
    for _ in range(warmup):
        subprocess.run(argv, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return Measurement(command.label, times, tool="own loop")


def wall(argv: Sequence[str], env: Mapping[str, str], *, timeout: float, cwd=None
         ) -> tuple[float, subprocess.CompletedProcess]:
    """One timed run (for the long ones: config generate, populate). Raises subprocess.TimeoutExpired."""
    start = time.perf_counter()
    proc = subprocess.run(list(argv), env=dict(env), cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    return time.perf_counter() - start, proc
