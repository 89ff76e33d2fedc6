#!/usr/bin/env python3
"""Time `assume <TAB>` on a 5,000-profile config against bare `python3 -c pass`.

Not a test (no timed assertions in the suite): run it by hand and read the
medians. Everything happens in a temporary HOME.

    python tests/completion/bench_complete.py [--runs 30]

Rows: the interpreter alone; `rolecall __complete bash …` exactly as the bash
function calls it (warm cache); the whole bash completion function call
(`__rolecall_complete_bash` inside one bash, which forks the same process);
and the cold run (cache removed before each run).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.completion.helpers import COMPLETIONS, config_text, many_names  # noqa: E402


def rolecall_command() -> list[str]:
    script = Path(sys.executable).parent / "rolecall"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rolecall"]


def once_ms(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


BASH_FUNCTION = f"""
source {shlex.quote(str(COMPLETIONS / 'rolecall.bash'))}
COMP_LINE='assume '; COMP_POINT=7; COMP_WORDS=(assume ''); COMP_CWORD=1
t0=$EPOCHREALTIME
__rolecall_complete_bash assume '' assume
t1=$EPOCHREALTIME
echo "$t0 $t1 ${{#COMPREPLY[@]}}"
"""


def bash_function_ms(env: dict) -> float:
    """The completion function alone, timed inside bash (EPOCHREALTIME); it calls `command rolecall` from PATH."""
    out = subprocess.run(["bash", "--noprofile", "--norc", "-c", BASH_FUNCTION], env=env,
                         capture_output=True, text=True, check=True).stdout
    t0, t1, count = out.split()
    assert int(count) == 5001, count
    return (float(t1) - float(t0)) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rolecall-bench-"))
    try:
        home = tmp / "home"
        (home / ".aws").mkdir(parents=True)
        (home / ".aws" / "config").write_text(config_text(many_names()), encoding="utf-8")
        bindir = tmp / "bin"
        bindir.mkdir()
        command = rolecall_command()
        if len(command) == 1:
            (bindir / "rolecall").symlink_to(command[0])
        env = dict(os.environ, HOME=str(home), AWS_CONFIG_FILE=str(home / ".aws" / "config"),
                   AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
                   XDG_CACHE_HOME=str(home / ".cache"), PATH=f"{bindir}:{os.environ['PATH']}")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users run: with .pyc files
        python = os.path.realpath(sys.executable)
        complete = [*command, "__complete", "bash", "--", "", "assume "]
        subprocess.run(complete, env=env, stdout=subprocess.DEVNULL, check=True)  # warm the cache
        cache = home / ".cache" / "rolecall" / "profile-names.json"
        assert cache.exists()

        samples: dict[str, list[float]] = {"base": [], "warm": [], "function": [], "cold": []}
        for _ in range(args.runs):  # round-robin: machine load hits every row alike
            samples["base"].append(once_ms([python, "-c", "pass"], env))
            samples["warm"].append(once_ms(complete, env))
            samples["function"].append(bash_function_ms(env))
            cache.unlink(missing_ok=True)
            samples["cold"].append(once_ms(complete, env))
        base, warm, function, cold = (statistics.median(samples[k]) for k in ("base", "warm", "function", "cold"))
        print(f"runs per row: {args.runs} (median), 5,000 profiles, python {sys.version.split()[0]}")
        print(f"{'python3 -c pass':48s} {base:7.1f} ms  1.00x")
        print(f"{'rolecall __complete (warm cache)':48s} {warm:7.1f} ms  {warm / base:.2f}x")
        print(f"{'bash __rolecall_complete_bash (warm cache)':48s} {function:7.1f} ms  {function / base:.2f}x")
        print(f"{'rolecall __complete (cold: cache removed)':48s} {cold:7.1f} ms  {cold / base:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
