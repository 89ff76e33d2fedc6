"""`rolecall config generate` end to end against the sandbox (HTTP on 127.0.0.1)."""

from __future__ import annotations

import os
import sys
import time

import pytest

from .config_helpers import SESSION_CONFIG, botocore_view, changed_owners, login, start_sandbox
from rolecall.configedit.document import PROFILE
from rolecall.configedit.generate import profile_names, sanitise, Assignment
from rolecall.sandbox.org import generate_org, org_from_dict

HAND_WRITTEN = """\
# my own profiles: never touch
[profile sandbox-dev/ReadOnlyAccess]
region = eu-west-1 ; mine
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnlyAccess

[profile legacy-admin]
role_arn = arn:aws:iam::111111111111:role/deploy
source_profile = sandbox-dev/AdministratorAccess
"""


def _generated(view: dict, session: str = "corp") -> dict:
    return {n: p for n, p in view["profiles"].items() if p.get("rolecall_generated_from") == session}


def test_generate_writes_one_profile_per_account_and_role(small_org_sandbox, config_path, rolecall):
    done = rolecall("config", "generate", "--sso-session", "corp")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    view = botocore_view(config_path)
    generated = _generated(view)
    expected = {(a.id, role) for a in small_org_sandbox.org.accounts for role in a.roles}
    assert {(p["sso_account_id"], p["sso_role_name"]) for p in generated.values()} == expected
    prod = generated["Sandbox-Prod/ReadOnlyAccess"]  # "Sandbox Prod ✓" sanitised
    assert prod == {
        "sso_session": "corp", "sso_account_id": "333333333333", "sso_role_name": "ReadOnlyAccess",
        "region": "us-east-1", "rolecall_generated_from": "corp", "rolecall_account_name": "Sandbox Prod ✓",
    }
    assert not any(k.startswith("sso_start_url") for p in generated.values() for k in p), "never legacy keys"
    # botocore resolves a generated profile through its own SSO provider
    import botocore.session

    session = botocore.session.Session(profile="sandbox-dev/AdministratorAccess")
    creds = session.get_credentials().get_frozen_credentials()
    assert creds.access_key.startswith("ASIA")
    # a second run changes nothing: byte-identical
    before = config_path.read_bytes()
    mtime = config_path.stat().st_mtime_ns
    again = rolecall("config", "generate", "--sso-session", "corp")
    assert again.returncode == 0, again.stderr
    assert "0 added, 0 updated, 10 unchanged" in again.stderr
    assert config_path.read_bytes() == before and config_path.stat().st_mtime_ns == mtime


def test_hand_written_kept_and_prune_removes_only_stale_generated(small_org_sandbox, config_path, rolecall):
    base = config_path.read_text() + "\n" + HAND_WRITTEN
    stale = ("\n[profile gone-account/Admin]\nsso_session = corp\nsso_account_id = 999999999999\n"
             "sso_role_name = Admin\nrolecall_generated_from = corp\nrolecall_account_name = gone\n")
    other_session = ("\n[profile other-session/Admin]\nsso_session = corp\nsso_account_id = 888888888888\n"
                     "sso_role_name = Admin\nrolecall_generated_from = elsewhere\n")
    config_path.write_text(base + stale + other_session)
    before = config_path.read_text()

    kept = rolecall("config", "generate", "--sso-session", "corp")
    assert kept.returncode == 0, kept.stderr
    assert "'sandbox-dev/ReadOnlyAccess' exists and was not generated from 'corp': kept, skipped" in kept.stderr
    assert "--prune removes them" in kept.stderr
    after = config_path.read_text()
    assert after.startswith(before), "existing lines are untouched; new profiles are appended"
    view = botocore_view(config_path)
    assert view["profiles"]["sandbox-dev/ReadOnlyAccess"]["region"] == "eu-west-1 ; mine"
    assert "rolecall_generated_from" not in view["profiles"]["sandbox-dev/ReadOnlyAccess"]
    assert "gone-account/Admin" in view["profiles"]

    pruned = rolecall("config", "generate", "--sso-session", "corp", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    view2 = botocore_view(config_path)
    assert "gone-account/Admin" not in view2["profiles"]
    assert "other-session/Admin" in view2["profiles"], "another session's generated profiles stay"
    assert "legacy-admin" in view2["profiles"] and "sandbox-dev/ReadOnlyAccess" in view2["profiles"]
    assert changed_owners(after, config_path.read_text()) <= {(PROFILE, "gone-account/Admin")}


def test_dry_run_prints_diff_and_writes_nothing(small_org_sandbox, config_path, rolecall):
    before = config_path.read_bytes()
    done = rolecall("config", "generate", "--sso-session", "corp", "--dry-run",
                    "--template", "{session}-{account_id}-{role_name}")
    assert done.returncode == 0, done.stderr
    assert config_path.read_bytes() == before
    assert not config_path.with_name("config.bak").exists()
    assert done.stdout.startswith(f"--- {config_path} (current)\n+++ {config_path} (new)\n")
    added = [line for line in done.stdout.splitlines() if line.startswith("+[profile ")]
    assert "+[profile corp-333333333333-ReadOnlyAccess]" in added and len(added) == 10
    assert "(dry run)" in done.stderr


def test_template_errors_and_login_required(config_path, rolecall, monkeypatch):
    config_path.write_text(SESSION_CONFIG.format(start_url="https://x.awsapps.com/start"))
    bad = rolecall("config", "generate", "--sso-session", "corp", "--template", "{acount}")
    assert bad.returncode == 2 and "unknown template field {acount}" in bad.stderr
    assert "Traceback" not in bad.stderr
    no_token = rolecall("config", "generate", "--sso-session", "corp")
    assert no_token.returncode == 4
    assert "hint: run: rolecall login --sso-session corp" in no_token.stderr
    missing = rolecall("config", "generate", "--sso-session", "nope")
    assert missing.returncode == 3 and "sso-session 'nope' not found" in missing.stderr


def test_names_sanitised_and_collisions_suffixed_deterministically():
    assert sanitise("Sandbox Prod ✓/Admin") == "Sandbox-Prod-/Admin"  # runs of others → one -
    assert profile_names([Assignment("1" * 12, "Sandbox Prod ✓", "", "Admin")], "{account_name}/{role_name}",
                         "corp", "x") == {Assignment("1" * 12, "Sandbox Prod ✓", "", "Admin"): "Sandbox-Prod/Admin"}
    assert sanitise("a  b\t\"c'd;e") == "a-b-c-d-e"
    assert sanitise("ok._/@+=-x") == "ok._/@+=-x"
    items = [Assignment("222222222222", "team a", "", "Admin"), Assignment("111111111111", "team-a", "", "Admin"),
             Assignment("333333333333", "team a", "", "Admin")]
    names = profile_names(items, "{account_name}/{role_name}", "corp", "us-east-1")
    assert names[items[1]] == "team-a/Admin"  # lowest account id keeps the plain name
    assert names[items[0]] == "team-a/Admin-2" and names[items[2]] == "team-a/Admin-3"
    assert profile_names(list(reversed(items)), "{account_name}/{role_name}", "corp", "x") == names


def test_collisions_against_the_portal(monkeypatch, config_path, rolecall):
    org = org_from_dict({"accounts": [
        {"id": "222222222222", "name": "shared name", "roles": ["Admin"]},
        {"id": "111111111111", "name": "shared/name", "roles": ["Admin"]},
        {"id": "333333333333", "name": "shared name", "roles": ["Admin", "Read"]},
    ]})
    box = start_sandbox(monkeypatch, org=org)
    try:
        config_path.write_text(SESSION_CONFIG.format(start_url=box.org.start_url))
        login(rolecall)
        done = rolecall("config", "generate", "--sso-session", "corp", "--template", "{account_name}")
        assert done.returncode == 0, done.stderr
        view = _generated(botocore_view(config_path))
        assert {n: (p["sso_account_id"], p["sso_role_name"]) for n, p in view.items()} == {
            "shared-name": ("222222222222", "Admin"),
            "shared-name-2": ("333333333333", "Admin"),
            "shared-name-3": ("333333333333", "Read"),
            "shared/name": ("111111111111", "Admin"),
        }
    finally:
        box.stop()


def test_credential_process_profiles(small_org_sandbox, config_path, rolecall):
    done = rolecall("config", "generate", "--sso-session", "corp", "--credential-process",
                    "--template", "cp-{account_id}-{role_name}")
    assert done.returncode == 0, done.stderr
    view = botocore_view(config_path)
    profile = view["profiles"]["cp-111111111111-AdministratorAccess"]
    assert "sso_session" not in profile and "sso_account_id" not in profile
    assert profile["rolecall_sso_account_id"] == "111111111111"
    import shlex

    argv = shlex.split(profile["credential_process"])
    assert os.path.isabs(argv[0]) and argv[1:] == [
        "credential-process", "--profile", "cp-111111111111-AdministratorAccess"]


def test_credential_process_profiles_resolve_through_boto3(small_org_sandbox, config_path, rolecall):
    done = rolecall("config", "generate", "--sso-session", "corp", "--credential-process",
                    "--template", "cp-{account_id}-{role_name}")
    assert done.returncode == 0, done.stderr
    import boto3

    session = boto3.Session(profile_name="cp-111111111111-AdministratorAccess")
    frozen = session.get_credentials().get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA")


@pytest.mark.slow
def test_thousand_accounts_with_latency_and_throttling(monkeypatch, config_path, rolecall, capsys):
    box = start_sandbox(monkeypatch, org=generate_org(1000, 4), latency=0.03)
    try:
        config_path.write_text(SESSION_CONFIG.format(start_url=box.org.start_url) + "\n" + HAND_WRITTEN)
        login(rolecall)
        box.inject_fault("ListAccountRoles", "throttle", count=25)
        box.inject_fault("ListAccounts", "throttle", count=2)
        box.reset_counts()
        started = time.monotonic()
        done = rolecall("config", "generate", "--sso-session", "corp", timeout=120)
        wall = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        assert box.count("ListAccountRoles") >= 1000 + 25
        view = botocore_view(config_path)
        generated = _generated(view)
        assert len(generated) == 4000
        assert view["profiles"]["sandbox-dev/ReadOnlyAccess"]["region"] == "eu-west-1 ; mine"
        assert wall <= 20, f"config generate took {wall:.1f}s for 1000 accounts x 4 roles"
        with capsys.disabled():
            sys.stderr.write(f"\n[config generate 1000x4 @30ms, 27 throttles: {wall:.2f}s wall]\n")
    finally:
        box.stop()


def test_generate_with_no_profile_in_the_config(small_org_sandbox, config_path, rolecall):
    text = config_path.read_text().replace("[default]\nregion = us-east-1\n\n", "")
    config_path.write_text(text)
    assert "[default]" not in text
    done = rolecall("config", "generate", "--sso-session", "corp")
    assert done.returncode == 0, done.stderr
    assert len(_generated(botocore_view(config_path))) == 10


def test_a_new_template_renames_never_stale_never_pruned(small_org_sandbox, config_path, rolecall):
    assert rolecall("config", "generate", "--sso-session", "corp").returncode == 0
    first = _generated(botocore_view(config_path))
    config_path.write_text(config_path.read_text() + "\n[profile mine]\nsource_profile = Sandbox-Prod/ReadOnlyAccess\n"
                           "role_arn = arn:aws:iam::333333333333:role/x\n")
    template = "{account_id}-{role_name}"
    kept = rolecall("config", "generate", "--sso-session", "corp", "--template", template, "--prune")
    assert kept.returncode == 0, kept.stderr
    assert "0 pruned" in kept.stderr and "no longer match" not in kept.stderr
    assert f"{len(first)} generated profile(s) are named differently by this template" in kept.stderr
    assert "--rename renames them" in kept.stderr and f"{len(first)} to rename (--rename)" in kept.stderr
    assert _generated(botocore_view(config_path)) == first  # nothing deleted, nothing added twice

    moved = rolecall("config", "generate", "--sso-session", "corp", "--template", template, "--rename")
    assert moved.returncode == 0, moved.stderr
    assert f"{len(first)} renamed" in moved.stderr
    view = botocore_view(config_path)
    renamed = _generated(view)
    assert set(renamed) == {f"{p['sso_account_id']}-{p['sso_role_name']}" for p in first.values()}
    assert sorted(map(sorted, (p.items() for p in renamed.values()))) == sorted(
        map(sorted, (p.items() for p in first.values())))
    assert view["profiles"]["mine"]["source_profile"] == "333333333333-ReadOnlyAccess"  # references follow


def test_switching_to_credential_process_updates_in_place(small_org_sandbox, config_path, rolecall):
    assert rolecall("config", "generate", "--sso-session", "corp").returncode == 0
    names = set(_generated(botocore_view(config_path)))
    switched = rolecall("config", "generate", "--sso-session", "corp", "--credential-process", "--prune")
    assert switched.returncode == 0, switched.stderr
    assert f"0 added, {len(names)} updated" in switched.stderr and "0 pruned" in switched.stderr
    generated = _generated(botocore_view(config_path))
    assert set(generated) == names
    assert all("credential_process" in p and "sso_session" not in p for p in generated.values())
