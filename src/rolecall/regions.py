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
