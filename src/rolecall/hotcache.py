"""The hot path, in one place: credentials served from a memo, with only `os`.

botocore runs `credential_process` on every SDK start-up, and `assume` runs on
every switch, so a cache hit must cost little more than the interpreter's own
start. The full resolver (config parsing, the AWS CLI cache, key hashing)
costs ~25 ms of imports alone; this module costs none: it imports `os` and
`time` and reads one small file.

After a successful resolve, `store()` writes a memo per profile under
`<state dir>/hot/` (0600 in a 0700 dir, atomic): the identity (stat) of the
config and credentials files it was resolved from, the expiry, the files it
depends on (guards), and the answer itself. `lookup()` serves it only when the
files are unchanged, the guards exist and at least `window` seconds remain —
the same rule the AWS CLI cache follows. Guards are the SSO token file and the
AWS CLI cache entry the answer came from, compared by stat: a refresh, a
logout or another tool rewriting them voids the memo. Anything unusual (recursion-guard
env var, odd arguments, a name too long for a file name) falls back to the full
path, which also rewrites the memo.

The memo holds the same secrets as the AWS CLI's own cache files, with the
same protection.
"""

from __future__ import annotations

import os
import time

from rolecall import fastpaths

MAGIC = "rolecall-hot 1"
DEFAULT_WINDOW_SECONDS = 15 * 60  # rolecall.creds.role_cache's: hand out ≥ 15 min, like the AWS CLI
CHAIN_ENV = "_ROLECALL_PROFILE_CHAIN"  # rolecall.creds.process_source.PROFILE_CHAIN_ENV


def _files() -> tuple[str, str]:
    return fastpaths.config_file(), fastpaths.credentials_file()


def hot_dir() -> str:
    return os.path.join(fastpaths.state_dir(), "hot")


def memo_path(profile: str) -> str | None:
    name = profile.encode("utf-8").hex()
    if not name or len(name) > 200:
        return None
    return os.path.join(hot_dir(), name)


def _file_stamp(path: str) -> str:
    try:
        st = os.stat(path)
        return f"{path}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}".replace("\n", "\\n")
    except OSError:
        return f"{path}\0-".replace("\n", "\\n")


def _stamp() -> str:
    return "\0".join(_file_stamp(path) for path in _files())


def lookup(profile: str, window_seconds: float) -> tuple[str, dict[str, str]] | None:
    """(the credential_process JSON line, the fields) from a valid memo, else None."""
    if os.environ.get(CHAIN_ENV):
        return None  # a credential_process child: the full path checks for loops
    path = memo_path(profile)
    if path is None:
        return None
    text = fastpaths.read_text(path)
    if text is None:
        return None
    lines = text.split("\n")
    if len(lines) < 6 or lines[0] != MAGIC or lines[1] != _stamp():
        return None
    if lines[2] != "-":
        try:
            expires = float(lines[2])
        except ValueError:
            return None
        if expires - time.time() < window_seconds:
            return None
    for guard in lines[3].split("\1"):
        path = guard.partition("\0")[0]
        if guard and _file_stamp(path) != guard:
            return None
    fields = {}
    for line in lines[5:]:
        key, sep, value = line.partition("\t")
        if sep:
            fields[key] = value
    return lines[4], fields


def store(profile: str, payload: str, fields: dict[str, str], expires_epoch: float | None,
          guards: list[str]) -> None:
    """Write the memo (best effort: a failure only costs the next call some speed)."""
    path = memo_path(profile)
    if path is None or "\n" in payload:
        return
    for key, value in fields.items():
        if "\n" in key or "\t" in key or "\n" in value:
            return
    lines = [MAGIC, _stamp(), "-" if expires_epoch is None else repr(float(expires_epoch)),
             "\1".join(_file_stamp(path) for path in guards), payload]
    lines += [f"{key}\t{value}" for key, value in fields.items()]
    try:
        from pathlib import Path

        from rolecall import fileio

        fileio.ensure_private_dir(Path(hot_dir()).parent)
        fileio.atomic_write(Path(path), "\n".join(lines) + "\n", mode=0o600)
    except OSError:
        pass


def clear() -> None:
    """Forget every memo (logout)."""
    directory = hot_dir()
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass


def parse_credential_process_args(argv: list[str]) -> tuple[str, float] | None:
    """(profile, window seconds) for the plain forms; None sends argv to argparse."""
    profile = None
    window = 15.0
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--profile", "-p", "--window", "--mfa-token") and i + 1 < len(argv):
            value = argv[i + 1]
            i += 2
        elif arg.startswith(("--profile=", "--window=", "--mfa-token=")):
            arg, _, value = arg.partition("=")
            i += 1
        elif arg == "--auto-login":
            i += 1
            continue
        else:
            return None
        if arg in ("--profile", "-p"):
            profile = value
        elif arg == "--window":
            try:
                window = float(value)
            except ValueError:
                return None
            if not 0 <= window < float("inf"):
                return None
    if profile is None:
        return None
    return profile, window * 60


def serve_credential_process(argv: list[str], write=None) -> bool:
    """Answer `rolecall credential-process …` from the memo; False → take the full path."""
    parsed = parse_credential_process_args(argv)
    if parsed is None:
        return False
    hit = lookup(*parsed)
    if hit is None:
        return False
    import sys

    (write or sys.stdout.write)(hit[0] + "\n")
    sys.stdout.flush()
    return True
