"""The hot paths import nothing heavy: no boto3, botocore, click, configupdater or ruamel.

`credential-process` on a warm cache runs on every SDK credential refresh,
`assume` on a cache hit on every profile switch, `__complete` on every TAB.
Each is run for real (`python -X importtime -m rolecall …`); every module the
interpreter reports, plus everything in sys.modules at exit (which also catches
importlib.import_module, which -X importtime does not report), is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec

import pytest

FORBIDDEN = ("boto3", "botocore", "click", "configupdater", "ruamel")

_DUMP_MODULES = (
    "import atexit, runpy, sys\n"
    "atexit.register(lambda: sys.__stderr__.write('\\nLOADED ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
    "sys.argv = ['rolecall'] + sys.argv[1:]\n"
    "runpy.run_module('rolecall', run_name='__main__', alter_sys=True)\n"
)


def _forbidden_in(names) -> list[str]:
    return sorted({name for name in names if name.split(".")[0] in FORBIDDEN})


def _run_hot(*args: str) -> subprocess.CompletedProcess:
    """Run `rolecall ARGS` twice: under -X importtime, then dumping sys.modules; check both."""
    env = dict(os.environ)
    timed = subprocess.run([sys.executable, "-X", "importtime", "-m", "rolecall", *args],
                           capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)
    reported = [line.rsplit("|", 1)[-1].strip() for line in timed.stderr.splitlines()
                if line.startswith("import time:") and "|" in line]
    assert reported, "no -X importtime output: the check would be blind"
    assert _forbidden_in(reported) == [], f"hot path `rolecall {' '.join(args)}` imported these"

    dumped = subprocess.run([sys.executable, "-c", _DUMP_MODULES, *args], capture_output=True, text=True, env=env,
                            stdin=subprocess.DEVNULL, timeout=60)
    loaded = [line for line in dumped.stderr.splitlines() if line.startswith("LOADED ")]
    assert loaded, dumped.stderr
    modules = loaded[-1].split()[1:]
    assert "rolecall.entry" in modules
    assert _forbidden_in(modules) == [], f"hot path `rolecall {' '.join(args)}` loaded these"
    return dumped


@pytest.fixture
def warm_cache(sandbox, isolated_home, aws_config):
    """Config + CLI-style login + one cold run per profile, so the next runs are cache hits."""
    from tests.support.sso import BASE_CONFIG, cli_login

    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    for profile in ("dev-admin", "dev-deploy"):
        cold = subprocess.run([sys.executable, "-m", "rolecall", "credential-process", "--profile", profile],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert cold.returncode == 0, cold.stderr
    sandbox.reset_counts()
    return sandbox


@pytest.mark.parametrize("profile", ["dev-admin", "dev-deploy"])  # SSO, and SSO → role → role
def test_eks_token_cache_hit_is_light(warm_cache, profile):
    args = ("eks", "token", "--cluster", "demo", "--profile", profile, "--region", "us-east-1")
    cold = subprocess.run([sys.executable, "-m", "rolecall", *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert cold.returncode == 0, cold.stderr
    warm_cache.reset_counts()
    result = _run_hot(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == cold.stdout  # the token kept, not a new one
    assert json.loads(result.stdout)["status"]["token"].startswith("k8s-aws-v1.")
    assert warm_cache.counts == {}


@pytest.mark.parametrize("profile", ["dev-admin", "dev-deploy"])  # SSO, and SSO → role → role
def test_credential_process_cache_hit_is_light(warm_cache, profile):
    result = _run_hot("credential-process", "--profile", profile)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Version"] == 1
    # it really was a cache hit: nothing reached the sandbox
    assert warm_cache.counts == {}


def test_assume_cache_hit_is_light(warm_cache):
    if find_spec("rolecall.commands.assume") is None:
        pytest.skip("rolecall.commands.assume does not exist yet")
    result = _run_hot("assume", "--shell", "bash", "dev-admin")
    assert result.returncode == 0, result.stderr
    assert "AWS_ACCESS_KEY_ID" in result.stdout
    assert warm_cache.counts == {}


def test_complete_is_light(aws_config):
    if find_spec("rolecall.completion") is None:
        pytest.skip("rolecall.completion does not exist yet")
    from tests.support.sso import BASE_CONFIG

    aws_config(BASE_CONFIG)
    result = _run_hot("__complete", "bash", "--", "dev-", "assume dev-")
    assert result.returncode == 0, result.stderr
    assert "dev-admin" in result.stdout.split()
