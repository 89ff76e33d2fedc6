"""Hostile configs and credentials files through every command.

Every case (hostile_cases.CASES, ≥ 50) runs through list, list --json,
credential-process, export, login, status, doctor, config show/set/rm,
console --url and __complete, each in a fresh copy of the case's HOME, as real
forked processes (the zygote; checked against `python -m rolecall` below).
For each run: the exit code decided for that case and command, never a
traceback or exit 70, a failure is one `rolecall: error:` line (+ `hint:`) and
nothing on a protocol stdout, the files untouched (bytes and mtime) unless a
config edit succeeded, no payload ever executed, no terminal escape printed.

Not testable here: unreadable files (the suite runs as root, chmod 000 does
not stop root; a directory stands in for "cannot read"), and FIFOs or
/dev/zero as the config (they would block or never end a read — in botocore too).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.faults import SESSION, assert_clean_error, clean_env, file_state, sso_login, start_sandbox, transcript
from tests.support.sso import token_path
from tests.reliability.hostile_cases import CASES, MARKER

COMMANDS = {
    "list": lambda p: ["list"],
    "list-json": lambda p: ["list", "--json"],
    "cp": lambda p: ["credential-process", "--profile", p],
    "export": lambda p: ["export", p],
    "login": lambda p: ["login", "--profile", p, "--device-code", "--no-browser"],
    "status": lambda p: ["status"],
    "doctor": lambda p: ["doctor", "--offline"],
    "show": lambda p: ["config", "show", p],
    "set": lambda p: ["config", "set", p, "region", "eu-west-1"],
    "rm": lambda p: ["config", "rm", p],
    "console": lambda p: ["console", p, "--url"],
    "complete": lambda p: ["__complete", "bash", "--", "", "rolecall export "],
}
READ_ONLY = {"list", "list-json", "cp", "export", "login", "status", "doctor", "show", "console", "complete"}
PROTOCOL_STDOUT = {"cp", "export", "console", "list-json"}

# doctor exits 1 in every case: the shell integration is not loaded in these runs.
DEFAULTS = {
    "file": dict(list=3, **{"list-json": 3}, cp=3, export=3, login=3, status=3, doctor=1, show=3, set=3, rm=3,
                 console=3, complete=0),
    "profile": dict(list=0, **{"list-json": 0}, cp=3, export=3, login=3, status=0, doctor=1, show=0, set=0, rm=0,
                    console=3, complete=0),
    "ok": dict(list=0, **{"list-json": 0}, cp=0, export=0, login=0, status=0, doctor=1, show=0, set=0, rm=0,
               console=0, complete=0),
}
MISSING = dict(show=3, set=3, rm=3)  # the profile does not exist: nothing to show, set or remove
SESSION_OK = dict(login=0)  # the profile is bad, its sso-session is fine: logging in works
OVERRIDES: dict[str, dict[str, int]] = {
    "account-id-short": SESSION_OK, "account-id-letters": SESSION_OK, "account-id-13-digits": SESSION_OK,
    "account-id-arabic-digits": SESSION_OK,
    "start-url-javascript": dict(login=0, cp=4, export=4, console=4),  # the cached token is for another URL
    "start-url-contradicts-session": SESSION_OK,
    "cycle-2": dict(rm=2), "cycle-3": dict(rm=2),  # other profiles chain from it: needs --force
    "chain-200-deep-to-sso": dict(login=0, cp=4, export=4, console=4),  # the bottom session has no token
    "source-and-credential-source": SESSION_OK, "duration-not-a-number": SESSION_OK,
    "role-arn-garbage": SESSION_OK,
    "process-prints-garbage": dict(cp=1, export=1, console=1),
    "process-calls-itself": dict(cp=1, export=1, console=1),  # the inner rolecall refuses the loop
    "profile-missing-empty-file": MISSING, "profile-missing-comments-only": MISSING,
    # no config file at all (nor a credentials file): every command that shows profiles says so (README)
    "profile-missing-dangling-symlink": dict(MISSING, list=3, **{"list-json": 3}, status=3),
    "header-unterminated-quote": MISSING,
    "header-three-words": MISSING,
    "role-name-continuation-line": dict(login=0, cp=5, export=5, console=5),  # the portal: no such role
    "role-name-ten-mb": dict(login=0, cp=5, export=5, console=5),  # the portal: 414
    "lone-cr-line-endings": dict(set=3, rm=3),  # rolecall will not rewrite a bare-CR file
}
SLOW = {"chain-200-deep-to-sso": 20, "role-name-ten-mb": 40, "ten-mb-unrelated-value": 40,
        "ten-mb-line-no-section": 40, "three-thousand-profiles": 40}

@pytest.fixture(scope="module")
def matrix(zygote, tmp_path_factory):
    """Run every case × command once; {(case, command): (Run, profile, home, before)}."""
    from tests.support.faults import Transcript, _TRANSCRIPT

    root = tmp_path_factory.mktemp("hostile")
    _TRANSCRIPT.append(Transcript())
    box = start_sandbox(auto_approve=True)
    try:
        logged = root / "token-home"
        (logged / ".aws").mkdir(parents=True)
        sso_login(box, logged)
        jobs, keys = [], []
        for case in CASES:
            for command, argv in COMMANDS.items():
                home = root / case.id / command / "home"
                (home / ".aws").mkdir(parents=True)
                profile = case.build(home)
                token = token_path(home, SESSION)
                token.parent.mkdir(parents=True, mode=0o700)
                shutil.copy(token_path(logged, SESSION), token)
                before = {p: file_state(p) for p in (home / ".aws" / "config", home / ".aws" / "credentials")}
                env = clean_env(home)
                env.update(box.env())
                jobs.append({"argv": argv(profile), "env": env, "cwd": str(home),
                             "timeout": SLOW.get(case.id, 20)})
                keys.append((case.id, command, profile, home, before))
        runs = zygote.run(jobs)
        results = {(cid, cmd): (run, profile, home, before)
                   for (cid, cmd, profile, home, before), run in zip(keys, runs)}
        yield results, box
    finally:
        box.stop()
        _TRANSCRIPT.pop()


def expected(case, command: str) -> int:
    return {**DEFAULTS[case.kind], **OVERRIDES.get(case.id, {})}[command]


def check(case, command: str, matrix) -> None:
    results, box = matrix
    run, profile, home, before = results[(case.id, command)]
    transcript().runs.append(run)
    transcript().sandboxes.append(box)
    assert run.returncode is not None, f"{case.id}/{command} did not finish (hung)"
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode != 70, run.stderr
    want = expected(case, command)
    assert run.returncode == want, (case.id, command, run.returncode, run.stderr[:2000])
    if want != 0 and command != "doctor":
        line = assert_clean_error(run, want)
        assert len(line) < 2000, line[:200]
        if case.kind == "file":  # the one line names the file
            assert str(home / ".aws") in line, line
        if command in PROTOCOL_STDOUT:
            assert run.stdout == "", run.stdout[:500]
    if command == "doctor":  # the config check says whether the file itself is sound
        no_file = case.id == "profile-missing-dangling-symlink"
        verdict = "[FAIL] config:" if case.kind == "file" or no_file else "[ok  ] config:"
        assert verdict in run.stdout, run.stdout[:1000]
    # nothing executed a payload, nothing printed a terminal escape
    assert not (home / MARKER).exists()
    assert "\x1b" not in run.stderr
    if command in ("list", "status", "doctor", "show"):
        assert "\x1b" not in run.stdout
    after = {p: file_state(p) for p in before}
    if command in READ_ONLY or run.returncode != 0:
        assert after == before, f"{case.id}/{command} changed a file"
    else:
        check_edit(case, command, profile, home)


def check_edit(case, command: str, profile: str, home: Path) -> None:
    """A successful `config set/rm`: botocore parses the result and it means what was asked."""
    from botocore.configloader import load_config

    config = home / ".aws" / "config"
    parsed = load_config(str(config))["profiles"]
    if command == "set":
        assert parsed[profile]["region"] == "eu-west-1"
    else:
        assert profile not in parsed


def _ids():
    for case in CASES:
        for command in COMMANDS:
            yield pytest.param(case, command, id=f"{case.id}-{command}")


def test_there_are_at_least_fifty_hostile_inputs():
    assert len(CASES) >= 50
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.slow
@pytest.mark.parametrize("case, command", list(_ids()))
def test_hostile_input(case, command, matrix):
    check(case, command, matrix)


@pytest.mark.slow
def test_listing_never_shows_a_raw_escape_and_json_keeps_the_real_name(matrix):
    results, _ = matrix
    table = results[("ansi-escape-name", "list")][0]
    assert "evil?[31mred" in table.stdout
    rows = json.loads(results[("ansi-escape-name", "list-json")][0].stdout)
    assert [r["name"] for r in rows] == ["evil\x1b[31mred"]


@pytest.mark.slow
def test_payload_names_come_back_verbatim_in_json(matrix):
    results, _ = matrix
    for case_id, name in (("shell-metachar-name", f"$(touch {MARKER})"), ("backtick-name", f"`touch {MARKER}`"),
                          ("quote-and-semicolon-name", "it's;x"), ("unicode-name", "профиль-✓")):
        rows = json.loads(results[(case_id, "list-json")][0].stdout)
        assert name in [r["name"] for r in rows], case_id


@pytest.mark.slow
def test_crlf_config_names_carry_no_carriage_return(matrix):
    results, _ = matrix
    rows = json.loads(results[("crlf-line-endings", "list-json")][0].stdout)
    assert all("\r" not in json.dumps(r) for r in rows)
    assert {r["name"] for r in rows} == {"p"}


def test_zygote_matches_real_processes(zygote, aws_config, isolated_home):
    """The forked runs behave as `python -m rolecall` does (same exit, same stderr)."""
    from tests.support.faults import cli

    aws_config("[profile a]\nregion = x\n\n[profile a]\nregion = y\n")
    samples = [["list"], ["credential-process", "--profile", "a"], ["config", "show", "a"], ["doctor", "--offline"],
               ["__complete", "bash", "--", "", "rolecall export "], ["export", "nope"], ["credential-process"]]
    forked = zygote.run([{"argv": argv} for argv in samples])
    for argv, run in zip(samples, forked):
        real = cli(*argv)
        assert (run.returncode, run.stderr, run.stdout) == (real.returncode, real.stderr, real.stdout), argv
