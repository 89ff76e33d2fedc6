"""`rolecall exec` and `rolecall export` (static-key profiles; SSO ones in test_sandbox_e2e)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys

import pytest

from tests.support.tools import require_tool
from tests.support.shells import MANAGED

CONFIG = """\
[profile plain]
region = us-west-2

[profile "-dash it's"]
"""

CREDENTIALS = """\
[plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = plain/secret+x=
aws_session_token = IQoJb3JpZ2luX2VjE+/token==

[-dash it's]
aws_access_key_id = AKIADASH
aws_secret_access_key = it's $(touch pwned) `x` \\ ü
"""


@pytest.fixture(autouse=True)
def profiles(aws_config):
    aws_config(CONFIG, CREDENTIALS)


CHILD = (
    "import json, os, sys\n"
    "names = {names!r}\n"
    "json.dump({{'argv': sys.argv[1:], 'env': {{k: os.environ.get(k) for k in names}}}},"
    " open({out!r}, 'w'))\n"
    "sys.exit({status})\n"
)


def _child(tmp_path, status=0):
    out = tmp_path / "child.json"
    return [sys.executable, "-c", CHILD.format(names=list(MANAGED), out=str(out), status=status)], out


def test_exec_passes_argv_untouched_and_returns_the_status(rolecall, tmp_path):
    argv, out = _child(tmp_path, status=42)
    args = ["a b", "it's", '"dq"', "$(touch pwned)", "`id`", "", "--", "-x", "ü ✓", "*"]
    result = rolecall("exec", "plain", "--", *argv, *args, cwd=str(tmp_path))
    assert result.returncode == 42, result.stderr
    child = json.loads(out.read_text())
    assert child["argv"] == args
    assert child["env"] == {
        **{k: None for k in MANAGED},
        "AWS_ACCESS_KEY_ID": "AKIAPLAIN",
        "AWS_SECRET_ACCESS_KEY": "plain/secret+x=",
        "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjE+/token==",
        "AWS_REGION": "us-west-2",
        "AWS_DEFAULT_REGION": "us-west-2",
        "ROLECALL_PROFILE": "plain",
    }  # no AWS_PROFILE beside the keys: the child may not have that profile (docker -e, ssh SendEnv)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["child.json", "home"]
    assert "plain/secret" not in result.stderr


def test_exec_clears_variables_of_a_previous_assume(rolecall, tmp_path):
    argv, out = _child(tmp_path)
    stale = {"AWS_SESSION_TOKEN": "stale", "AWS_SECURITY_TOKEN": "stale", "AWS_DEFAULT_PROFILE": "stale",
             "ROLECALL_EXPIRATION": "stale", "AWS_CREDENTIAL_EXPIRATION": "stale"}
    result = rolecall("exec", "--", "-dash it's", "--", *argv, env=stale)
    assert result.returncode == 0, result.stderr
    env = json.loads(out.read_text())["env"]
    assert env["AWS_SECRET_ACCESS_KEY"] == "it's $(touch pwned) `x` \\ ü"
    assert env["AWS_PROFILE"] is None and env["ROLECALL_PROFILE"] == "-dash it's"
    assert [k for k, v in env.items() if v == "stale"] == []
    # the profile has none: the user's own region (the test env's AWS_DEFAULT_REGION) is kept
    assert env["AWS_REGION"] is None and env["AWS_DEFAULT_REGION"] == "us-east-1"


def test_exec_profile_only(rolecall, tmp_path):
    argv, out = _child(tmp_path)
    result = rolecall("exec", "-p", "-r", "eu-north-1", "plain", "--", *argv)
    assert result.returncode == 0, result.stderr
    env = json.loads(out.read_text())["env"]
    assert {k: v for k, v in env.items() if v is not None} == {
        "AWS_PROFILE": "plain", "AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "eu-north-1",
        "ROLECALL_PROFILE": "plain",
    }


@pytest.mark.parametrize("how", ["exec", "assume"])
def test_killed_child_gives_128_plus_signal(rolecall, how):
    script = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    args = ["exec", "plain", "--"] if how == "exec" else ["assume", "plain", "--exec", "--"]
    result = rolecall(*args, sys.executable, "-c", script)
    assert result.returncode == 128 + signal.SIGTERM


def test_sigterm_to_rolecall_reaches_the_child(tmp_path):
    ready, got = tmp_path / "ready", tmp_path / "got"
    script = ("import signal, sys, time, pathlib\n"
              f"def on(s, f): pathlib.Path({str(got)!r}).write_text('TERM'); sys.exit(5)\n"
              "signal.signal(signal.SIGTERM, on)\n"
              f"pathlib.Path({str(ready)!r}).write_text('x')\n"
              "while True: time.sleep(0.05)\n")
    proc = subprocess.Popen([sys.executable, "-m", "rolecall", "exec", "plain", "--", sys.executable, "-c", script],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while not ready.exists():
            assert proc.poll() is None, proc.stderr.read()
            import time

            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 5
        assert got.read_text() == "TERM"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_exec_command_not_found_is_127(rolecall):
    result = rolecall("exec", "plain", "--", "no-such-command-rolecall-test")
    assert result.returncode == 127
    assert "rolecall: error: command not found: no-such-command-rolecall-test" in result.stderr


def test_exec_without_a_command_is_a_usage_error(rolecall):
    result = rolecall("exec", "plain")
    assert result.returncode == 2
    assert result.stdout == ""


def test_exec_unknown_profile(rolecall):
    result = rolecall("exec", "nope", "--", "true")
    assert result.returncode == 3
    assert "profile 'nope' not found" in result.stderr


def test_assume_exec_without_the_wrapper_is_fine(rolecall, tmp_path):
    argv, out = _child(tmp_path, status=3)
    result = rolecall("assume", "plain", "--exec", "--", *argv, "x y")
    assert result.returncode == 3
    assert json.loads(out.read_text())["argv"] == ["x y"]


# --------------------------------------------------------------------------
# export

# What `aws configure export-credentials --format F` prints (awscli v2
# customizations/configure/exportcreds.py): one `export NAME=value` line per
# variable, key/secret/token/expiry order, no quoting of AWS's own characters.
EXPECTED = {
    "env": "export AWS_ACCESS_KEY_ID=AKIAPLAIN\nexport AWS_SECRET_ACCESS_KEY=plain/secret+x=\n"
           "export AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE+/token==\n",
    "env-no-export": "AWS_ACCESS_KEY_ID=AKIAPLAIN\nAWS_SECRET_ACCESS_KEY=plain/secret+x=\n"
                     "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE+/token==\n",
    "fish": 'set -gx AWS_ACCESS_KEY_ID "AKIAPLAIN"\nset -gx AWS_SECRET_ACCESS_KEY "plain/secret+x="\n'
            'set -gx AWS_SESSION_TOKEN "IQoJb3JpZ2luX2VjE+/token=="\n',
    "process": '{\n  "Version": 1,\n  "AccessKeyId": "AKIAPLAIN",\n  "SecretAccessKey": "plain/secret+x=",\n'
               '  "SessionToken": "IQoJb3JpZ2luX2VjE+/token=="\n}\n',
    "dotenv": "AWS_ACCESS_KEY_ID=AKIAPLAIN\nAWS_SECRET_ACCESS_KEY=plain/secret+x=\n"
              "AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjE+/token==\n",
}


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_export_formats_match_the_aws_cli(rolecall, fmt):
    result = rolecall("export", "plain", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED[fmt]


def test_export_default_is_env_and_profile_comes_from_aws_profile(rolecall):
    result = rolecall("export", env={"AWS_PROFILE": "plain"})
    assert result.stdout == EXPECTED["env"]


def test_export_json(rolecall):
    result = rolecall("export", "plain", "-f", "json")
    assert json.loads(result.stdout) == {
        "AccessKeyId": "AKIAPLAIN", "SecretAccessKey": "plain/secret+x=",
        "SessionToken": "IQoJb3JpZ2luX2VjE+/token==", "Expiration": None, "AccountId": None,
        "RoleName": None, "Profile": "plain", "Region": "us-west-2",
    }


@pytest.mark.parametrize("fmt,shell", [("env", "bash"), ("env-no-export", "bash"), ("env", "zsh"), ("fish", "fish")])
def test_export_output_evaluates_to_the_exact_values(rolecall, tmp_path, fmt, shell):
    """Values that need quoting are quoted for their target, and nothing runs."""
    result = rolecall("export", "-f", fmt, "--", "-dash it's")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    script = tmp_path / "creds"
    script.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    work = tmp_path / "cwd"
    work.mkdir()
    dump = f"{sys.executable} -c 'import json, os, sys; json.dump(dict(os.environ), open(sys.argv[1], \"w\"))' {out}"
    prefix = "set -a; " if fmt == "env-no-export" else ""
    result = subprocess.run([require_tool(shell), "-c", f"{prefix}source {script}; {dump}"], cwd=work,
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert result.returncode == 0, result.stderr
    env = json.loads(out.read_text())
    assert env["AWS_ACCESS_KEY_ID"] == "AKIADASH"
    assert env["AWS_SECRET_ACCESS_KEY"] == "it's $(touch pwned) `x` \\ ü"
    assert list(work.iterdir()) == []


def test_export_process_is_read_by_botocore(aws_config, tmp_path):
    """Interop: botocore's own ProcessProvider parses what `export -f process` prints."""
    import shlex

    import botocore.session

    command = f"{shlex.quote(sys.executable)} -m rolecall export plain --format process"
    aws_config(CONFIG + f"\n[profile via-process]\ncredential_process = {command}\n", CREDENTIALS)
    creds = botocore.session.Session(profile="via-process").get_credentials().get_frozen_credentials()
    assert (creds.access_key, creds.secret_key, creds.token) == (
        "AKIAPLAIN", "plain/secret+x=", "IQoJb3JpZ2luX2VjE+/token==")


def test_export_copy_without_a_clipboard_says_what_to_install(rolecall):
    result = rolecall("export", "plain", "--copy", env={"PATH": "/nonexistent"})
    assert result.returncode == 1
    assert result.stdout == ""
    assert "rolecall: error: cannot copy to the clipboard" in result.stderr
    assert "hint: install xclip" in result.stderr
    assert "plain/secret" not in result.stderr


def test_export_copy_puts_the_text_on_the_clipboard(rolecall, tmp_path):
    """A stand-in `xclip` on PATH (pyperclip's X11 backend) records what it was given."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    clip = tmp_path / "clipboard"
    xclip = bindir / "xclip"
    xclip.write_text(f"#!/bin/sh\ncat > '{clip}'\n")
    xclip.chmod(0o755)
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "DISPLAY": ":99"}
    result = rolecall("export", "plain", "--copy", "-f", "dotenv", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert clip.read_text() == EXPECTED["dotenv"]
    assert "copied the credentials of plain (dotenv) to the clipboard" in result.stderr


def test_export_copy_inside_command_substitution_does_not_hang(rolecall, tmp_path):
    """A clipboard tool stays alive holding the stdout it inherited: `$(rolecall export --copy)` must not wait."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    xclip = bindir / "xclip"
    # like xclip: reads the text, then leaves a child behind to serve the selection
    xclip.write_text("#!/bin/sh\ncat > /dev/null\nsleep 30 &\nexit 0\n")
    xclip.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}:/usr/bin:/bin", DISPLAY=":99")
    script = f"out=$({shlex.quote(sys.executable)} -m rolecall export plain --copy); echo done:$out"
    # (a hang is a TimeoutExpired: the fake tool lives 30 s)
    done = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], capture_output=True, text=True,
                          env=env, timeout=25)
    assert done.stdout == "done:\n", done.stderr


def test_an_exec_child_without_the_profile_still_gets_its_keys_in_botocore(rolecall, tmp_path):
    """docker run -e / ssh SendEnv: the child has the variables but not the config file."""
    import sys

    probe = ("import os, botocore.session; os.environ['AWS_CONFIG_FILE'] = os.environ['AWS_SHARED_CREDENTIALS_FILE'] "
             "= '/nonexistent'; print(botocore.session.Session().get_credentials().access_key)")
    result = rolecall("exec", "plain", "--", sys.executable, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "AKIAPLAIN"
