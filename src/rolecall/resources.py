"""Locate the shell scripts and completion files shipped with rolecall.

In a wheel they are package data (`rolecall/shell`, `rolecall/completions`);
in a source checkout (editable install) they are the top-level `shell/` and
`completions/` directories the package data is built from.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent.parent / name


def read_text(kind: str, filename: str) -> str:
    return (data_dir(kind) / filename).read_text(encoding="utf-8")
