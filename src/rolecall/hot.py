"""The hot path, in one place: answers from rolecall's own memos, with only `os`.

botocore runs `credential_process` on every SDK start-up, `assume` runs on every
switch and completion on every TAB, so a cache hit must cost little more than
the interpreter's start. The full resolver costs ~25 ms of imports alone; this
module imports `os` and `time` and reads a few small files.

Two memos live here, in one format (a magic line, then fingerprint lines, then
the answer): a profile's credentials (`<state>/hot/p-<hex name>`) and the
completion name index (`<state>/hot/names`). A memo is an optimisation, so
every rule below errs towards a miss:

- Fingerprints (path, mtime, ctime, size, inode, device) of the config and
  credentials files and of the SSO token file are taken *before* the resolve
  reads them (`begin()`, `Snapshot.watch`) and stored with the answer; any
  change since voids the memo. A file changed less than a timestamp tick
  before its fingerprint is not trusted (a same-size rewrite in that tick).
- The AWS CLI cache entry the answer came from is fingerprinted after the
  resolve, between two stats around a read that checks it holds the answer.
- A guard that is missing voids the memo, and an SSO-based answer without a
  token guard is never stored.
- `logout` (and anything that deletes tokens or cached credentials) takes the
  state lock exclusively, deletes, then bumps the generation; a resolve reads
  the generation first and stores — its memo or a CLI cache entry — only
  under the shared lock and only if the generation is unchanged. A memo of an
  older generation is void.
- The state directory is used only if it is the user's own, not a symlink and
  not group/other-writable; memo files only if regular, the user's and 0600.
  Otherwise: no memo, one warning line, and `doctor` names the fix.

The memo holds the same secrets as the AWS CLI's own cache files, with the
same protection (0600 files in a 0700 directory).
"""

from __future__ import annotations

import os
import time

MAGIC = "rolecall-hot 2"
NAMES_MAGIC = "rolecall-names 3"
WINDOW_SECONDS = 15 * 60  # hand out credentials with ≥ 15 min left, as the AWS CLI cache does
# What AWS allows for a role session (AssumeRole DurationSeconds, console federation); defined
# here, at the bottom, because assume's cache hit checks -d before anything else is loaded.
MIN_DURATION = 900
MAX_DURATION = 43200
CHAIN_ENV = "_ROLECALL_PROFILE_CHAIN"  # set for credential_process children: the full path checks loops
# A file changed less than one timestamp tick before it was fingerprinted could
# change again in that tick, same size, unseen ("racy git"). Ticks: the kernel's
# coarse clock (≤ 10 ms) where times have ns, else 1-2 s (ext3, HFS+, FAT).
RACY_NS_FINE = 20_000_000
RACY_NS_COARSE = 2_000_000_000
MAX_MEMO_BYTES = 1 << 20
LOCK_TIMEOUT = 30.0

_SEP = "\1"  # between fingerprints on one line
_warned: set[str] = set()


# --------------------------------------------------------------------------
# Where things are (plain strings: pathlib and the `re` it imports cost more
# than a cache hit's whole work; rolecall.paths wraps these in Path).


def expand(value: str) -> str:
    # botocore applies expandvars then expanduser to these settings.
    return os.path.expanduser(os.path.expandvars(value))


def config_file() -> str:
    return expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_file() -> str:
    return expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def state_dir() -> str:
    """rolecall's own state: `$XDG_CACHE_HOME/rolecall` (a relative value is ignored, as XDG says)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "rolecall")


def hot_dir() -> str:
    return os.path.join(state_dir(), "hot")


# --------------------------------------------------------------------------
# Private state: verified before every read and write.


def dir_problem(path: str) -> str | None:
    """Why `path` must not hold rolecall's state (None: it is safe, or absent)."""
    return _checked_dir(path)[0]


def _checked_dir(path: str) -> tuple[str | None, os.stat_result | None]:
    """(problem, lstat result): (None, None) when absent; one lstat for both answers."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return f"cannot be checked ({exc.strerror})", None
    return _stat_problem(st), st


def _stat_problem(st: os.stat_result) -> str | None:
    if st.st_mode & 0o170000 == 0o120000:
        return "is a symbolic link"
    if st.st_mode & 0o170000 != 0o040000:
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"is owned by uid {st.st_uid}, not by you (uid {os.getuid()})"
    if st.st_mode & 0o022:
        return f"is writable by others (mode {st.st_mode & 0o777:o})"
    return None


def state_problems() -> list[tuple[str, str]]:
    """(directory, problem) for each unsafe state directory (for doctor and the warning)."""
    found = []
    for path in (state_dir(), hot_dir()):
        problem = dir_problem(path)
        if problem:
            found.append((path, problem))
    return found


def _warn_unsafe(path: str, problem: str) -> None:
    if path in _warned:
        return
    _warned.add(path)
    from rolecall.term import printable, warn

    warn(f"not using {printable(path)}: it {problem}; no credential memo "
         f"(fix: rm -rf {printable(path)}; see: rolecall doctor)")


def _private_dir(create: bool) -> str | None:
    """The verified hot dir (created 0700 when `create`), else None."""
    for path in (state_dir(), hot_dir()):
        problem, st = _checked_dir(path)
        if st is None and problem is None:
            if not create:
                return None
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.mkdir(path, 0o700)
            except FileExistsError:
                pass
            except OSError:
                return None
            problem, st = _checked_dir(path)  # lost a race against a planted link?
        if problem or st is None:
            if problem:
                _warn_unsafe(path, problem)
            return None
        if st.st_mode & 0o077:
            try:
                os.chmod(path, 0o700)  # ours and not writable by others: just tighten
            except OSError:
                return None
    return hot_dir()


def _read_private(path: str) -> str | None:
    """A memo's text: only a regular file of the user's, mode 0600, not through a link."""
    try:
        data = read_regular(path, MAX_MEMO_BYTES, private=True)
    except OSError:
        return None
    return None if data is None else data.decode("utf-8", "surrogateescape")


def _write_private(directory: str, name: str, text: str, *, durable: bool = True) -> bool:
    """Atomically replace `directory/name` with a 0600 file (temp + fsync + rename).

    `durable=False` skips the fsync (a few ms on some disks): for data whose loss only costs order,
    never correctness (the picker's recent uses).
    """
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError:
        return False
    try:
        try:
            os.write(fd, text.encode("utf-8", "surrogateescape"))
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, os.path.join(directory, name))
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


# --------------------------------------------------------------------------
# Reading a file that may not be a file (a FIFO hangs open(); /dev/zero never ends).

MAX_FILE_BYTES = 64 << 20  # real configs are far below this (a 10 MB value still parses); it bounds /dev/zero


class NotARegularFile(OSError):
    """A FIFO, device, socket … where a file was expected."""


class FileTooLarge(OSError):
    """Over MAX_FILE_BYTES."""


def read_regular(path: str, limit: int = MAX_FILE_BYTES, *, private: bool = False) -> bytes | None:
    """The bytes of a regular file of at most `limit` bytes; None when it does not exist.

    Raises IsADirectoryError, NotARegularFile, FileTooLarge, or another OSError.
    Opened non-blocking, so a FIFO is refused instead of waited on. `private`:
    not through a symlink, and only the user's own file with no group/other bits.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (os.O_NOFOLLOW if private else 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        kind = st.st_mode & 0o170000
        if kind == 0o040000:
            raise IsADirectoryError(21, "Is a directory", path)
        if kind != 0o100000:
            raise NotARegularFile(22, "not a regular file", path)
        if private and (st.st_uid != os.getuid() or st.st_mode & 0o077):
            raise PermissionError(13, "not private to this user", path)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            total += len(chunk)
            if total > limit or st.st_size > limit:
                raise FileTooLarge(27, f"larger than {limit >> 20} MiB", path)
            chunks.append(chunk)
    finally:
        os.close(fd)


# --------------------------------------------------------------------------
# Fingerprints: one function for every file a memo depends on.


def fingerprint(path: str) -> str:
    """The identity of `path` now: `<hex path>:<mtime>:<ctime>:<size>:<inode>:<dev>`, or `<hex path>:-`."""
    name = os.fsencode(path).hex()
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return name + ":-"
    return f"{name}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}:{st.st_ino}:{st.st_dev}"


def _path_of(print_: str) -> str:
    return os.fsdecode(bytes.fromhex(print_.partition(":")[0]))


def _absent(print_: str) -> bool:
    return print_.endswith(":-")


def _racy(print_: str, taken_ns: int) -> bool:
    """Changed so shortly before `taken_ns` (when it was fingerprinted) that a
    same-size rewrite in the same timestamp tick would go unseen."""
    parts = print_.split(":")
    if len(parts) != 6:
        return False
    ctime = int(parts[2])
    return taken_ns - ctime < (RACY_NS_COARSE if ctime % 1_000_000_000 == 0 else RACY_NS_FINE)


def files_fingerprint() -> str:
    """The config and credentials files, which every answer depends on."""
    return fingerprint(config_file()) + _SEP + fingerprint(credentials_file())


# --------------------------------------------------------------------------
# The generation: bumped by anything that deletes tokens or cached credentials.


def generation(directory: str | None = None) -> str:
    """The current generation; `directory`: the hot dir a caller has just verified."""
    if directory is None:
        directory = hot_dir() if dir_problem(state_dir()) is None and dir_problem(hot_dir()) is None else None
    if directory is None:
        return "-"
    text = _read_private(os.path.join(directory, "generation"))
    return text.strip() if text else "0"


class _StateLock:
    """flock on `<hot>/lock` (O_NOFOLLOW); shared for storing, exclusive for forgetting."""

    def __init__(self, exclusive: bool, timeout: float = LOCK_TIMEOUT) -> None:
        self.exclusive = exclusive
        self.timeout = timeout
        self.fd: int | None = None

    def __enter__(self) -> bool:
        """True when held; False when the state dir is unusable or the wait timed out."""
        directory = _private_dir(create=True)
        if directory is None:
            return False
        import fcntl

        try:
            self.fd = os.open(os.path.join(directory, "lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError:
            return False
        op = (fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, op)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    self.fd = None
                    return False
                time.sleep(0.01)
            except OSError:
                os.close(self.fd)
                self.fd = None
                return False

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def storing(expected_generation: str) -> "_Storing":
    """`with hot.storing(gen) as ok:` store only when ok (nothing forgot in between)."""
    return _Storing(expected_generation)


class _Storing:
    def __init__(self, expected: str) -> None:
        self.expected = expected
        self.lock = _StateLock(exclusive=False)

    def __enter__(self) -> bool:
        if self.expected == "-":
            return True  # no usable state dir: nothing to compare with, store as before
        held = self.lock.__enter__()
        return held and generation() == self.expected

    def __exit__(self, *exc: object) -> None:
        self.lock.__exit__(*exc)


def forgetting() -> _StateLock:
    """`with hot.forgetting():` delete tokens / cached credentials, then bump (done on exit)."""
    return _Forgetting()


class _Forgetting(_StateLock):
    def __init__(self) -> None:
        super().__init__(exclusive=True, timeout=120.0)

    def __exit__(self, *exc: object) -> None:
        try:
            clear()
            directory = _private_dir(create=True)
            if directory is not None:
                _write_private(directory, "generation", os.urandom(8).hex() + "\n")
        finally:
            super().__exit__(*exc)


# --------------------------------------------------------------------------
# Credential memos.


def memo_name(profile: str) -> str | None:
    try:
        name = os.fsencode(profile).hex()
    except (UnicodeError, ValueError):
        return None
    if not name or len(name) > 200:
        return None
    return "p-" + name


def lookup(profile: str, window_seconds: float = WINDOW_SECONDS) -> tuple[str, dict[str, str]] | None:
    """(the credential_process JSON line, the fields) from a memo that still holds, else None."""
    if os.environ.get(CHAIN_ENV):
        return None
    name = memo_name(profile)
    directory = _private_dir(create=False) if name else None
    if directory is None or name is None:
        return None
    text = _read_private(os.path.join(directory, name))
    if text is None:
        return None
    lines = text.split("\n")
    if len(lines) < 7 or lines[0] != MAGIC or lines[-1] != "":
        return None
    if lines[1] != generation(directory) or lines[2] != files_fingerprint():
        return None
    for guard in lines[3].split(_SEP) if lines[3] else ():
        if _absent(guard) or fingerprint(_path_of(guard)) != guard:
            return None
    if lines[4] != "-":
        try:
            expires = float(lines[4])
        except ValueError:
            return None
        if not expires - time.time() >= window_seconds:  # (epoch seconds: clock.py would load datetime)
            return None
    fields = {}
    for line in lines[6:-1]:
        key, sep, value = line.partition("\t")
        if sep:
            fields[key] = value
    return lines[5], fields


def memo_credentials(name: str) -> tuple[MemoCredentials, dict[str, str]] | None:
    """Credentials from the memo (what the last resolve of `name` left), if they still hold."""
    hit = lookup(name)
    if hit is None:
        return None
    fields = hit[1]
    if not fields.get("AccessKeyId") or not fields.get("SecretAccessKey"):
        return None
    expiry, epoch = fields.get("Expiration") or None, fields.get("ExpiresEpoch")
    if expiry is not None and (not expiry.endswith("Z") or epoch is None):
        return None  # not the form rolecall.hot writes: let the full path answer
    try:
        return MemoCredentials(name, fields), fields
    except ValueError:
        return None


class MemoCredentials:
    """Credentials from the memo, with rolecall.credentials.model.Credentials' attribute names.

    The expiry stays text on the hot path (no datetime import); `expiration`
    parses it for the callers that want a datetime.
    """

    def __init__(self, name: str, fields: dict[str, str]) -> None:
        self.access_key_id = fields["AccessKeyId"]
        self.secret_access_key = fields["SecretAccessKey"]
        self.session_token = fields.get("SessionToken") or None
        self.account_id = fields.get("AccountId") or None
        self.role_name = fields.get("RoleName") or None
        self.profile = name
        self.expiration_text = fields.get("Expiration") or None
        self.expires = (self.expiration_text, float(fields["ExpiresEpoch"])) if self.expiration_text else None

    @property
    def expiration(self):  # -> datetime | None
        if self.expiration_text is None:
            return None
        from rolecall import clock

        return clock.parse_timestamp(self.expiration_text)


def clear() -> None:
    """Forget every memo: only regular files with rolecall's memo names."""
    directory = _private_dir(create=False)
    if directory is None:
        return
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (name.startswith(("p-", "e-")) or name == "names" or (name.startswith(".") and name.endswith(".tmp"))):
            continue
        path = os.path.join(directory, name)
        try:
            if os.lstat(path).st_mode & 0o170000 == 0o100000:
                os.unlink(path)
        except OSError:
            pass


class Snapshot:
    """What one resolve depends on, fingerprinted before the resolve reads it.

    `begin()` before the config is read; `watch(token_path)` before the
    resolver runs; `remember(...)` after it. Any change in between voids the memo
    (the stored fingerprints are the old ones).
    """

    def __init__(self) -> None:
        self.generation = generation()
        self.taken_ns = time.time_ns()  # (before the stat: the conservative side of _racy)
        self.files = files_fingerprint()
        self.guards: list[str] = []
        self._racy_guards: list[bool] = []
        self._racy = any(_racy(p, self.taken_ns) for p in self.files.split(_SEP))
        self.sso_based = False

    def watch(self, path: str) -> None:
        taken = time.time_ns()
        print_ = fingerprint(path)
        self.guards.append(print_)
        self._racy_guards.append(_racy(print_, taken))

    def store(self, profile: str, payload: str, fields: dict[str, str], expires_epoch: float | None,
              entry_path: str | None = None, access_key_id: str | None = None,
              needs_token: bool = False, token: tuple[str, str] | None = None) -> bool:
        """Write the memo if everything it depends on is as it was; False when it was not written.

        `entry_path` / `access_key_id`: the CLI cache entry the answer is in;
        `token`: (token file, access token) the answer was fetched with, when
        it was fetched. Both are checked by content (they may have just been
        written by this very resolve, e.g. a refresh), not by a fingerprint
        taken before.
        """
        name = memo_name(profile)
        if name is None or "\n" in payload or os.environ.get(CHAIN_ENV) or self.generation == "-":
            return False  # ("-": no usable state dir to keep a memo in)
        if any("\n" in k or "\t" in k or "\n" in v for k, v in fields.items()):
            return False
        if needs_token and not self.guards:
            return False
        if self._racy:
            return False
        guards = []
        for print_, racy in zip(self.guards, self._racy_guards, strict=True):
            if token is not None and _path_of(print_) == token[0]:
                print_ = _verified_content(token[0], token[1]) or print_.partition(":")[0] + ":-"
            elif racy:
                return False
            if _absent(print_):
                return False
            guards.append(print_)
        if entry_path is not None:
            entry = _verified_content(entry_path, access_key_id)
            if entry is None:
                return False
            guards.append(entry)
        lines = [MAGIC, self.generation, self.files, _SEP.join(guards),
                 "-" if expires_epoch is None else repr(float(expires_epoch)), payload]
        lines += [f"{key}\t{value}" for key, value in fields.items()]
        with storing(self.generation) as current:
            if not current or files_fingerprint() != self.files:
                return False
            directory = _private_dir(create=True)
            return directory is not None and _write_private(directory, name, "\n".join(lines) + "\n")

    # -- the slow path's side (lazy imports: these run after a full resolve) --

    def watch_token(self, path: str | None) -> None:
        """Fingerprint the SSO token file the answer will come from (None: not SSO-based).

        The caller finds it (rolecall.sso.target.token_path_of): this module
        stays below everything it serves.
        """
        if path is None:
            return  # static keys, a credential_process, an env source
        self.sso_based = True
        self.watch(path)

    def remember(self, config, profile: str, creds, resolver) -> bool:
        """Memo `creds` (what `resolver` just gave for `profile`) for the next hot call.

        Never for credential_process profiles, whose program decides how long
        its answer holds; never without the CLI cache entry temporary
        credentials came from.
        """
        import json

        found = config.profile(profile)
        if found.is_process:
            return False
        entry_path = None
        if creds.expiration is not None:
            key = getattr(resolver, "last_cache_key", None)
            if not key:
                return False
            entry_path = str(resolver.cache.path(key))
        document = creds.process_json()
        fields = {k: v for k, v in document.items() if isinstance(v, str)}
        for key, value in (("AccountId", creds.account_id), ("RoleName", creds.role_name),
                           ("Region", found.region), ("AccountName", found.get("rolecall_account_name"))):
            if value:
                fields[key] = value
        expires = creds.expiration.timestamp() if creds.expiration is not None else None
        if expires is not None:
            fields["ExpiresEpoch"] = repr(expires)
        return self.store(profile, json.dumps(document), fields, expires, entry_path=entry_path,
                          access_key_id=creds.access_key_id, needs_token=self.sso_based,
                          token=getattr(resolver, "last_token", None))


def begin() -> Snapshot:
    """Call before anything reads the config: the fingerprints must predate the read."""
    return Snapshot()


def _verified_content(path: str, value: str | None) -> str | None:
    """The file's fingerprint, if it is unchanged around a read that shows it holds `"value"`."""
    if not value:
        return None
    before = fingerprint(path)
    try:
        text = read_regular(path, MAX_MEMO_BYTES)
    except OSError:
        return None
    if text is None:
        return None
    if f'"{value}"'.encode() not in text:
        return None
    return before if fingerprint(path) == before else None


# --------------------------------------------------------------------------
# The completion name index (the same fingerprints, the same file rules).


def names_lookup() -> tuple[str, tuple[list[str], list[str]] | None]:
    """(the files' fingerprint now, (profiles, sessions) when the index matches it)."""
    taken = time.time_ns()
    key = files_fingerprint()
    if any(_racy(p, taken) for p in key.split(_SEP)):
        return "", None  # too fresh to index: scan, and store nothing
    directory = _private_dir(create=False)
    text = _read_private(os.path.join(directory, "names")) if directory else None
    if text is None:
        return key, None
    lines = text.split("\n")
    if len(lines) < 3 or lines[0] != NAMES_MAGIC or lines[1] != key or lines[-1] != "":
        return key, None
    profiles = [line[1:] for line in lines[2:-1] if line[:1] == "P"]
    sessions = [line[1:] for line in lines[2:-1] if line[:1] == "S"]
    return key, (profiles, sessions)


def names_store(key: str, profiles: list[str], sessions: list[str]) -> None:
    """Best effort; `key` was taken before the files were read, so a change meanwhile is a miss later."""
    if not key:
        return
    body = [NAMES_MAGIC, key]
    body += ["P" + name for name in profiles if "\n" not in name]
    body += ["S" + name for name in sessions if "\n" not in name]
    directory = _private_dir(create=True)
    if directory is not None:
        _write_private(directory, "names", "\n".join(body) + "\n")


# --------------------------------------------------------------------------
# The shell integration `rolecall init SHELL` prints (every new terminal runs it).

INIT_MAGIC = "rolecall-init 1"


def _interpreter() -> str:
    import sys

    return os.fsencode(sys.executable).hex()


def init_lookup(shell: str) -> str | None:
    """The script a previous `init` rendered, while this interpreter and every file it came from are the same."""
    directory = _private_dir(create=False)
    text = _read_private(os.path.join(directory, "init-" + shell)) if directory and shell.isalpha() else None
    if text is None:
        return None
    magic, _, rest = text.partition("\n")
    interpreter, _, rest = rest.partition("\n")
    sources, _, script = rest.partition("\n")
    if magic != INIT_MAGIC or interpreter != _interpreter() or not sources or not script:
        return None
    for print_ in sources.split(_SEP):
        if _absent(print_) or fingerprint(_path_of(print_)) != print_:
            return None
    return script


class InitSnapshot:
    """The sources of `init`'s output, fingerprinted before they are read."""

    def __init__(self, paths: list[str]) -> None:
        taken = time.time_ns()
        self.prints = [fingerprint(path) for path in paths]
        self.usable = not any(_absent(p) or _racy(p, taken) for p in self.prints)

    def store(self, shell: str, script: str) -> None:
        if not self.usable or not shell.isalpha():
            return
        directory = _private_dir(create=True)
        if directory is not None:
            _write_private(directory, "init-" + shell,
                           "\n".join([INIT_MAGIC, _interpreter(), _SEP.join(self.prints), script]))


# --------------------------------------------------------------------------
# The hot commands' argv.


# The options of `rolecall credential-process`, declared once: the parser below reads
# them, and the click wrapper behind `--help` is built from them.
# (names, metavar or None for a flag, help)
CREDENTIAL_PROCESS_OPTIONS = (
    (("--profile", "-p"), "PROFILE", "The profile to resolve."),
    (("--auto-login",), None, "Log in (browser + /dev/tty) when the SSO token is missing or expired."),
    (("--window",), "MINUTES", "Re-fetch cached credentials with fewer minutes left than this (default 15)."),
    (("--mfa-token",), "CODE", "MFA code for a role with mfa_serial."),
    (("--refresh",), None, "Fetch new role credentials, skipping every cache (the AWS CLI cache entry is replaced)."),
)


def walk_options(options: tuple, argv: list[str], found: dict) -> tuple[dict | None, str]:
    """The one argv walker of the hot commands: `options` as in CREDENTIAL_PROCESS_OPTIONS.

    Values land in `found` under the first name's key (`--role-arn` → role_arn),
    flags as True; (found, "") or (None, why not).
    """
    keys = {name: names[0].lstrip("-").replace("-", "_") for names, _, _ in options for name in names}
    valued = {name for names, metavar, _ in options if metavar for name in names}
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = arg.partition("=")[0] if arg.startswith("--") else arg
        if name in valued:
            if "=" in arg:
                value, i = arg.partition("=")[2], i + 1
            elif i + 1 < len(argv):
                value, i = argv[i + 1], i + 2
            else:
                return None, f"{name} needs a value"
            found[keys[name]] = value
        elif arg in keys and arg not in valued:  # a flag
            found[keys[arg]] = True
            i += 1
        else:
            return None, f"unrecognized argument {arg!r}"
    return found, ""


def _walk_credential_process_args(argv: list[str]) -> tuple[dict | None, str]:
    """credential-process's argv: (options, "") or (None, why not)."""
    found, why = walk_options(CREDENTIAL_PROCESS_OPTIONS, argv, {
        "profile": None, "window": None, "auto_login": False, "mfa_token": None, "refresh": False})
    if found is None:
        return None, why
    if found["window"] is None:
        found["window"] = float(WINDOW_SECONDS)
    else:
        value = found["window"]
        try:
            minutes = float(value)
        except ValueError:
            return None, f"--window must be a number of minutes, got {value!r}"
        if not 0 <= minutes < float("inf"):
            return None, "--window must be a number of minutes >= 0"
        found["window"] = minutes * 60
    if found["profile"] is None:
        return None, "--profile PROFILE is required"
    return found, ""


def credential_process_problem(argv: list[str]) -> str:
    """Why parse_credential_process_args refused `argv`, for the one-line error."""
    return _walk_credential_process_args(argv)[1]


def parse_credential_process_args(argv: list[str]) -> dict | None:
    """{profile, window (s), auto_login, mfa_token, refresh}; None → not valid (credential_process_problem says why)."""
    return _walk_credential_process_args(argv)[0]


_leader_fd: int | None = None  # held until exit by the process resolving a profile for the others
WAIT_FOR_LEADER_SECONDS = 15.0


def _wait_for_leader(profile: str) -> None:
    """On a miss: become the one process that resolves `profile`, or wait for the one that is.

    A burst of SDK processes (terraform's providers) misses together; one full
    resolve (botocore imported once) then serves the rest from the memo it
    writes, instead of 50 full start-ups queueing on the AWS CLI cache lock.
    The leader holds its lock until it exits; a waiter gives up after
    WAIT_FOR_LEADER_SECONDS (a login in progress) and resolves itself.
    """
    global _leader_fd
    name = memo_name(profile)
    directory = _private_dir(create=True) if name else None
    if directory is None or name is None or os.environ.get(CHAIN_ENV):
        return
    import fcntl

    try:
        fd = os.open(os.path.join(directory, "l" + name[1:]), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _leader_fd = fd
        return
    except OSError:
        pass
    import signal

    def give_up(_signum: int, _frame: object) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, WAIT_FOR_LEADER_SECONDS)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # returns when the leader exits
    except (TimeoutError, OSError):
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        os.close(fd)


def serve_init(argv: list[str]) -> bool:
    """Answer `rolecall init SHELL` from its memo; False → render it (rolecall.commands.init)."""
    if len(argv) != 1 or argv[0] not in ("bash", "zsh", "fish"):
        return False
    script = init_lookup(argv[0])
    if script is None:
        return False
    import sys

    sys.stdout.flush()
    sys.stdout.buffer.write(script.encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()
    return True


def serve_credential_process(argv: list[str]) -> bool:
    """Answer `rolecall credential-process …` from the memo; False → take the full path."""
    parsed = parse_credential_process_args(argv)
    if parsed is None or parsed["refresh"]:
        return False
    hit = lookup(parsed["profile"], parsed["window"])
    if hit is None:
        _wait_for_leader(parsed["profile"])
        if _leader_fd is not None:
            return False
        hit = lookup(parsed["profile"], parsed["window"])
        if hit is None:
            return False
    import sys

    sys.stdout.write(hit[0] + "\n")
    sys.stdout.flush()
    return True


# --------------------------------------------------------------------------
# `rolecall eks token`: kubectl runs it before every request.

EKS_MAGIC = "rolecall-eks 1"
EKS_MIN_LEFT_SECONDS = 60  # hand out a cached token only with more than this left

# (names, metavar or None for a flag, help), as CREDENTIAL_PROCESS_OPTIONS
EKS_TOKEN_OPTIONS = (
    (("--cluster", "--cluster-name", "-c"), "NAME", "The EKS cluster's name (the x-k8s-aws-id the token is for)."),
    (("--profile", "-p"), "PROFILE", "The profile whose credentials sign the token (default: "
                                     "AWS_DEFAULT_PROFILE, AWS_PROFILE, default)."),
    (("--region", "-r"), "REGION", "The cluster's region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)."),
    (("--role-arn",), "ARN", "Assume this role with the profile's credentials and sign with it."),
    (("--auto-login",), None, "Log in (browser + /dev/tty) when the SSO token is missing or expired."),
)


def parse_eks_token_args(argv: list[str]) -> tuple[dict | None, str]:
    """{cluster, profile, region, role_arn, auto_login}: (options, "") or (None, why not)."""
    found, why = walk_options(EKS_TOKEN_OPTIONS, argv, {
        "cluster": None, "profile": None, "region": None, "role_arn": None, "auto_login": False})
    if found is None:
        return None, why
    if not found["cluster"]:
        return None, "--cluster NAME is required"
    if found["profile"] is None:
        # botocore's order: AWS_DEFAULT_PROFILE, then AWS_PROFILE (as rolecall.awsconfig.env_profile)
        found["profile"] = os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE") or "default"
    return found, ""


def eks_region(override: str | None, profile_region: str | None) -> str | None:
    """The region a token is signed for: the option, then the environment, then the profile's."""
    return override or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or profile_region


def _eks_key(cluster: str, profile: str, region: str, role_arn: str | None) -> str:
    return _SEP.join((cluster, profile, region, role_arn or ""))


def _eks_memo_name(key: str) -> str:
    import zlib

    # A short stable name; the key itself is inside and compared, so a collision is a miss.
    return "e-%08x" % zlib.crc32(key.encode("utf-8", "surrogateescape"))


def eks_lookup(options: dict) -> str | None:
    """A cached ExecCredential for `options`, while it has > 1 min left and was signed with the
    credentials the profile's memo holds now (so logout, a config change, new keys: a miss)."""
    if os.environ.get(CHAIN_ENV) or "\n" in "".join(v for v in options.values() if isinstance(v, str)):
        return None
    hit = lookup(options["profile"])
    if hit is None:
        return None
    region = eks_region(options["region"], hit[1].get("Region"))
    if not region:
        return None
    key = _eks_key(options["cluster"], options["profile"], region, options["role_arn"])
    directory = _private_dir(create=False)
    text = _read_private(os.path.join(directory, _eks_memo_name(key))) if directory else None
    if text is None:
        return None
    lines = text.split("\n")
    if len(lines) != 6 or lines[0] != EKS_MAGIC or lines[1] != key or lines[-1] != "":
        return None
    if not lines[2] or lines[2] != hit[1].get("AccessKeyId"):
        return None
    try:
        expires = float(lines[3])
    except ValueError:
        return None
    if not expires - time.time() > EKS_MIN_LEFT_SECONDS:
        return None
    return lines[4]


def eks_store(options: dict, region: str, access_key_id: str, expires_epoch: float, payload: str,
              expected_generation: str) -> bool:
    """Keep the ExecCredential `payload`; only if the profile's memo holds `access_key_id` now."""
    key = _eks_key(options["cluster"], options["profile"], region, options["role_arn"])
    if "\n" in key or "\n" in payload or "\n" in access_key_id or expected_generation == "-":
        return False
    with storing(expected_generation) as current:
        hit = lookup(options["profile"])
        if not current or hit is None or hit[1].get("AccessKeyId") != access_key_id:
            return False
        directory = _private_dir(create=True)
        return directory is not None and _write_private(
            directory, _eks_memo_name(key), "\n".join([EKS_MAGIC, key, access_key_id, repr(float(expires_epoch)),
                                                       payload, ""]))


def serve_eks_token(argv: list[str]) -> bool:
    """Answer `rolecall eks token …` from the memo; False → take the full path."""
    options, _ = parse_eks_token_args(argv)
    payload = eks_lookup(options) if options is not None else None
    if payload is None:
        return False
    import sys

    sys.stdout.write(payload + "\n")
    sys.stdout.flush()
    return True


# --------------------------------------------------------------------------
# Recent use (the picker's frecency order): `<hot>/recent`, one `hex name<TAB>count<TAB>epoch` line each.

RECENT_MAX = 500


def recent_uses() -> dict[str, tuple[int, float]]:
    """profile → (times assumed, last time) from the state dir (empty when there is none)."""
    directory = _private_dir(create=False)
    text = _read_private(os.path.join(directory, "recent")) if directory else None
    found: dict[str, tuple[int, float]] = {}
    for line in (text or "").split("\n"):
        parts = line.split("\t")
        if len(parts) != 3:
            continue
        try:
            found[bytes.fromhex(parts[0]).decode("utf-8", "surrogateescape")] = (int(parts[1]), float(parts[2]))
        except ValueError:
            continue
    return found


def record_use(profile: str) -> None:
    """Count one more use of `profile` (best effort: a lost update only reorders the picker)."""
    try:
        name = profile.encode("utf-8", "surrogateescape").hex()
    except UnicodeError:
        return
    uses = recent_uses()
    count, _ = uses.pop(profile, (0, 0.0))
    lines = [f"{name}\t{count + 1}\t{time.time():.0f}"]
    newest = sorted(uses.items(), key=lambda item: -item[1][1])[:RECENT_MAX - 1]
    lines += [f"{key.encode('utf-8', 'surrogateescape').hex()}\t{c}\t{t:.0f}" for key, (c, t) in newest]
    directory = _private_dir(create=True)
    if directory is not None:
        _write_private(directory, "recent", "\n".join(lines) + "\n", durable=False)
