"""rolecall's logger, imported lazily.

`logging` (with traceback, string, …) costs several milliseconds to import;
the hot paths (credential-process cache hit, completion, assume) usually log
nothing, so they should not pay it. `log.warning(...)` imports and configures
logging on first use: warnings go to stderr as one `rolecall: warning: …`
line; debug messages only with `--debug` (ROLECALL_DEBUG=1). Only rolecall's
own logger is configured: botocore's debug logs carry tokens.
"""

from __future__ import annotations

import os
import sys

NAME = "rolecall"


def _debug() -> bool:
    return os.environ.get("ROLECALL_DEBUG", "") not in ("", "0")


def get_logger():
    import logging

    logger = logging.getLogger(NAME)
    if not any(getattr(h, "_rolecall", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("rolecall: %(levelname)s: %(message)s"))
        handler._rolecall = True
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if _debug() else logging.WARNING)
    return logger


class _LazyLogger:
    def debug(self, msg: str, *args: object) -> None:
        if _debug():
            get_logger().debug(msg, *args)

    def info(self, msg: str, *args: object) -> None:
        if _debug():
            get_logger().info(msg, *args)

    def __init__(self) -> None:
        self._warned: set[str] = set()

    def warning(self, msg: str, *args: object) -> None:
        # Once per process: a file re-read after taking a lock must not warn twice.
        text = msg % args if args else msg
        if text not in self._warned:
            self._warned.add(text)
            get_logger().warning(msg, *args)

    def error(self, msg: str, *args: object) -> None:
        get_logger().error(msg, *args)


log = _LazyLogger()
