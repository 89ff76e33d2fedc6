"""Tab-separated rows kept in rolecall's state dir for completion (`eks-clusters`, `portal-roles`).

A cache only: writing is best effort and reading a missing, foreign or broken
file gives no rows. Stdlib only (completion reads these on a TAB); the file is
0600 in the private state dir and read only when it is the user's own.
"""

from __future__ import annotations

import os


def _path(name: str) -> str:
    from rolecall import hot

    return os.path.join(hot.state_dir(), name)


def read(name: str, width: int, limit: int = 4 << 20) -> list[tuple[str, ...]]:
    """The rows of file `name` that have exactly `width` fields."""
    from rolecall import hot

    try:
        data = hot.read_regular(_path(name), limit, private=True)
    except OSError:
        return []
    rows = [tuple(line.split("\t")) for line in (data or b"").decode("utf-8", "replace").splitlines()]
    return [row for row in rows if len(row) == width]


def write(name: str, rows: list[tuple[str, ...]], keep: int) -> None:
    """Replace file `name` with the last `keep` rows (a field with a tab or a line break is dropped)."""
    from pathlib import Path

    from rolecall import fileio, hot

    if hot.dir_problem(hot.state_dir()) is not None:
        return
    text = "".join("\t".join(row) + "\n" for row in rows[-keep:]
                   if not any(ch in "".join(row) for ch in "\t\r\n"))
    try:
        fileio.atomic_write(Path(_path(name)), text)
    except OSError:
        pass
