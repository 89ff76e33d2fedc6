"""The AWS file locations as plain strings, with nothing but `os`.

rolecall.paths wraps these in pathlib.Path; the hot paths (hotcache,
completion) use them directly because importing pathlib (and the `re` it
pulls in) costs more than the work they do.
"""

from __future__ import annotations

import os


def expand(value: str) -> str:
    # botocore applies expandvars then expanduser to these settings.
    return os.path.expanduser(os.path.expandvars(value))


def config_file() -> str:
    return expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_file() -> str:
    return expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def state_dir() -> str:
    """rolecall's own cache (completion name index, credential memo)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "rolecall")


def read_text(path: str) -> str | None:
    """A small cache file's text; None when it is missing, unreadable or not UTF-8."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None
