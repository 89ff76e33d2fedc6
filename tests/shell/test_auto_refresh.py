"""The shell hook keeps `assume`'s keys fresh: real bash, zsh and fish in a real terminal (tmux).

Role credentials live 14 s and the refresh window is 6 s, so the hook is due
8 s after `assume`. bash checks before each prompt (zsh and fish before each
command), so after a wait the tests run one command before looking. Each shell runs with the user's own hook installed first
(PROMPT_COMMAND / preexec / fish_preexec), which must keep running, and `$?`
must survive the hook.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.shells import SHELL_ARGS, SHELLS, init_output
from tests.support.sso import BASE_CONFIG, cli_login
from tests.support.tools import require_tool

from .tmux import Tmux

LIFETIME = 11
WINDOW = "0.1"  # minutes: 6 s
DUE_AFTER = LIFETIME - 6

USER_HOOK = {
    "bash": "PROMPT_COMMAND='echo user-hook >> {log}'",
    "zsh": "function my_hook {{ echo user-hook >> {log} }}; preexec_functions+=(my_hook)",
    "fish": "function my_hook --on-event fish_preexec; echo user-hook >> {log}; end",
}
LOAD = {"bash": "source {init}", "zsh": "source {init}", "fish": "source {init}"}
STATUS = {"bash": "echo status=$? >> {log}", "zsh": "echo status=$? >> {log}", "fish": "echo status=$status >> {log}"}

IDENTITY = ("import boto3; print('ARN', boto3.client('sts', region_name='us-east-1')"
            ".get_caller_identity()['Arn'])")


class Session:
    def __init__(self, shell: str, tmp_path: Path) -> None:
        self.shell = shell
        self.dir = tmp_path
        self.log = tmp_path / "log"
        self.log.write_text("")
        init = tmp_path / f"init.{shell}"
        init.write_text(init_output(shell), encoding="utf-8")
        env = dict(os.environ, ROLECALL_REFRESH_WINDOW=WINDOW)
        self.term = Tmux([require_tool(shell), *SHELL_ARGS[shell], "-i"], env, tmp_path)
        self.n = 0
        self.run(USER_HOOK[shell].format(log=self.log))
        self.run(LOAD[shell].format(init=init))

    def run(self, line: str) -> None:
        """Type `line`, then wait until the shell has finished it (a marker file appears)."""
        self.n += 1
        marker = self.dir / f"done{self.n}"
        self.term.type(f"{line}; echo > {marker}")
        self.term.send("Enter")
        self.term.wait_for_file(marker)

    def type_line(self, line: str) -> None:
        """Type `line` with no marker after it (the next run() waits for both)."""
        self.term.type(line)
        self.term.send("Enter")

    def key(self) -> str:
        out = self.dir / f"key{self.n}"
        self.run(f"echo $AWS_ACCESS_KEY_ID > {out}")
        return out.read_text().strip()

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def close(self) -> None:
        self.term.close()


@pytest.fixture
def short_lived(sandbox, aws_config, isolated_home):
    aws_config(BASE_CONFIG)
    cli_login(isolated_home)
    sandbox.configure(credential_ttl=LIFETIME)
    return sandbox


def _in_every_shell(scenario, tmp_path: Path) -> None:
    """Run `scenario(shell, directory)` in bash, zsh and fish at once (each in its own terminal)."""
    for shell in SHELLS:
        require_tool(shell)
    with ThreadPoolExecutor(len(SHELLS)) as pool:
        futures = {}
        for shell in SHELLS:
            directory = tmp_path / shell
            directory.mkdir(parents=True)
            futures[shell] = pool.submit(scenario, shell, directory)
        failures = []
        for shell, future in futures.items():
            try:
                future.result()
            except Exception as exc:  # noqa: BLE001 - reported below with the shell's name
                failures.append(f"{shell}: {type(exc).__name__}: {exc}")
    assert failures == [], "\n".join(failures)


def test_the_hook_renews_the_keys_before_they_expire(short_lived, tmp_path):
    def scenario(shell: str, directory: Path) -> None:
        session = Session(shell, directory)
        try:
            session.run("assume dev-admin")
            first = session.key()
            assert first.startswith("ASIA")
            assert session.key() == first  # outside the window: nothing happens
            time.sleep(DUE_AFTER + 1)
            session.type_line("false")  # the hook runs between these two commands
            session.run(STATUS[shell].format(log=session.log))
            second = session.key()
            assert second.startswith("ASIA") and second != first
            short_lived.revoke_credentials([first])  # the old key is dead: the shell must not need it
            out = directory / "identity"
            session.run(f"{sys.executable} -c \"{IDENTITY}\" > {out} 2>&1")
            assert "ARN arn:aws:sts::111111111111:assumed-role/AdministratorAccess/" in out.read_text()
            time.sleep(DUE_AFTER + 1)
            session.run("true")  # bash checks before each prompt: after an idle spell, after the first command
            third = session.key()
            assert third not in (first, second)
        finally:
            session.close()
        lines = session.lines()
        assert "status=1" in lines  # `false`'s status survived the hook
        assert lines.count("user-hook") >= 8  # the user's own hook ran for every command

    _in_every_shell(scenario, tmp_path)


def test_a_needed_sign_in_is_said_once_and_commands_still_run(short_lived, tmp_path):
    sessions = {}

    def start(shell: str, directory: Path) -> None:
        sessions[shell] = session = Session(shell, directory)
        session.run("assume dev-admin")
        session.first = session.key()

    _in_every_shell(start, tmp_path)
    try:
        short_lived.expire_access_tokens()  # every shell's SSO session ends here
        short_lived.revoke_refresh_tokens()
        time.sleep(DUE_AFTER + 1)

        def later(shell: str, directory: Path) -> None:
            session = sessions[shell]
            for i in range(3):
                session.run(f"echo ran{i} >> {session.log}")
            screen = session.term.screen()
            assert session.key() == session.first  # nothing could renew them; they were left as they were
            assert {"ran0", "ran1", "ran2"} <= set(session.lines())
            said = [line for line in screen.splitlines() if "run 'assume dev-admin' to sign in" in line]
            assert len(said) == 1, screen
            assert said[0].startswith("rolecall: credentials for dev-admin expire in ")

        _in_every_shell(later, tmp_path / "later")
    finally:
        for session in sessions.values():
            session.close()


def test_auto_refresh_can_be_turned_off(short_lived, tmp_path):
    def scenario(shell: str, directory: Path) -> None:
        session = Session(shell, directory)
        try:
            session.run("assume dev-admin")
            first = session.key()
            session.run("set -gx ROLECALL_AUTO_REFRESH 0" if shell == "fish" else "export ROLECALL_AUTO_REFRESH=0")
            time.sleep(DUE_AFTER + 1)
            session.run("true")
            assert session.key() == first
        finally:
            session.close()

    _in_every_shell(scenario, tmp_path)


def test_keys_exported_by_hand_since_are_left_alone(short_lived, tmp_path):
    def scenario(shell: str, directory: Path) -> None:
        session = Session(shell, directory)
        try:
            session.run("assume dev-admin")
            mine = "set -gx AWS_ACCESS_KEY_ID AKIAMINE" if shell == "fish" else "export AWS_ACCESS_KEY_ID=AKIAMINE"
            session.run(mine)
            time.sleep(DUE_AFTER + 1)
            session.run("true")
            assert session.key() == "AKIAMINE"
        finally:
            session.close()

    _in_every_shell(scenario, tmp_path)


def test_profile_only_mode_sets_no_schedule(short_lived, rolecall):
    out = rolecall("assume", "--shell", "bash", "-p", "dev-admin")
    assert out.returncode == 0, out.stderr
    assert "_ROLECALL_REFRESH_AT=" not in out.stdout.replace("unset", "")
    keys = rolecall("assume", "--shell", "bash", "dev-admin")
    assert "export _ROLECALL_REFRESH_AT=" in keys.stdout


@pytest.mark.parametrize("before, after", [
    ("unset PROMPT_COMMAND", 'declare -- PROMPT_COMMAND="__rolecall_hook"'),
    ("PROMPT_COMMAND='history -a'", 'declare -- PROMPT_COMMAND="__rolecall_hook;history -a"'),
    ("PROMPT_COMMAND=(one two)", 'declare -a PROMPT_COMMAND=([0]="__rolecall_hook" [1]="one" [2]="two")'),
    ("preexec_functions=(); bash_preexec_imported=defined", 'declare -a preexec_functions=([0]="__rolecall_hook")'),
])
def test_bash_hook_joins_prompt_command_once_under_set_u(tmp_path, before, after):
    init = tmp_path / "init.bash"
    init.write_text(init_output("bash"), encoding="utf-8")
    shown = "preexec_functions" if "preexec" in before else "PROMPT_COMMAND"
    script = f"set -u; {before}; source {init}; source {init}; declare -p {shown}; __rolecall_hook; echo ok"
    result = subprocess.run([require_tool("bash"), "--noprofile", "--norc", "-c", script], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [after, "ok"]
