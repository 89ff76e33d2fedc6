"""Fixtures for the console tests: real sandbox credentials, a recording browser, a fake clipboard."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from rolecall.console import SessionCredentials
from tests.support.sandbox_clients import device_login, sts_client, unsigned_config

ACCOUNT = "111111111111"
ROLE = "AdministratorAccess"
CHAIN_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/deploy"


def query_of(url: str) -> dict[str, str]:
    """The query of `url` as a dict; fails on a repeated parameter."""
    parsed = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    for key, values in parsed.items():
        assert len(values) == 1, f"{key} repeated in the URL"
    return {k: v[0] for k, v in parsed.items()}


@pytest.fixture
def sso_token(sandbox) -> dict:
    """A device-flow login against the sandbox with plain boto3 (the CreateToken answer)."""
    oidc = boto3.client("sso-oidc", config=unsigned_config())
    return device_login(sandbox, oidc)


@pytest.fixture
def role_creds(sandbox, sso_token) -> dict:
    """GetRoleCredentials' roleCredentials for 111111111111/AdministratorAccess."""
    portal = boto3.client("sso", config=unsigned_config())
    return portal.get_role_credentials(accessToken=sso_token["accessToken"], accountId=ACCOUNT,
                                       roleName=ROLE)["roleCredentials"]


@pytest.fixture
def sso_creds(role_creds) -> SessionCredentials:
    return SessionCredentials(role_creds["accessKeyId"], role_creds["secretAccessKey"],
                              role_creds["sessionToken"], account_id=ACCOUNT, role_name=ROLE)


@pytest.fixture
def chained_creds(role_creds) -> SessionCredentials:
    """AssumeRole called with the SSO role's credentials: role chaining."""
    answer = sts_client(role_creds).assume_role(RoleArn=CHAIN_ROLE_ARN, RoleSessionName="console-test")
    c = answer["Credentials"]
    return SessionCredentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"],
                              account_id=ACCOUNT, role_name="deploy")


def creds_env(creds: SessionCredentials) -> dict[str, str]:
    env = {"AWS_ACCESS_KEY_ID": creds.access_key_id, "AWS_SECRET_ACCESS_KEY": creds.secret_access_key}
    if creds.session_token:
        env["AWS_SESSION_TOKEN"] = creds.session_token
    return env


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class Recorder:
    """An executable that appends its argv (after argv[0]) as one JSON line to a log file."""

    def __init__(self, directory: Path, name: str = "record-browser", exit_code: int = 0,
                 stdout_noise: bool = True) -> None:
        self.log = directory / f"{name}.log"
        self.path = _script(directory / name, (
            "import json, sys\n"
            f"with open({str(self.log)!r}, 'a', encoding='utf-8') as f:\n"
            "    f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
            # A browser that chatters on stdout must not reach rolecall's stdout.
            + ("print('browser noise on stdout')\n" if stdout_noise else "")
            + (f"sys.stderr.write('cannot open display\\n')\nsys.exit({exit_code})\n" if exit_code else "")
        ))

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def recorder(tmp_path) -> Recorder:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    return Recorder(bindir)


@pytest.fixture
def fake_xclip(tmp_path):
    """A directory holding a fake `xclip` that stores its stdin; returns (bindir, clipboard file)."""
    bindir = tmp_path / "clipbin"
    bindir.mkdir()
    clip = tmp_path / "clipboard.txt"
    _script(bindir / "xclip", (
        "import sys\n"
        "data = sys.stdin.buffer.read()\n"
        f"open({str(clip)!r}, 'wb').write(data)\n"
        f"open({str(clip) + '.argv'!r}, 'w').write(' '.join(sys.argv[1:]))\n"
    ))
    return bindir, clip


def path_with(bindir: Path) -> str:
    return f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"
