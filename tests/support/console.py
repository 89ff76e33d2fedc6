"""Helpers for the console tests: a recording browser, sandbox credentials in the shapes rolecall takes."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rolecall.console import SessionCredentials

ACCOUNT = "111111111111"

ROLE = "AdministratorAccess"

CHAIN_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deploy"

def query_of(url: str) -> dict[str, str]:
    """The query of `url` as a dict; fails on a repeated parameter."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    for key, values in parsed.items():
        assert len(values) == 1, f"{key} repeated in the URL"
    return {k: v[0] for k, v in parsed.items()}

def creds_env(creds: SessionCredentials) -> dict[str, str]:
    env = {"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key}
    if creds.session_token:
        env["AWS_SESSION_TOKEN"] = creds.session_token
    return env

def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path

class Recorder:
    """An executable that appends its argv (after argv[0]) as one JSON line to a log file."""

    def __init__(self, directory: Path, name: str = "record-browser", exit_code: int = 0,
                 stdout_noise: bool = True) -> None:
        self.log = directory / f"{name}.log"
        self.path = _script(directory / name, (
            "import json, sys\n"
            f"with open({str(self.log)!r}, 'a', encoding='utf-8') as f:\n"
            "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
            # A browser that chatters on stdout must not reach rolecall's stdout.
            + ("print('browser noise on stdout')\n" if stdout_noise else "")
            + (f"sys.stderr.write('cannot open display\\n')\nsys.exit({exit_code})\n" if exit_code else "")
        ))

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]

def path_with(bindir: Path) -> str:
    return f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"
