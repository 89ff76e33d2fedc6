"""`export --format ini` and `export P --to-credentials-file [NAME]`, read back by botocore."""

from __future__ import annotations

import configparser
import json
import os
import stat
import subprocess
import sys

import pytest

from tests.support.sso import DEV, botocore_session, caller_identity

CREDENTIALS = """\
# my keys -- keep this comment
[long-term]
aws_access_key_id = AKIALONGTERM
aws_secret_access_key = long/term+secret

[other]  
region = eu-west-1
"""


def _ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def _botocore_keys(profile: str) -> tuple[str, str, str | None]:
    session = botocore_session()
    session.set_config_variable("profile", profile)
    frozen = session.get_credentials().get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


@pytest.fixture
def credentials_path(logged_in, isolated_home):
    path = isolated_home / ".aws" / "credentials"
    path.write_text(CREDENTIALS, encoding="utf-8")
    path.chmod(0o644)
    return path


def test_ini_is_a_credentials_section(rolecall, logged_in):
    doc = json.loads(_ok(rolecall("export", "dev-admin", "--format", "json")))
    parser = configparser.RawConfigParser()
    parser.read_string(_ok(rolecall("export", "dev-admin", "--format", "ini")))
    assert parser.sections() == ["dev-admin"]
    section = parser["dev-admin"]
    assert (section["aws_access_key_id"], section["aws_secret_access_key"], section["aws_session_token"]) == (
        doc["AccessKeyId"], doc["SecretAccessKey"], doc["SessionToken"])
    assert section["rolecall_expiration"] == doc["Expiration"].replace("+00:00", "Z")


def test_to_credentials_file_touches_only_its_section(rolecall, credentials_path, sandbox):
    before = credentials_path.read_text()
    result = rolecall("export", "dev-admin", "--to-credentials-file", "legacy-tool")
    assert _ok(result) == ""  # nothing on stdout: the file is the output
    assert f"as [legacy-tool] in {credentials_path}" in result.stderr
    text = credentials_path.read_text()
    assert text.startswith(before)  # every byte of the file as it was, then the new section
    assert stat.S_IMODE(credentials_path.stat().st_mode) == 0o600
    backup = credentials_path.with_name("credentials.bak")
    assert backup.read_text() == before and stat.S_IMODE(backup.stat().st_mode) == 0o600
    keys = _botocore_keys("legacy-tool")  # botocore's SharedCredentialProvider reads what was written
    doc = json.loads(_ok(rolecall("export", "dev-admin", "--format", "json")))
    assert keys == (doc["AccessKeyId"], doc["SecretAccessKey"], doc["SessionToken"])
    assert caller_identity(doc)["Account"] == DEV
    # new keys replace the section's lines in place; the rest stays
    _ok(rolecall("export", "dev-admin", "--to-credentials-file", "legacy-tool", "--refresh"))
    again = credentials_path.read_text()
    assert again.startswith(before) and again.count("[legacy-tool]") == 1
    assert _botocore_keys("legacy-tool") != keys
    assert credentials_path.with_name("credentials.bak").read_text() == text


def test_its_own_name_for_an_sso_profile(rolecall, credentials_path):
    """Keys under [dev-admin] serve tools that read only the credentials file; botocore still uses SSO."""
    _ok(rolecall("export", "dev-admin", "--to-credentials-file"))
    parser = configparser.RawConfigParser()
    parser.read(credentials_path)
    assert parser["dev-admin"]["aws_access_key_id"].startswith("ASIA")
    session = botocore_session()
    session.set_config_variable("profile", "dev-admin")
    assert session.get_credentials().method == "sso"


@pytest.mark.parametrize("name, message", [
    ("long-term", "section [long-term] of {path} holds keys rolecall did not write (long-term keys?); they are left alone"),
    ("via-process", "profile 'via-process' in {config} uses credential_process, and keys under [via-process] "
                    "would take its place"),
])
def test_what_it_will_not_overwrite(rolecall, credentials_path, name, message):
    before = credentials_path.read_bytes()
    result = rolecall("export", "dev-admin", "--to-credentials-file", name)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "rolecall: error: " + message.format(path=credentials_path,
                                                            config=os.environ["AWS_CONFIG_FILE"])
    assert lines[1] == "hint: write another section: rolecall export dev-admin --to-credentials-file OTHER-NAME"
    assert credentials_path.read_bytes() == before
    assert not credentials_path.with_name("credentials.bak").exists()


def test_two_writers_at_once_both_land(credentials_path, logged_in):
    """The edit holds the credentials file's lock: neither write is lost."""
    procs = [subprocess.Popen([sys.executable, "-m", "rolecall", "export", "dev-admin", "--to-credentials-file",
                               f"tool-{n}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    parser = configparser.RawConfigParser()
    parser.read(credentials_path)
    assert {"tool-0", "tool-1", "tool-2", "long-term", "other"} <= set(parser.sections())


def test_a_profile_name_after_the_option_is_not_taken_silently(rolecall, credentials_path):
    before = credentials_path.read_bytes()
    result = rolecall("export", "--to-credentials-file", "dev-admin")
    assert result.returncode == 2
    assert result.stderr.splitlines()[1] == "hint: name the profile first: rolecall export dev-admin --to-credentials-file"
    assert credentials_path.read_bytes() == before
