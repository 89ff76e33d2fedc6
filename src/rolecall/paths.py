"""Every filesystem location and environment override, in one place.

Functions, not constants: tests (and users) change HOME and AWS_* at run time.
"""

from __future__ import annotations

import os
from pathlib import Path

from rolecall import hot


def home() -> Path:
    return Path(os.path.expanduser("~"))


def config_file() -> Path:
    return Path(hot.config_file())


def credentials_file() -> Path:
    return Path(hot.credentials_file())


def sso_cache_dir() -> Path:
    """Token and client-registration cache; no env override in botocore."""
    return home() / ".aws" / "sso" / "cache"


def cli_cache_dir() -> Path:
    """Role-credential cache shared with the AWS CLI."""
    return home() / ".aws" / "cli" / "cache"


def state_dir() -> Path:
    """rolecall's own cache (profile-name index for completion, credential memo)."""
    return Path(hot.state_dir())


def data_dir() -> Path:
    """rolecall's own data that is not a cache: `$XDG_DATA_HOME/rolecall` (browser profiles).

    A relative XDG_DATA_HOME is ignored, as XDG says.
    """
    base = os.environ.get("XDG_DATA_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(str(home()), ".local", "share")
    return Path(base) / "rolecall"
