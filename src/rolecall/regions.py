"""AWS region codes for completion, from the data file tools/gen_regions.py
generates out of botocore's endpoints.json (botocore itself is too slow to
import on a TAB)."""

from __future__ import annotations

import json
import os

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "regions.json")


def partitions() -> dict[str, dict[str, str]]:
    """{partition: {region code: description}}, e.g. {"aws": {"us-east-1": "US East (N. Virginia)"}}."""
    with open(_DATA, "rb") as handle:
        return json.loads(handle.read())["partitions"]


def descriptions() -> dict[str, str]:
    """{region code: description} over every partition (aws first)."""
    merged: dict[str, str] = {}
    for regions in partitions().values():
        merged.update(regions)
    return merged


def codes() -> list[str]:
    return list(descriptions())


_KNOWN: frozenset[str] | None = None


def known() -> frozenset[str]:
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = frozenset(codes())
    return _KNOWN


def problem(value: str) -> str | None:
    """Why `value` cannot be used as a region (it reaches hosts and URLs), with a did-you-mean; None if fine.

    The one region check: `config set`, `-r/--region`, and any region read from
    a config file or the environment before it becomes part of a URL.
    """
    if value in known():
        return None
    import difflib

    close = difflib.get_close_matches(value, sorted(known()), n=3, cutoff=0.75)
    from rolecall.term import printable

    shown = printable(value)
    return f"{shown!r} is not a known AWS region" + (f" (did you mean {', '.join(close)}?)" if close else "")
