"""One safe read-modify-write of the config file (or of the credentials file).

    lock `<config>.lock` → read → edit a ConfigDocument → render →
    check botocore's view of the result (parses; means what was asked) →
    keep the previous file as `<config>.bak` (0600) → atomic replace (mode kept)

An edit that changes nothing writes nothing (the file stays byte-identical,
its mtime too). A failed check raises and writes nothing. `AWS_CONFIG_FILE`
is honoured; a symlinked config (dotfiles) is written through the link, so the
link survives.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rolecall import awsconfig, fileio, paths
from rolecall.configedit.document import ConfigDocument
from rolecall.errors import ConfigError

LOCK_TIMEOUT = 30  # seconds; config edits are short


@dataclass
class EditResult:
    path: Path
    before: str
    after: str
    written: bool = False
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)  # warnings for stderr
    info: list[str] = field(default_factory=list)  # what to do next, for stderr

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        return unified_diff(self.before, self.after, str(self.path))


Change = Callable[[ConfigDocument, awsconfig.AwsConfig, list], None]
Check = Callable[[awsconfig.AwsConfig], None]


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def config_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> fileio.FileLock:
    """The writers' lock on the `<path>.lock` sidecar; the directory keeps its mode."""
    _ensure_parent(path)
    return fileio.file_lock(path, timeout, private_dir=False)


def _ensure_parent(path: Path) -> None:
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def edit(change: Change, check: Check | None = None, *, path: Path | None = None,
         dry_run: bool = False) -> EditResult:
    """Apply `change(document, config, notes)` to the config file, safely.

    `config` is the file as read (credentials merged in) for the change's own
    validation; `check(new_config)` gets the new config file alone (credentials
    left out) and must raise if it does not mean what was asked.
    """
    path = path if path is not None else paths.config_file()
    def timed_out() -> ConfigError:
        return ConfigError(
            f"another process has held the lock {path}.lock for {LOCK_TIMEOUT} s", path=str(path),
            hint=f"wait for the other `rolecall config` to finish, or delete {path}.lock if none runs",
        )

    with fileio.holding(config_lock(path), timed_out):
        return _edit_locked(path, change, check, dry_run)


def edit_credentials(change: Change, check: Check | None = None, *, path: Path | None = None,
                     dry_run: bool = False) -> EditResult:
    """The same transaction on the credentials file: its sections are CREDENTIALS ones,
    `check` gets the new credentials file alone, and the file is left 0600 (it holds keys)."""
    path = path if path is not None else paths.credentials_file()

    def timed_out() -> ConfigError:
        return ConfigError(f"another process has held the lock {path}.lock for {LOCK_TIMEOUT} s", path=str(path),
                           hint=f"wait for the other rolecall to finish, or delete {path}.lock if none runs")

    with fileio.holding(config_lock(path), timed_out):
        return _edit_locked(path, change, check, dry_run, credentials=True)


def _edit_locked(path: Path, change: Change, check: Check | None, dry_run: bool, *,
                 credentials: bool = False) -> EditResult:
    config = awsconfig.load(credentials_path=path) if credentials else awsconfig.load(config_path=path)
    text = config.credentials_text if credentials else config.config_text
    before = text or ""
    document = ConfigDocument(before, str(path), checked=True, credentials=credentials)
    notes: list[str] = []
    change(document, config, notes)
    after = document.render()
    result = EditResult(path=path, before=before, after=after, notes=notes)
    if after == before:
        return result
    try:
        # The edited file alone (nothing merged in): checks ask what *it* now says.
        new_config = awsconfig.AwsConfig(config.config_path, config.credentials_path,
                                         None if credentials else after, after if credentials else None)
        if check is not None:
            check(new_config)
    except ConfigError as exc:
        raise ConfigError(
            f"refusing to write: the edit would leave the file wrong ({exc.reason})", path=str(path),
            hint="nothing was written; run again with --debug and report it",
        ) from exc
    if dry_run:
        return result
    write(path, before if text is not None else None, after, mode=0o600 if credentials else None)
    result.written = True
    result.backup = backup_path(path) if text is not None else None
    return result


def write(path: Path, before: str | None, after: str, *, mode: int | None = None) -> None:
    """Back up `before` (if the file existed) and atomically replace the file (`mode`: None keeps it)."""
    target = Path(os.path.realpath(path))  # keep a symlink a symlink
    _ensure_parent(target)
    if before is not None:
        fileio.atomic_write(backup_path(path), before, mode=0o600, private_dir=False)
    fileio.atomic_write(target, after, mode=mode, private_dir=False)


def unified_diff(before: str, after: str, name: str) -> str:
    import difflib

    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), fromfile=f"{name} (current)",
        tofile=f"{name} (new)", lineterm="",
    )
    return "".join(line + "\n" for line in lines)
