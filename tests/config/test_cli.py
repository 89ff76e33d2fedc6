"""The `rolecall config` commands as a user runs them (real CLI in a child process)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from .config_corpus import BASE, CORPUS
from .config_helpers import botocore_view

ERRORS = [
    # (id, argv, exit code, text in the error line)
    ("bad-account", ["add-profile", "x", "--sso-session", "corp", "--account-id", "12345", "--role-name", "R"],
     2, "account id '12345' is not 12 digits"),
    ("unknown-region", ["set", "target", "region", "moon-1"], 2, "'moon-1' is not a known AWS region"),
    ("missing-session", ["add-profile", "x", "--sso-session", "nope", "--account-id", "123456789012",
                         "--role-name", "R"], 3, "sso-session 'nope' not found"),
    ("taken-name", ["add-profile", "other", "--sso-session", "corp", "--account-id", "123456789012",
                    "--role-name", "R"], 2, "profile 'other' already exists"),
    ("bracket-name", ["add-profile", "a]b", "--role-arn", "arn:aws:iam::123456789012:role/x",
                      "--source-profile", "other"], 2, "profile name 'a]b' contains ']'"),
    ("spaces-around", ["rename", "target", " padded"], 2, "has leading or trailing spaces"),
    ("quote-name", ["add-session", "it's", "--start-url", "https://x.awsapps.com/start", "--region",
                    "us-east-1"], 2, "contains \"'\""),
    ("no-such-profile", ["set", "nope", "region", "us-east-1"], 3, "profile 'nope' not found"),
    ("session-in-use", ["rm", "--session", "corp"], 2, "sso-session 'corp' is used by 2 profile(s)"),
    ("both-modes", ["add-profile", "x", "--sso-session", "corp", "--role-arn", "arn:aws:iam::123456789012:role/x"],
     2, "give either"),
    ("bad-key", ["set", "target", "bad key", "v"], 2, "key 'bad key' is not a config key"),
    ("multi-line-value", ["set", "target", "region", "us-east-1\nx = y"], 2, "control characters"),
    ("self-source", ["set", "target", "source_profile", "target"], 2, "cannot be its own source_profile"),
]


@pytest.mark.parametrize("argv,code,text", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_input_is_one_line_error_and_changes_nothing(config_path, rolecall, argv, code, text):
    config_path.write_text(BASE)
    done = rolecall("config", *argv)
    assert done.returncode == code, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("rolecall: error: ") and text in lines[0], done.stderr
    assert all(line.startswith("hint: ") for line in lines[1:])
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert config_path.read_text() == BASE
    assert not config_path.with_name("config.bak").exists()


def test_force_overrides_refusals(config_path, rolecall):
    config_path.write_text(BASE)
    done = rolecall("config", "rm", "--session", "corp", "--force")
    assert done.returncode == 0, done.stderr
    assert "profiles still naming sso-session 'corp'" in done.stderr
    assert "corp" not in botocore_view(config_path).get("sso_sessions", {})


def test_dependents_block_rm(config_path, rolecall):
    config_path.write_text(CORPUS["role-chain"])
    done = rolecall("config", "rm", "target")
    assert done.returncode == 2 and "other (source_profile = target)" in done.stderr
    both = rolecall("config", "rm", "target", "other")
    assert both.returncode == 0, both.stderr
    view = botocore_view(config_path)
    assert "target" not in view["profiles"] and "other" not in view["profiles"]


def test_dry_run_prints_a_unified_diff(config_path, rolecall):
    config_path.write_text(BASE)
    done = rolecall("config", "set", "target", "region", "eu-north-1", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert config_path.read_text() == BASE
    assert "-region = eu-west-1\n+region = eu-north-1\n" in done.stdout
    assert done.stdout.startswith(f"--- {config_path} (current)\n")


def test_new_file_is_0600_and_has_no_backup(isolated_home, rolecall):
    path = isolated_home / ".aws" / "config"
    assert not path.exists()
    done = rolecall("config", "add-session", "corp", "--start-url", "https://x.awsapps.com/start",
                    "--region", "eu-west-1", "--scopes", "sso:account:access, openid")
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.with_name("config.bak").exists()
    assert botocore_view(path)["sso_sessions"]["corp"]["sso_registration_scopes"] == "sso:account:access,openid"


def test_custom_config_file_symlink_and_directory_mode(tmp_path, rolecall):
    shared = tmp_path / "dotfiles"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    real = shared / "aws-config"
    real.write_text(BASE)
    link = tmp_path / "link-config"
    link.symlink_to(real)
    done = rolecall("config", "set", "target", "output", "text", env={"AWS_CONFIG_FILE": str(link)})
    assert done.returncode == 0, done.stderr
    assert link.is_symlink(), "the symlink (dotfiles) must survive"
    assert botocore_view(real)["profiles"]["target"]["output"] == "text"
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755, "rolecall must not re-mode a user directory"
    assert (tmp_path / "link-config.bak").read_text() == BASE


def test_show_and_sessions(config_path, rolecall, aws_config):
    aws_config(BASE + "\n[profile keys]\nregion = us-east-1\n",
               credentials="[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = verysecretvalue1234\n")
    shown = rolecall("config", "show", "target", "--json")
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert view["values"]["sso_start_url"] == "https://corp.awsapps.com/start"
    assert view["sources"]["sso_start_url"] == "sso-session corp"
    assert view["values"]["sso_account_id"] == "111111111111"
    assert view["sources"]["region"] == "profile target" and view["problems"] == []
    keys = json.loads(rolecall("config", "show", "keys", "--json").stdout)
    assert keys["values"]["aws_secret_access_key"] == "****1234"
    assert keys["sources"]["aws_secret_access_key"] == "credentials"
    text = rolecall("config", "show", "keys")
    assert "verysecretvalue" not in text.stdout + text.stderr
    sessions = json.loads(rolecall("config", "sessions", "--json").stdout)
    assert sessions == [{"name": "corp", "sso_start_url": "https://corp.awsapps.com/start",
                         "sso_region": "us-east-1", "sso_registration_scopes": ["sso:account:access"],
                         "profiles": 2, "generated_profiles": 0}]
    table = rolecall("config", "sessions")
    assert table.stdout.splitlines()[1].split()[:3] == ["corp", "https://corp.awsapps.com/start", "us-east-1"]


def test_twenty_concurrent_writers_lose_nothing(config_path):
    config_path.write_text(BASE)

    def one(i: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rolecall", "config", "set", "target", f"key_{i}", f"v{i}"],
                              capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    profile = botocore_view(config_path)["profiles"]["target"]
    assert {f"key_{i}": f"v{i}" for i in range(20)}.items() <= profile.items()
    assert config_path.read_text().startswith(BASE.split("[profile other]")[0].rstrip("\n").rsplit("\n", 1)[0])


def test_rename_default_and_quoted(config_path, rolecall):
    config_path.write_text(CORPUS["quoted-names"])
    done = rolecall("config", "rename", "my team", "platform team")
    assert done.returncode == 0, done.stderr
    text = config_path.read_text()
    assert '[profile "platform team"]' in text
    view = botocore_view(config_path)
    assert view["profiles"]["target"]["source_profile"] == "platform team"
    assert view["profiles"]["platform team"] == {"region": "us-east-1"}
