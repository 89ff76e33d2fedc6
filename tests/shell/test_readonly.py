"""A variable `assume` cannot set (read-only in the user's shell) is an error that names it (#14).

(bash and zsh: fish has no user read-only variables.)"""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.support.shells import init_output, shell_argv


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_read_only_variable_fails_the_call_and_is_named(shell, aws_config, tmp_path):
    aws_config("[profile p]\nregion = eu-west-1\n",
               "[p]\naws_access_key_id = AKIARO\naws_secret_access_key = s3cret\n")
    init = tmp_path / f"init.{shell}"
    init.write_text(init_output(shell))
    script = f"source {init}\nreadonly AWS_REGION=us-east-1\nassume p\necho status=$? key=$AWS_ACCESS_KEY_ID"
    done = subprocess.run(shell_argv(shell, script), capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LC_ALL="C.UTF-8"))
    assert "status=1 key=AKIARO" in done.stdout, done.stdout + done.stderr
    assert "rolecall: error: could not set AWS_REGION in this shell" in done.stderr
