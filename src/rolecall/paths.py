"""Every filesystem location and environment override, in one place.

Functions, not constants: tests (and users) change HOME and AWS_* at run time.
"""

from __future__ import annotations

import os
from pathlib import Path


def _expand(value: str) -> Path:
    # botocore applies expandvars then expanduser to these settings.
    return Path(os.path.expanduser(os.path.expandvars(value)))


def home() -> Path:
    return Path(os.path.expanduser("~"))


def config_file() -> Path:
    return _expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def credentials_file() -> Path:
    return _expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def sso_cache_dir() -> Path:
    """Token and client-registration cache; no env override in botocore."""
    return home() / ".aws" / "sso" / "cache"


def cli_cache_dir() -> Path:
    """Role-credential cache shared with the AWS CLI."""
    return home() / ".aws" / "cli" / "cache"


def state_dir() -> Path:
    """rolecall's own cache (profile-name index for completion, …)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(home() / ".cache")
    return Path(base) / "rolecall"
