"""Profile-name scan (same names as awsconfig.load) and its cache."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from rolecall import awsconfig, completion, hot, paths
from rolecall.errors import ConfigError

from .helpers import config_text, many_names

# Odd but valid files: awsconfig.load() parses them, and the scan must agree exactly.
VALID = {
    "comments": "# [profile commented]\n; [profile semi]\n[profile a]\nregion = x\n  # indented comment\n[profile b]\n",
    "crlf": "[profile crlf]\r\nregion = x\r\n[default]\r\nregion = y\r\n",
    "lone-cr": "[profile cr]\rregion = x\r[profile cr2]\r",
    "quoted": "[profile \"with space\"]\n[profile 'single q']\n[profile \"it's\"]\n[profile 'say \"hi\"']\n",
    "default-both-forms": "[default]\nregion = a\n[profile default]\nregion = b\n",
    "three-words-ignored": "[profile a b]\n[profile]\n[profile x]\n",
    "prefix-quirk": "[profilefoo bar]\n[profiles x]\n",  # botocore: startswith('profile') + two words
    "sessions": "[sso-session corp]\nsso_start_url = u\n[sso-session 'my s']\n[profile p]\nsso_session = corp\n",
    "services-and-other": "[services s3x]\ns3 =\n  endpoint_url = x\n[plugins]\nfoo = bar\n[profile real]\n",
    "continuation-looks-like-header": "[profile a]\nkey = line1\n  [profile not-a-header]\n[profile b]\n",
    "blank-line-then-indented": "[profile a]\nkey = v\n\n    [profile still-continuation]\n[profile c]\n",
    "nested-values": "[profile n]\ns3 =\n  max_concurrent_requests = 10\n[profile m]\n",
    "DEFAULT-is-not-a-section": "[DEFAULT]\nregion = x\n[profile d]\n",
    "header-with-trailing-text": "[profile t] trailing\n[profile u]]\n",
    "unicode": "[profile ünï]\n[profile 名前]\n",
    "bracket-in-name": "[profile 'x [y]']\n",
    "tabs": "[profile\ttabbed]\n",
    "empty-file": "",
    "only-comments": "# nothing\n",
    "escaped": "[profile back\\\\slash]\n[profile \"q\\\"uote\"]\n",
    "unbalanced-quote-skipped": "[profile \"open]\n[profile ok]\n",
}

# Files botocore would reject. Completion must not crash; it offers what it can.
BROKEN = {
    "default-twice": ("[default]\n[default]\n[profile x]\n", {"default", "x"}),
    "duplicate-profile": ("[profile a]\n[profile a]\n[profile b]\n", {"a", "b"}),
    "text-before-header": ("region = x\n[profile a]\n", {"a"}),
    "garbage-line": ("[profile a]\nthis is not a key\n[profile b]\n", {"a", "b"}),
    "duplicate-key": ("[profile a]\nregion = x\nregion = y\n[profile b]\n", {"a", "b"}),
}

CREDENTIALS = "[default]\naws_access_key_id = A\n[cred only]\naws_access_key_id = B\n[profile literal]\nx = y\n"


@pytest.mark.parametrize("text", VALID.values(), ids=list(VALID))
@pytest.mark.parametrize("with_credentials", [False, True], ids=["config", "config+credentials"])
def test_scan_matches_awsconfig(aws_config, text, with_credentials):
    aws_config(text, CREDENTIALS if with_credentials else "")
    config = awsconfig.load()
    profiles, sessions = completion.names()
    assert sorted(profiles) == sorted(config.profiles)
    assert sorted(sessions) == sorted(config.sessions)
    assert len(profiles) == len(set(profiles))


@pytest.mark.parametrize("text,expected", BROKEN.values(), ids=list(BROKEN))
def test_broken_config_completes_what_it_can(aws_config, rolecall, text, expected):
    aws_config(text)
    with pytest.raises(ConfigError):
        awsconfig.load()
    assert set(completion.names()[0]) == expected
    result = rolecall("__complete", "bash", "--", "", "assume ")
    assert result.returncode == 0
    assert result.stderr == ""
    assert set(result.stdout.splitlines()) == expected


def test_unreadable_and_binary_files_complete_nothing_quietly(isolated_home, rolecall):
    config = isolated_home / ".aws" / "config"
    config.mkdir()  # a directory where the file should be
    result = rolecall("__complete", "bash", "--", "", "assume ")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    config.rmdir()
    config.write_bytes(b"[profile \xff\xfe]\nkey = \x00\x00\n[profile ok]\n")
    result = rolecall("__complete", "zsh", "--", "assume", "")
    assert result.returncode == 0 and result.stderr == ""
    assert "ok" in result.stdout.splitlines()


def _cache_file():
    return Path(hot.hot_dir()) / "names"


def _settle(*files):
    """Wait out the timestamp tick of the files' last change (rolecall.hot trusts no fresher file)."""
    deadline = time.monotonic() + 5
    while any(hot._racy(hot.fingerprint(str(f)), time.time_ns()) for f in files):
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_cache_written_private_and_reused(aws_config):
    aws_config(config_text(["one", "two"]))
    _settle(paths.config_file())
    assert completion.names()[0] == ["default", "one", "two"]
    cache = _cache_file()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700
    lines = cache.read_text().splitlines()
    assert [line[1:] for line in lines[2:] if line.startswith("P")] == ["default", "one", "two"]
    assert lines[1].startswith(hot.fingerprint(str(paths.config_file())))
    # Reused while the files are unchanged: a planted name shows the index answered.
    cache.write_text(cache.read_text().replace("\nPtwo\n", "\nPfrom-the-index\n"))
    assert completion.names()[0] == ["default", "one", "from-the-index"]
    # Same path, size, mtime and inode: the ctime still tells the index is stale.
    config = paths.config_file()
    st = config.stat()
    with open(config, "r+b") as handle:  # same length, in place
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(b"[profile two]", b"[profile owt]"))
    os.utime(config, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert completion.names()[0] == ["default", "one", "owt"]


def test_a_file_changed_within_its_timestamp_tick_is_not_indexed(aws_config):
    aws_config(config_text(["one"]))
    completion.names()  # at once: a same-size rewrite in this tick could go unseen
    assert not _cache_file().exists()
    _settle(paths.config_file())
    completion.names()
    assert _cache_file().exists()


def test_cache_follows_changes_to_either_file(aws_config, isolated_home):
    aws_config(config_text(["one"]))
    assert completion.names()[0] == ["default", "one"]
    aws_config(config_text(["one", "added"]))
    assert completion.names()[0] == ["default", "one", "added"]
    (isolated_home / ".aws" / "credentials").write_text("[from-creds]\n")
    assert completion.names()[0] == ["default", "one", "added", "from-creds"]
    (isolated_home / ".aws" / "credentials").unlink()
    assert completion.names()[0] == ["default", "one", "added"]


def test_cache_follows_aws_config_file_env(aws_config, tmp_path, monkeypatch):
    aws_config(config_text(["home"]))
    assert "home" in completion.names()[0]
    other = tmp_path / "other-config"
    other.write_text("[profile elsewhere]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    assert completion.names()[0] == ["elsewhere"]
    creds = tmp_path / "other-creds"
    creds.write_text("[cred-env]\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    assert completion.names()[0] == ["elsewhere", "cred-env"]


def test_corrupt_or_unwritable_cache_is_harmless(aws_config, isolated_home):
    aws_config(config_text(["one"]))
    cache = _cache_file()
    _settle(paths.config_file())
    completion.names()
    key_line = cache.read_text().splitlines()[1]
    for junk in (b"{not json", b"[1, 2]", b"rolecall-names 2\n" + key_line.encode() + b"\nPtrunc",
                 b"rolecall-names 1\n" + key_line.encode() + b"\nPold\n", b"\xff\xfe\n", b""):
        cache.write_bytes(junk)
        assert completion.names()[0] == ["default", "one"]


def test_state_dir_blocked_by_a_file(aws_config, isolated_home):
    aws_config(config_text(["one"]))
    (isolated_home / ".cache").mkdir(exist_ok=True)
    (isolated_home / ".cache" / "rolecall").write_text("a file, not a dir")
    assert completion.names()[0] == ["default", "one"]


def test_big_config_scan(aws_config):
    names = many_names()
    aws_config(config_text(names))
    assert completion.names()[0] == ["default", *names]
    assert sorted(completion.names()[0]) == sorted(awsconfig.load().profiles)
