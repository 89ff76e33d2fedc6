"""Consoles side by side: each AWS profile in its own browser profile, shown with a real headless Chromium.

`rolecall browser set chromium --path WRAPPER`: the wrapper records the argv
rolecall launched, then runs the real Chromium headless on that very
user-data-dir and URL (dumping the page it lands on). The sandbox's federation
endpoint signs the browser in with a cookie, one session per browser profile,
as the AWS console does; its /console page shows who that browser profile is
signed in as.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.cli import run_rolecall
from tests.support.shells import init_output
from tests.support.sso import BASE_CONFIG, cli_login
from tests.support.tools import require_tool

HEADLESS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")


def chromium_wrapper(bindir: Path) -> Path:
    """A `chromium` that runs the real one headless on the user-data-dir and URL it was given."""
    import sys

    chromium = require_tool("chromium")
    path = bindir / "chromium-headless"
    path.write_text(f"""#!{sys.executable}
import json, os, subprocess, sys
args = sys.argv[1:]
data_dir = next(a.split("=", 1)[1] for a in args if a.startswith("--user-data-dir="))
with open(os.path.join(data_dir, "argv.json"), "w") as f:
    json.dump(args, f)
with open(os.path.join(data_dir, "page.tmp"), "w") as out:
    subprocess.run([{chromium!r}, *{HEADLESS!r}, "--user-data-dir=" + data_dir, "--dump-dom", args[-1]],
                   stdout=out, stderr=subprocess.DEVNULL, timeout=60)
os.replace(os.path.join(data_dir, "page.tmp"), os.path.join(data_dir, "page.html"))
""")
    path.chmod(0o755)
    return path


def wait_for_page(directory: Path, timeout: float = 60) -> str:
    page = directory / "page.html"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.exists():
            return page.read_text()
        time.sleep(0.2)
    raise AssertionError(f"chromium never wrote {page}")


def signed_in_as(sandbox, directory: Path) -> str:
    """What the sandbox's console page says this browser profile is signed in as (real Chromium)."""
    done = subprocess.run([require_tool("chromium"), *HEADLESS, f"--user-data-dir={directory}", "--dump-dom",
                           f"{sandbox.url}/console"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


@pytest.fixture
def consoles(sandbox, aws_config, isolated_home, tmp_path, monkeypatch):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(isolated_home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated_home / ".local" / "share"))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    wrapper = chromium_wrapper(bindir)
    done = run_rolecall("browser", "set", "chromium", "--path", str(wrapper))
    assert done.returncode == 0, done.stderr
    return isolated_home / ".local" / "share" / "rolecall" / "browser-profiles"


def profile_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []


def test_two_profiles_two_signed_in_consoles_side_by_side(consoles, sandbox):
    first = run_rolecall("console", "dev-admin")
    assert first.returncode == 0, first.stderr
    [dir_a] = profile_dirs(consoles)
    page_a = wait_for_page(dir_a)
    second = run_rolecall("console", "dev-ro")
    assert second.returncode == 0, second.stderr
    dir_b = next(p for p in profile_dirs(consoles) if p != dir_a)
    page_b = wait_for_page(dir_b)
    assert "signed in to sandbox-dev (111111111111)/AdministratorAccess" in page_a
    assert "signed in to sandbox-dev (111111111111)/ReadOnlyAccess" in page_b
    # Neither signed the other out: each browser profile is still signed in as its own role.
    assert "AdministratorAccess" in signed_in_as(sandbox, dir_a)
    assert "ReadOnlyAccess" in signed_in_as(sandbox, dir_b)
    assert "browser profile dev-admin" in first.stderr and "chromium" in first.stderr
    assert first.stdout == "" and second.stdout == ""


def test_one_browser_profile_for_both_signs_the_first_out(consoles, sandbox):
    """The failure side by side prevents, shown on the same sandbox: a shared profile keeps only the last."""
    for profile in ("dev-admin", "dev-ro"):
        done = run_rolecall("console", profile, "--browser-profile", "shared")
        assert done.returncode == 0, done.stderr
        [shared] = profile_dirs(consoles)
        wait_for_page(shared)
        (shared / "page.html").unlink()
    now = signed_in_as(sandbox, shared)
    assert "ReadOnlyAccess" in now and "AdministratorAccess" not in now


def test_assume_c_in_a_shell_opens_each_profile_in_its_own_browser_profile(consoles, sandbox, tmp_path):
    bash = require_tool("bash")
    init = tmp_path / "init.bash"
    init.write_text(init_output("bash"))
    script = f"source {init}; assume -c dev-admin && assume -c dev-ro"
    done = subprocess.run([bash, "--noprofile", "--norc", "-c", script], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    dirs = profile_dirs(consoles)
    assert len(dirs) == 2
    pages = [wait_for_page(d) for d in dirs]
    assert sorted("ReadOnly" in p for p in pages) == [False, True]
    for directory in dirs:
        assert "signed in" in signed_in_as(sandbox, directory)


@pytest.mark.parametrize("name", ["team a", "it's", "a/b", "$(touch pwned)", "x\"y"])
def test_any_name_is_one_argv_element_and_one_directory(consoles, sandbox, name, tmp_path):
    done = run_rolecall("console", "dev-ro", "--browser-profile", name, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr
    [directory] = profile_dirs(consoles)
    assert directory.parent == consoles and "/" not in directory.name
    wait_for_page(directory)
    argv = json.loads((directory / "argv.json").read_text())
    assert argv[0] == f"--user-data-dir={directory}"
    assert argv[-1].startswith(f"{sandbox.url}/federation?Action=login")
    assert not (tmp_path / "pwned").exists()
    # the same name always gets the same directory
    again = run_rolecall("console", "dev-ro", "--browser-profile", name)
    assert again.returncode == 0 and profile_dirs(consoles) == [directory]


def test_sign_in_pages_open_in_the_sso_browser_in_a_profile_of_their_own(consoles, sandbox, isolated_home):
    for path in (isolated_home / ".aws" / "sso" / "cache").glob("*.json"):
        path.unlink()
    wrapper = Path(json.loads((isolated_home / ".config" / "rolecall" / "settings.json").read_text())
                   ["browser"]["path"])
    assert run_rolecall("browser", "set-sso", "chromium", "--path", str(wrapper)).returncode == 0
    done = run_rolecall("login", "--sso-session", "sandbox", env={"BROWSER": "false"})
    assert done.returncode == 0, done.stderr  # the real Chromium followed the sign-in page to the callback
    [directory] = profile_dirs(consoles)
    assert directory.name.startswith("rolecall-sso-")
    argv = json.loads((directory / "argv.json").read_text())
    assert argv[-1].startswith(f"{sandbox.url}/authorize?")
    assert list((isolated_home / ".aws" / "sso" / "cache").glob("*.json"))
