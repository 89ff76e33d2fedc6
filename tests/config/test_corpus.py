"""Every editing command over a corpus of real-world-shaped config files.

For each file and command: botocore reads the intended meaning back, every
changed line belongs to the section the command edits, the file keeps its
mode, a backup of the previous version is kept, and a command that changes
nothing leaves the file byte-identical (not even rewritten).
"""

from __future__ import annotations

import os
import stat

import pytest

from .config_corpus import CORPUS
from .config_helpers import botocore_view, changed_owners
from rolecall.configedit import ops
from rolecall.configedit.document import PROFILE, SESSION
from rolecall.errors import RolecallError

IDS = sorted(CORPUS)


def _write(path, text: str, mode: int = 0o640):
    path.write_bytes(text.encode("utf-8"))
    os.chmod(path, mode)
    return text


def _read(path) -> str:
    return path.read_bytes().decode("utf-8")


def _assert_written(path, before: str, owners: set) -> dict:
    after = _read(path)
    assert after != before
    assert changed_owners(before, after) <= owners, changed_owners(before, after)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640, "the file's mode must be kept"
    backup = path.with_name("config.bak")
    assert backup.read_bytes() == before.encode("utf-8")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    eol_before = "\r\n" in before and "\n" not in before.replace("\r\n", "")
    if eol_before:
        assert "\n" not in after.replace("\r\n", ""), "an all-CRLF file must stay all-CRLF"
    last = before.rsplit("\n", 1)[-1]
    if before and not before.endswith("\n") and after.endswith("\n" + last):
        pass  # the untouched last line kept its missing line ending
    elif before and not before.endswith("\n"):
        assert after.endswith("\n"), "a new last line gets a line ending"
    return botocore_view(path)


def _other_unchanged(view: dict, before_view: dict, name: str = "other") -> None:
    assert view["profiles"].get(name) == before_view["profiles"].get(name)


@pytest.mark.parametrize("case", IDS)
def test_set_existing_and_new_key(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    ops.set_value("target", "region", "ap-south-1")
    view = _assert_written(config_path, before, {(PROFILE, "target")})
    assert view["profiles"]["target"]["region"] == "ap-south-1"
    _other_unchanged(view, before_view)

    middle = _read(config_path)
    ops.set_value("target", "team_owner", "platform")
    view = _assert_written(config_path, middle, {(PROFILE, "target")})
    assert view["profiles"]["target"]["team_owner"] == "platform"
    assert view["profiles"]["target"]["region"] == "ap-south-1"
    _other_unchanged(view, before_view)


@pytest.mark.parametrize("case", IDS)
def test_nested_set_and_unset(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    old_s3 = before_view["profiles"]["target"].get("s3", {})
    ops.set_value("target", "s3.max_bandwidth", "50MB/s")
    view = _assert_written(config_path, before, {(PROFILE, "target")})
    assert view["profiles"]["target"]["s3"] == {**old_s3, "max_bandwidth": "50MB/s"}
    _other_unchanged(view, before_view)

    middle = _read(config_path)
    ops.unset_value("target", "s3.max_bandwidth")
    view = botocore_view(config_path)
    assert changed_owners(middle, _read(config_path)) <= {(PROFILE, "target")}
    assert view["profiles"]["target"].get("s3", {}) == old_s3


@pytest.mark.parametrize("case", IDS)
def test_unset(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    ops.set_value("target", "cli_pager", "")  # make sure there is something to unset
    middle = _read(config_path)
    ops.unset_value("target", "cli_pager")
    view = _assert_written(config_path, middle, {(PROFILE, "target")})
    assert "cli_pager" not in view["profiles"]["target"]
    assert {k: v for k, v in view["profiles"]["target"].items()} == {
        k: v for k, v in before_view["profiles"]["target"].items() if k != "cli_pager"}
    _other_unchanged(view, before_view)


@pytest.mark.parametrize("case", IDS)
def test_add_profile_and_session(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    ops.add_session("new-sso", "https://new.awsapps.com/start", "eu-central-1")
    view = _assert_written(config_path, before, {(SESSION, "new-sso")})
    assert view["sso_sessions"]["new-sso"] == {
        "sso_start_url": "https://new.awsapps.com/start", "sso_region": "eu-central-1",
        "sso_registration_scopes": "sso:account:access"}

    middle = _read(config_path)
    ops.add_profile("new profile", sso_session="new-sso", account_id="999999999999", role_name="Dev",
                    region="eu-central-1", output="json")
    view = _assert_written(config_path, middle, {(PROFILE, "new profile")})
    assert view["profiles"]["new profile"] == {
        "sso_session": "new-sso", "sso_account_id": "999999999999", "sso_role_name": "Dev",
        "region": "eu-central-1", "output": "json"}
    assert '[profile "new profile"]' in _read(config_path)
    for name in before_view["profiles"]:
        assert view["profiles"][name] == before_view["profiles"][name]


@pytest.mark.parametrize("case", IDS)
def test_remove_profile(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    ops.remove_profiles(["other"])
    view = _assert_written(config_path, before, {(PROFILE, "other")})
    assert "other" not in view["profiles"]
    for name in before_view["profiles"]:
        if name != "other":
            assert view["profiles"][name] == before_view["profiles"][name]
    # comments outside the removed section survive
    for line in before.splitlines():
        if line.lstrip().startswith(("#", ";")) and "other" not in line:
            assert line in _read(config_path) or line.strip() in {"# same"}


@pytest.mark.parametrize("case", IDS)
def test_rename_rewrites_references(case, config_path):
    before = _write(config_path, CORPUS[case])
    before_view = botocore_view(config_path)
    referrers = {n for n, v in before_view["profiles"].items() if v.get("source_profile") == "target"}
    ops.rename_profile("target", "renamed")
    view = _assert_written(config_path, before, {(PROFILE, "target"), (PROFILE, "renamed")}
                           | {(PROFILE, n) for n in referrers})
    assert "target" not in view["profiles"]
    assert view["profiles"]["renamed"] == before_view["profiles"]["target"]
    for name in referrers:
        assert view["profiles"][name]["source_profile"] == "renamed"


@pytest.mark.parametrize("case", IDS)
def test_no_op_is_byte_identical_and_not_rewritten(case, config_path):
    before = _write(config_path, CORPUS[case])
    view = botocore_view(config_path)
    os.utime(config_path, (1_000_000_000, 1_000_000_000))
    inode = config_path.stat().st_ino
    current = view["profiles"]["target"].get("region")
    if current is not None and current in _known():
        assert not ops.set_value("target", "region", current).changed
    assert not ops.unset_value("target", "no_such_key").changed
    assert not ops.unset_value("target", "s3.no_such_key").changed
    with pytest.raises(RolecallError):
        ops.add_profile("other", sso_session="corp", account_id="123456789012", role_name="X")
    assert config_path.read_bytes() == before.encode("utf-8")
    assert config_path.stat().st_mtime == 1_000_000_000
    assert config_path.stat().st_ino == inode
    assert not config_path.with_name("config.bak").exists()


def _known():
    from rolecall.configedit.validate import known_regions

    return known_regions()
