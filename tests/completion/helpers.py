"""Shared pieces of the completion tests: odd profile names, configs, a tmux driver."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMPLETIONS = REPO / "completions"

# Names that break naive completion: spaces, both quotes, command substitution,
# globs, history `!`, `$`, backslash, unicode, a leading dash, COMP_WORDBREAKS chars.
ODD_NAMES = [
    "my profile",
    "it's prod",
    'quote"d',
    "$(touch pwned)",
    "`touch pwned2`",
    "ünïcødé",
    "-leading-dash",
    "a:b=c",
    "star* [x]",
    "semi;colon&amp",
    "back\\slash",
    "bang!x",
    "dollar$HOME",
    "~tilde",
    "#hash",
    "brace{a,b}",
    "mixed 'q' \"d\"",
]
CREDENTIALS_ONLY = ["cred only", "profile literal"]  # credentials sections are names as-is
SESSIONS = ["corp", "my session"]


def config_text(names: list[str], sessions: list[str] = SESSIONS) -> str:
    lines = ["[default]", "region = us-east-1", ""]
    for name in names:
        lines += [f"[profile {shlex.quote(name)}]", "region = eu-west-1", ""]
    for session in sessions:
        lines += [f"[sso-session {shlex.quote(session)}]",
                  "sso_start_url = https://example.invalid/start", "sso_region = us-east-1", ""]
    return "\n".join(lines)


def credentials_text(names: list[str] = CREDENTIALS_ONLY) -> str:
    return "".join(f"[{name}]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n" for name in names)


def many_names(count: int = 5000) -> list[str]:
    return [f"p{i:04d}" for i in range(count)]


def shortest_unique_prefix(name: str, names: list[str]) -> str:
    for end in range(1, len(name) + 1):
        prefix = name[:end]
        if [n for n in names if n.startswith(prefix)] == [name]:
            return prefix
    raise AssertionError(f"{name!r} is a prefix of another name")


def bin_dir(tmp_path: Path) -> Path:
    """A directory whose `rolecall` runs this checkout with the test interpreter."""
    directory = tmp_path / "bin"
    directory.mkdir(exist_ok=True)
    target = directory / "rolecall"
    script = Path(sys.executable).parent / "rolecall"
    if not target.exists():
        if script.is_file():
            target.symlink_to(script)
        else:
            target.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m rolecall \"$@\"\n")
            target.chmod(0o755)
    return directory


def shell_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir(tmp_path)}{os.pathsep}{env.get('PATH', '')}"
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    env.pop("PROMPT_COMMAND", None)
    return env


class Tmux:
    """One interactive shell in a private tmux server: type keys, read results."""

    def __init__(self, tmp_path: Path, env: dict[str, str], argv: list[str]) -> None:
        self.tmux = shutil.which("tmux")
        self.socket = str(tmp_path / "tmux.sock")
        self.env = env
        self.tmp_path = tmp_path
        self._run("-f", "/dev/null", "new-session", "-d", "-x", "220", "-y", "50", "-c", str(tmp_path),
                  " ".join(shlex.quote(a) for a in argv))

    def _run(self, *args: str) -> str:
        result = subprocess.run([self.tmux, "-S", self.socket, *args], env=self.env,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "0", "-l", text)

    def keys(self, *names: str) -> None:
        self._run("send-keys", "-t", "0", *names)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "0")

    def wait_for_file(self, path: Path, timeout: float = 30.0) -> bytes:
        """Poll (no timing assertion: the deadline only bounds a hang)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists():
                return path.read_bytes()
            time.sleep(0.02)
        raise AssertionError(f"{path.name} never appeared; screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-S", self.socket, "kill-server"], env=self.env,
                       capture_output=True, timeout=30)


def run_in_tmux(tmux: Tmux, out: Path, typed: str) -> list[str]:
    """Type `typed`, TAB, Enter; the test's `assume`/`rolecall` function writes its argv (NUL-separated) to `out`."""
    if out.exists():
        out.unlink()
    tmux.type(typed)
    tmux.keys("Tab")
    tmux.keys("Enter")
    data = tmux.wait_for_file(out)
    return data.decode("utf-8").split("\0")[:-1]


# Typing a prefix in each quoting style, written independently of completion.py.
def type_bare(prefix: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_./" else "\\" + ch for ch in prefix)


def type_single(prefix: str) -> str:
    return "'" + prefix.replace("'", "'\\''")


def type_double(prefix: str) -> str:
    return '"' + "".join("\\" + ch if ch in '"\\$`' else ch for ch in prefix)


# Longer prefixes with quoting inside the word (POSIX shells: bash, zsh).
POSIX_TYPED = [
    ("it\\'s\\ p", "it's prod"),
    ("'it'\\''s p", "it's prod"),
    ("\"it's p", "it's prod"),
    ("mixed\\ \\'q", "mixed 'q' \"d\""),
    ("'mixed '\"'\"'q'\"' \\\"d", "mixed 'q' \"d\""),
    ("semi\\;co", "semi;colon&amp"),
    ("a:b", "a:b=c"),
    ("a:b=", "a:b=c"),
    ("star\\*\\ \\[", "star* [x]"),
    ("\"\\$(touch", "$(touch pwned)"),
    ("back\\\\s", "back\\slash"),
    ("ün", "ünïcødé"),
]
# The same for fish (backslash escapes; `\'` inside single quotes).
FISH_TYPED = [
    ("it\\'s\\ p", "it's prod"),
    ("'it\\'s p", "it's prod"),
    ("\"it's p", "it's prod"),
    ("semi\\;co", "semi;colon&amp"),
    ("a:b", "a:b=c"),
    ("star\\*\\ \\[", "star* [x]"),
    ("'$(tou", "$(touch pwned)"),
    ("\"\\$(touch", "$(touch pwned)"),
    ("back\\\\s", "back\\slash"),
    ("ün", "ünïcødé"),
]
