"""A pre-warmed rolecall that forks one child per command: real processes at ~20 ms each.

The hostile-input matrix runs hundreds of commands; `python -m rolecall` costs
150-400 ms a start on this machine. This driver imports rolecall, click and
botocore once, then for each job forks a child that sets the job's environment,
points fds 0/1/2 at /dev/null and two files, and runs `rolecall.entry.main(argv)`
exactly as `python -m rolecall` does, exiting with its status. Each child is a
fresh copy of the warmed process, so no state leaks between jobs; an exception
escaping main prints a traceback and exits 1, as the interpreter would.
`test_zygote_matches_real_processes` checks the results against real processes.

Protocol (stdin/stdout, one JSON document a line): a batch
`[{"argv": [...], "env": {...}, "cwd": "...", "timeout": 8, "kill_after": 0.02 | null}, ...]` →
`[{"exit": int | null, "stdout": str, "stderr": str, "timed_out": bool, "killed": bool}, ...]`
(`kill_after`: SIGKILL the child that many seconds after the fork; `killed` says it died of it).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback

PARALLEL = 3


def _warm() -> None:
    from importlib import import_module

    import botocore.session  # noqa: F401
    import rolecall.entry  # noqa: F401
    from rolecall import cli

    for module, _ in cli.COMMANDS.values():
        try:
            import_module(module)
        except ImportError:
            pass
    import_module("rolecall.completion")
    import_module("rolecall.credentials.resolver")


def _child(job: dict, out_path: str, err_path: str) -> None:
    try:
        os.chdir(job.get("cwd") or "/")
        os.environ.clear()
        os.environ.update(job["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, out_path), (2, err_path)):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(handle, fd)
            os.close(handle)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
        import rolecall

        sys.argv = [os.path.join(os.path.dirname(rolecall.__file__), "__main__.py"), *job["argv"]]
        # botocore computes these from HOME at import time; the job's HOME is another.
        import botocore.credentials
        import botocore.tokens

        cache = os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")
        botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = cache
        botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = cache
        from rolecall.entry import main

        try:
            code = main(list(job["argv"]))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # what the interpreter would print for an escaped exception
            traceback.print_exc()
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code if isinstance(code, int) else 0)
    except BaseException:
        try:
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(99)


def _run_batch(jobs: list[dict], workdir: str) -> list[dict]:
    results: list[dict | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    running: dict[int, tuple] = {}
    started: dict[int, float] = {}
    while pending or running:
        while pending and len(running) < PARALLEL:
            index = pending.pop(0)
            out_path = os.path.join(workdir, f"{index}.out")
            err_path = os.path.join(workdir, f"{index}.err")
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(jobs[index], out_path, err_path)
            now = time.monotonic()
            deadline = now + float(jobs[index].get("timeout", 20))
            kill_at = now + float(jobs[index]["kill_after"]) if jobs[index].get("kill_after") is not None else None
            running[pid] = (index, deadline, out_path, err_path, kill_at)
            started[pid] = now
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for cpid, (index, deadline, _, _, kill_at) in list(running.items()):
                if kill_at is not None and now >= kill_at and results[index] is None:
                    os.kill(cpid, signal.SIGKILL)  # the crash-safety tests' kill -9
                    results[index] = {"killed": True}
                elif now > deadline and results[index] is None:
                    os.kill(cpid, signal.SIGKILL)
                    results[index] = {"timed_out": True}
            time.sleep(0.0005 if any(r[4] is not None for r in running.values()) else 0.003)
            continue
        index, _, out_path, err_path, _ = running.pop(pid)
        timed_out = bool(results[index] and results[index].get("timed_out"))
        with open(out_path, "rb") as handle:
            out = handle.read().decode("utf-8", "backslashreplace")
        with open(err_path, "rb") as handle:
            err = handle.read().decode("utf-8", "backslashreplace")
        code = os.waitstatus_to_exitcode(status)
        killed = bool(results[index] and results[index].get("killed"))
        results[index] = {"exit": None if timed_out else code, "stdout": out, "stderr": err,
                          "timed_out": timed_out, "killed": killed and code == -signal.SIGKILL,
                          "seconds": time.monotonic() - started.pop(pid)}
    return results  # type: ignore[return-value]


def main() -> None:
    _warm()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = open(os.devnull, "w")  # nothing but the protocol reaches the pipe
    protocol.write("ready\n")
    protocol.flush()
    with tempfile.TemporaryDirectory(prefix="rolecall-zygote-") as workdir:
        for line in sys.stdin:
            jobs = json.loads(line)
            protocol.write(json.dumps(_run_batch(jobs, workdir)) + "\n")
            protocol.flush()


if __name__ == "__main__":
    main()
