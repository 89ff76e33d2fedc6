"""rolecall's own settings: `$XDG_CONFIG_HOME/rolecall/settings.json`, never the AWS config.

    {"browser": {"name": "chromium", "path": "/usr/bin/chromium"},
     "sso_browser": {"name": "firefox", "path": "/usr/bin/firefox"}}

Written atomically, 0600 in a 0700 directory, under a lock. A file that does not
parse, or holds a value of the wrong kind, is an error naming the file and the
key, and is never overwritten (nothing is lost).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rolecall.errors import ConfigError

KEYS = {"browser": "the console browser", "sso_browser": "the sign-in browser"}


def settings_path() -> Path:
    """`$XDG_CONFIG_HOME/rolecall/settings.json` (a relative XDG_CONFIG_HOME is ignored, as XDG says)."""
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "rolecall" / "settings.json"


def load() -> dict[str, Any]:
    """The settings ({} when there is no file); ConfigError for a damaged one."""
    from rolecall import hot

    path = settings_path()
    try:
        data = hot.read_regular(str(path), 1 << 20)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})",
                          hint=f"check the file: ls -l {path}") from None
    if data is None:
        return {}
    try:
        found = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ConfigError(f"{path}: not valid JSON{where}; rolecall's settings cannot be read",
                          hint=f"fix it, or move it aside and set again: mv {path} {path}.broken") from None
    if not isinstance(found, dict):
        raise ConfigError(f"{path}: not a JSON object", hint=f"move it aside: mv {path} {path}.broken")
    for key, value in found.items():
        if key in KEYS and not (isinstance(value, dict) and isinstance(value.get("name"), str)
                                and isinstance(value.get("path", ""), (str, type(None)))):
            raise ConfigError(f"{path}: {key} must be an object with a name (and a path)",
                              hint=f"set it again: rolecall browser {'set-sso' if key == 'sso_browser' else 'set'} NAME")
    return found


def update(key: str, value: dict[str, Any] | None) -> Path:
    """Set (None: remove) one key, keeping every other one; returns the file written."""
    from rolecall import fileio
    from rolecall.errors import RolecallError

    path = settings_path()
    lock = fileio.file_lock(path)
    with fileio.holding(lock, lambda: RolecallError(f"{path} is being changed by another rolecall",
                                                    hint="try again in a moment")):
        current = load()
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        fileio.atomic_write(path, json.dumps(current, indent=2, sort_keys=True) + "\n", mode=0o600)
    return path
