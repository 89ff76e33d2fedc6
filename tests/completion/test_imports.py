"""The completion path stays stdlib-only and small: nothing heavy is imported on a TAB."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .helpers import config_text, many_names

HEAVY = ("botocore", "boto3", "click", "configupdater", "configparser", "filelock", "questionary",
         "prompt_toolkit", "shellingham", "pyperclip", "rolecall.cli", "rolecall.awsconfig",
         "rolecall.credentials", "rolecall.sso", "rolecall.shells", "urllib3", "dateutil")

ARGV = {
    "assume-profile": ["__complete", "bash", "--", "", "assume "],
    "assume-region": ["__complete", "zsh", "--", "assume", "-r", ""],
    "assume-service": ["__complete", "fish", "--", "assume", "-s", ""],
    "rolecall-sub": ["__complete", "bash", "--", "", "rolecall "],
    "login-session": ["__complete", "fish", "--", "rolecall", "login", "--sso-session", ""],
    "config-set-value": ["__complete", "bash", "--", "", "rolecall config set default region "],
}


@pytest.mark.parametrize("argv", ARGV.values(), ids=list(ARGV))
def test_importtime_shows_nothing_heavy(aws_config, rolecall, argv):
    aws_config(config_text(many_names(50)))
    rolecall(*argv)  # fill the name cache: the next TAB is the hot case
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "rolecall", *argv],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout
    modules = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line]
    assert "rolecall.entry" in modules  # sanity: the listing is real
    bad = [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY or m.startswith(HEAVY)]
    assert bad == []


CHECK = r"""
import json, sys
before = set(sys.modules)
from rolecall.entry import main
rc = main(sys.argv[1:])
sys.stdout.flush()
new = sorted(set(sys.modules) - before)
sys.stderr.write(json.dumps(new))
sys.exit(rc)
"""


@pytest.mark.parametrize("argv", ARGV.values(), ids=list(ARGV))
def test_modules_loaded_by_a_warm_tab(aws_config, rolecall, argv):
    """Everything a warm TAB loads beyond the interpreter's start-up, by name."""
    aws_config(config_text(many_names(50)))
    rolecall(*argv)
    result = subprocess.run([sys.executable, "-c", CHECK, *argv], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    new = json.loads(result.stderr)
    heavy = [m for m in new if m.startswith(HEAVY)]
    assert heavy == []
    # The cache hit neither writes (fileio, tempfile) nor parses headers (shlex).
    assert not {"rolecall.fileio", "shlex"} & set(new)
    allowed_rolecall = {"rolecall", "rolecall.entry", "rolecall.errors", "rolecall.hot", "rolecall.completion",
                        "rolecall.regions", "rolecall.console_services",
                        "rolecall.data", "rolecall.data.command_spec"}  # the generated command table
    # Neither pathlib nor json (nor the re they import) on a warm TAB.
    assert not {"pathlib", "json", "re"} & set(new), sorted({"pathlib", "json", "re"} & set(new))
    assert {m for m in new if m.startswith("rolecall")} <= allowed_rolecall
