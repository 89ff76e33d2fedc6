"""What the numbers were measured on: CPU, cores, OS, Python, load."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"') + f" (kernel {platform.release()})"
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}"


def python_version(python: str) -> str:
    try:
        out = subprocess.run([python, "-c", "import sys, platform; print(platform.python_implementation(),"
                              " sys.version.split()[0])"], capture_output=True, text=True, timeout=30)
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
        return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
    except OSError:
        return "n/a"


def describe(python: str) -> dict[str, str]:
    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count() or "?"),
        "OS": os_name(),
        "Python (rolecall's interpreter)": f"{python_version(python)} ({python})",
        "load average at start (1/5/15 min)": load_average(),
    }


def _first_line(argv: list[str]) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except OSError:
        return "not found"
    text = (proc.stdout or proc.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def hyperfine_version() -> str:
    return _first_line(["hyperfine", "--version"])


def bash_version() -> str:
    return _first_line(["bash", "--version"])
