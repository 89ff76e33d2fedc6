"""Differential test: the hot path answers what the full resolver answers now, or it misses.

An explicit random schedule (seeded: a failure names its seed and step) of
config edits (account, role, session, region, role_arn, rename, rm + re-add),
token deletion, refresh and re-login, `logout --all`, CLI cache deletion and
resolves in flight while one of those happens, against the sandbox. After
every step, for some profiles, `rolecall credential-process` (the hot path
first, as botocore calls it) is compared with the in-process full resolver
and with the truth the test keeps: the identity STS GetCallerIdentity names
for the keys must be the account and role the config says *now*, and the keys
must have ≥ 15 minutes left. After `logout --all`, nothing from before it may
be served for the logged-out sessions' SSO profiles.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.sso import REGION, START_URL, caller_identity, cli_cache_files, cli_login, token_path

SEED = int(os.environ.get("ROLECALL_DIFF_SEED", "20261201"))
STEPS = int(os.environ.get("ROLECALL_DIFF_STEPS", "36"))
ACCOUNTS = ("111111111111", "222222222222", "333333333333", "444444444444")
ROLES = ("ReadOnlyAccess", "AdministratorAccess")
DEPLOY_ACCOUNTS = ("111111111111", "222222222222")  # accounts whose IAM role "deploy" exists
SESSIONS = ("sandbox", "other")


class World:
    """The config the test believes in, rendered to the real file through `rolecall config`."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sso = {  # name -> {session, account, role}
            "a": {"session": "sandbox", "account": ACCOUNTS[0], "role": ROLES[0]},
            "b": {"session": "sandbox", "account": ACCOUNTS[1], "role": ROLES[1]},
            "c": {"session": "other", "account": ACCOUNTS[2], "role": ROLES[0]},
        }
        self.chain = {"account": DEPLOY_ACCOUNTS[1], "source": "a"}
        self.logged_out: set[str] = set()  # sessions logged out and not logged in since
        self.known = set(self.profiles())  # every name ever used: a removed one must not answer
        self.focus: set[str] = set()  # names this step must check

    def text(self) -> str:
        out = []
        for session in SESSIONS:
            out.append(f"[sso-session {session}]\nsso_start_url = {START_URL}\nsso_region = {REGION}\n"
                       "sso_registration_scopes = sso:account:access\n")
        for name, p in self.sso.items():
            out.append(f"[profile {name}]\nsso_session = {p['session']}\nsso_account_id = {p['account']}\n"
                       f"sso_role_name = {p['role']}\nregion = eu-west-1\n")
        out.append(f"[profile chain]\nrole_arn = arn:aws:iam::{self.chain['account']}:role/deploy\n"
                   f"source_profile = {self.chain['source']}\n")
        return "\n".join(out)

    def profiles(self) -> list[str]:
        return [*self.sso, "chain"]

    def truth(self, name: str) -> tuple[str, str] | None:
        if name == "chain":
            return (self.chain["account"], "deploy") if self.chain["source"] in self.sso else None
        p = self.sso.get(name)
        return None if p is None else (p["account"], p["role"])

    def must_fail(self, name: str) -> bool:
        """Logged out since: an SSO profile of that session may serve nothing from before."""
        p = self.sso.get(name)
        return p is not None and p["session"] in self.logged_out


def rolecall(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rolecall", *args], capture_output=True, text=True,
                          env=dict(os.environ), stdin=subprocess.DEVNULL, timeout=60)


def ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.args[3:] + [result.stderr]


def _pause() -> None:
    # Past the timestamp tick of the last change, so memos may be written again
    # (rolecall.hot refuses files changed within a tick of being fingerprinted).
    time.sleep(0.03)


# -- the moves ------------------------------------------------------------------


def edit_config(world: World, home, name: str | None = None) -> str:
    rng = world.rng
    kind = rng.choice(["account", "role", "session", "region", "chain-arn", "chain-source", "rename", "rm"])
    name = name if name in world.sso else rng.choice(list(world.sso))
    p = world.sso[name]
    if kind == "account":
        p["account"] = rng.choice([a for a in ACCOUNTS if a != p["account"]])
        ok(rolecall("config", "set", name, "sso_account_id", p["account"]))
    elif kind == "role":
        p["role"] = rng.choice([r for r in ROLES if r != p["role"]])
        ok(rolecall("config", "set", name, "sso_role_name", p["role"]))
    elif kind == "session":
        p["session"] = rng.choice([s for s in SESSIONS if s != p["session"]])
        ok(rolecall("config", "set", name, "sso_session", p["session"]))
    elif kind == "region":
        ok(rolecall("config", "set", name, "region", rng.choice(["us-west-2", "eu-central-1"])))
    elif kind == "chain-arn":
        world.chain["account"] = rng.choice([a for a in DEPLOY_ACCOUNTS if a != world.chain["account"]])
        ok(rolecall("config", "set", "chain", "role_arn", f"arn:aws:iam::{world.chain['account']}:role/deploy"))
    elif kind == "chain-source":
        world.chain["source"] = rng.choice([n for n in world.sso if n != world.chain["source"]] or [name])
        ok(rolecall("config", "set", "chain", "source_profile", world.chain["source"]))
    elif kind == "rename":
        new = name + "x" if len(name) < 3 else name[0]
        world.sso[new] = world.sso.pop(name)
        world.known.add(new)
        ok(rolecall("config", "rename", name, new, "--force"))
        if world.chain["source"] == name:
            world.chain["source"] = new
            ok(rolecall("config", "set", "chain", "source_profile", new))
        return f"rename {name} -> {new}"
    elif kind == "rm" and len(world.sso) > 1 and world.chain["source"] != name:
        del world.sso[name]
        ok(rolecall("config", "rm", name, "--force"))
        return f"rm {name}"
    return f"config {kind} {name}"


def delete_token(world: World, home) -> str:
    session = world.rng.choice(SESSIONS)
    token_path(home, session).unlink(missing_ok=True)
    return f"delete token {session}"


def near_expiry(world: World, home) -> str:
    """The next resolve refreshes this token (inside the 15-minute window)."""
    session = world.rng.choice(SESSIONS)
    path = token_path(home, session)
    if path.exists():
        doc = json.loads(path.read_text())
        doc["expiresAt"] = (datetime.now(timezone.utc) + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
        path.write_text(json.dumps(doc))
    return f"token of {session} near expiry"


def login(world: World, home) -> str:
    session = world.rng.choice(SESSIONS)
    cli_login(home, session=session)
    world.logged_out.discard(session)
    return f"login {session}"


def logout(world: World, home) -> str:
    ok(rolecall("logout", "--all"))
    world.logged_out.update(SESSIONS)
    return "logout --all"


def delete_cli_cache(world: World, home) -> str:
    for path in cli_cache_files(home):
        path.unlink()
    return "delete the CLI cache"


SIMPLE_MOVES = [edit_config, edit_config, edit_config, delete_token, near_expiry, login, logout, delete_cli_cache]


def in_flight(world: World, home, sandbox) -> str:
    """A resolve that is still waiting for GetRoleCredentials while another move happens."""
    candidates = [n for n in world.sso if not world.must_fail(n) and token_path(home, world.sso[n]["session"]).exists()]
    if not candidates:
        return login(world, home)
    name = world.rng.choice(candidates)
    for path in cli_cache_files(home):
        path.unlink()  # so that it really fetches
    before = sandbox.count("GetRoleCredentials")
    sandbox.inject_fault("GetRoleCredentials", "slow_reply", delay=1.0)
    child = subprocess.Popen([sys.executable, "-m", "rolecall", "credential-process", "--profile", name],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while sandbox.count("GetRoleCredentials") == before and child.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    move = world.rng.choice(["edit", "edit", "edit", logout, delete_token, delete_cli_cache])
    what = edit_config(world, home, name) if move == "edit" else move(world, home)
    world.focus.add(name)  # the profile in flight is checked after this step
    child.wait(timeout=60)
    sandbox.clear_faults()
    return f"in flight {name} during: {what}"


# -- the check ------------------------------------------------------------------


def full_resolver(name: str):
    from rolecall import awsconfig
    from rolecall.credentials import Resolver
    from rolecall.errors import RolecallError

    try:
        return Resolver(awsconfig.load()).resolve(name)
    except RolecallError as exc:
        return exc


def check(world: World, name: str, where: str) -> None:
    truth = world.truth(name)
    hot = rolecall("credential-process", "--profile", name)
    if truth is None:
        assert hot.returncode == 3, f"{where}: {name} is gone, yet: {hot.returncode} {hot.stderr}"
        return
    if world.must_fail(name):
        assert hot.returncode == 4, f"{where}: {name} served after logout --all: {hot.stdout[:60]} {hot.stderr}"
    full = full_resolver(name)
    if hot.returncode != 0:
        assert not hasattr(full, "access_key_id"), f"{where}: hot path failed where the resolver answers: {hot.stderr}"
        return
    answer = json.loads(hot.stdout)
    identity = caller_identity(answer)
    role = identity["Arn"].split("/")[1]
    assert (identity["Account"], role) == truth, f"{where}: {name} answered {identity['Arn']}, config says {truth}"
    left = datetime.fromisoformat(answer["Expiration"].replace("Z", "+00:00")) - datetime.now(timezone.utc)
    assert left > timedelta(minutes=15), f"{where}: {name} handed out credentials with {left} left"
    assert hasattr(full, "access_key_id"), f"{where}: the resolver fails ({full}) where the hot path answers"
    full_identity = caller_identity(full.process_json())
    assert (full_identity["Account"], full_identity["Arn"].split("/")[1]) == truth, where


@pytest.mark.slow
def test_hot_path_agrees_with_the_full_resolver_under_a_random_schedule(sandbox, aws_config, isolated_home):
    rng = random.Random(SEED)
    world = World(rng)
    aws_config(world.text())
    for session in SESSIONS:
        cli_login(isolated_home, session=session)
    _pause()
    started = time.monotonic()
    history: list[str] = []
    for step in range(STEPS):
        if rng.random() < 0.25:
            what = in_flight(world, isolated_home, sandbox)
        else:
            what = rng.choice(SIMPLE_MOVES)(world, isolated_home)
        history.append(what)
        where = f"seed {SEED} step {step} ({what}); before: {history[-6:-1]}"
        _pause()
        names = sorted(world.known)
        focus, world.focus = world.focus, set()
        for name in sorted({rng.choice(names), rng.choice(names)} | focus):
            check(world, name, where)
            check(world, name, where + " (again: now from the memo)")
    elapsed = time.monotonic() - started
    print(f"differential: {STEPS} steps in {elapsed:.1f}s, seed {SEED}")
