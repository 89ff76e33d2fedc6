"""Reading what a child wrote to a pseudo-terminal."""

from __future__ import annotations

import os
import select


def read_all(leader: int, timeout: float = 30) -> bytes:
    """Everything written to the pty until its last writer is gone (or nothing came for `timeout` s)."""
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO on Linux once the follower side is closed everywhere
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)
