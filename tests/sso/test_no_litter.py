"""The AWS CLI's folders get only what the AWS CLI itself writes: rolecall's locks live in its own state dir."""

from __future__ import annotations

from tests.support.sandboxes import fake_browser
from tests.support.sso import BASE_CONFIG


def _aws_files(home) -> list[str]:
    root = home / ".aws"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_no_lock_files_in_dot_aws_after_every_flow(sandbox, aws_config, isolated_home, rolecall, monkeypatch):
    aws_config(BASE_CONFIG)
    env = {"BROWSER": fake_browser()}
    for argv in (["login", "--sso-session", "sandbox"], ["credential-process", "--profile", "dev-admin"],
                 ["credential-process", "--profile", "staging-deploy"], ["export", "dev-deploy", "--format", "json"],
                 ["config", "set", "dev-ro", "output", "json"], ["status"]):
        done = rolecall(*argv, env=env)
        assert done.returncode == 0, (argv, done.stderr)
    during = _aws_files(isolated_home)
    assert not [name for name in during if name.endswith(".lock")], during
    assert "config.bak" in during  # the backup `config set` announces is kept
    assert rolecall("logout", "--all").returncode == 0
    after = _aws_files(isolated_home)
    assert not [name for name in after if name.endswith(".lock")], after
    assert all(name in ("config", "config.bak") or name.endswith(".json") for name in after), after
    locks = isolated_home / ".cache" / "rolecall" / "locks"
    assert locks.is_dir() and (locks.stat().st_mode & 0o777) == 0o700
