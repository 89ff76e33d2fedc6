"""Shell tracing (set -x, fish_trace) never prints the keys `assume` handles (#14)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.shells import SHELLS, init_output, shell_argv

SECRET = "wJalrXUtnFEMI-K7MDENG-TRACEDSECRET"
TRACE_ON = {"bash": "set -x", "zsh": "set -x", "fish": "set -g fish_trace 1"}
TRACE_OFF = {"bash": "set +x", "zsh": "set +x", "fish": "set -e fish_trace"}
TRACING = {"bash": '[[ $- == *x* ]] && echo TRACING', "zsh": '[[ -o xtrace ]] && echo TRACING',
           "fish": 'set -q fish_trace; and echo TRACING'}
STATUS = {"bash": "$?", "zsh": "$?", "fish": "$status"}


@pytest.mark.parametrize("shell", SHELLS)
def test_tracing_shows_no_secret_and_stays_on(shell, aws_config, tmp_path):
    aws_config("[profile p]\nregion = eu-west-1\n",
               f"[p]\naws_access_key_id = AKIATRACE\naws_secret_access_key = {SECRET}\n")
    init = tmp_path / f"init.{shell}"
    init.write_text(init_output(shell))
    script = "\n".join([f"source {init}", TRACE_ON[shell], "assume p", f"echo status={STATUS[shell]}",
                        "assume no-such-profile", f"echo status={STATUS[shell]}", TRACING[shell],
                        TRACE_OFF[shell], "echo key=$AWS_ACCESS_KEY_ID"])
    done = subprocess.run(shell_argv(shell, script), capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert SECRET not in done.stdout + done.stderr
    assert "status=0" in done.stdout and "status=3" in done.stdout  # the wrapper's status, kept
    assert "TRACING" in done.stdout  # the user's setting is back after each call
    assert "key=AKIATRACE" in done.stdout
