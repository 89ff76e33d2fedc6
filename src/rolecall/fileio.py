"""Crash-safe files: atomic writes with strict modes, JSON caches, locks.

A reader (or a `kill -9`) never sees half a file: data goes to a temp file in
the same directory, is fsynced, then renamed over the target. Cache files are
0600 and their directories 0700, like the AWS CLI's.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # (not typing.TYPE_CHECKING: importing typing costs ms on the hot path)
if TYPE_CHECKING:
    from typing import Callable

from rolecall.log import log

if TYPE_CHECKING:  # (typing's Any and pathlib cost ms on the hot paths that import this)
    from pathlib import Path
    from typing import Any


LOCK_TIMEOUT = 120  # seconds; a login may hold a lock while the user types


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) 0700; tighten it if it is looser."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass


def atomic_write(path: Path, data: bytes | str, *, mode: int | None = 0o600, private_dir: bool = True) -> None:
    """Replace `path` with `data` atomically (temp + fsync + rename).

    `mode=None` keeps the mode of an existing file (0600 for a new one).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    directory = path.parent
    if private_dir:
        ensure_private_dir(directory)
    else:
        directory.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o600
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def read_json(path: Path) -> dict | None:
    """The JSON object in `path`; None if absent. Corrupt → None with a warning."""
    from rolecall import hot

    try:
        raw = hot.read_regular(str(path))
    except OSError as exc:
        log.warning("ignoring unreadable cache file %s (%s)", path, exc.strerror)
        return None
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        log.warning("ignoring corrupt cache file %s (not valid JSON)", path)
        return None
    if not isinstance(value, dict):
        log.warning("ignoring corrupt cache file %s (not a JSON object)", path)
        return None
    return value


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than the timeout."""


class FileLock:
    """A cross-process lock on a sidecar file `<path>.lock`.

    On POSIX this is fcntl.flock, the mechanism filelock's UnixFileLock uses,
    without its ~20 ms import: every process racing for an expiring token
    takes this lock, so its cost multiplies. Elsewhere it delegates to the
    filelock package. Re-entrant within one object; released on exit (the
    kernel drops a flock when the process dies, so a kill -9 never leaves a
    stale lock behind).
    """

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT) -> None:
        self.lock_path = str(path) + ".lock"
        self.timeout = timeout
        self._fd: int | None = None
        self._depth = 0
        self._fallback: Any = None

    def acquire(self) -> None:
        if self._depth:
            self._depth += 1
            return
        try:
            import fcntl
        except ImportError:  # not POSIX
            self._acquire_filelock()
        else:
            self._acquire_flock(fcntl)
        self._depth = 1

    def _acquire_flock(self, fcntl: Any) -> None:
        import time

        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockTimeout(self.lock_path) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def _acquire_filelock(self) -> None:
        import filelock

        self._fallback = filelock.FileLock(self.lock_path, timeout=self.timeout, mode=0o600)
        try:
            self._fallback.acquire()
        except filelock.Timeout:
            raise LockTimeout(self.lock_path) from None

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth:
            return
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
        if self._fallback is not None:
            self._fallback.release()
            self._fallback = None

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class holding:  # noqa: N801 (used like a function: `with holding(lock, error):`)
    """Hold `lock` for the block; when it cannot be had in time, raise `on_timeout()` instead.

    The one way rolecall turns a lock wait that ran out into the caller's own
    error (which names the file and the other process it waits for). A class,
    not contextlib: this module is on the hot path.
    """

    def __init__(self, lock: FileLock, on_timeout: "Callable[[], BaseException]") -> None:
        self.lock, self.on_timeout = lock, on_timeout

    def __enter__(self) -> FileLock:
        try:
            self.lock.acquire()
        except LockTimeout:
            raise self.on_timeout() from None
        return self.lock

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


def file_lock(path: Path, timeout: float = LOCK_TIMEOUT, *, private_dir: bool = True) -> FileLock:
    """The lock guarding `path`, kept in rolecall's state dir, never beside `path`.

    The locks are between rolecall processes only, so the AWS CLI's folders
    (~/.aws, its caches) get only the files the AWS CLI itself writes. The lock
    file is `<state>/locks/<name>-<hash of the absolute path>.lock`. When the
    state dir is unusable (not the user's own, a link…), the old sidecar
    `<path>.lock` is used instead: a lock must never be skipped.
    `private_dir` applies to that fallback only (the config file's own directory
    keeps its mode).
    """
    import hashlib
    from pathlib import Path

    from rolecall import hot

    state = hot.state_dir()
    locks = os.path.join(state, "locks")
    if hot.dir_problem(state) is None and hot.dir_problem(locks) is None:
        try:
            ensure_private_dir(Path(locks))
        except OSError:
            pass
        else:
            if hot.dir_problem(locks) is None:  # (not replaced by a link meanwhile)
                absolute = os.path.abspath(os.fspath(path))
                digest = hashlib.sha256(os.fsencode(absolute)).hexdigest()[:32]
                return FileLock(Path(locks) / f"{os.path.basename(absolute)[:40]}-{digest}", timeout)
    if private_dir:
        ensure_private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path, timeout)
