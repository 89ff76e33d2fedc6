#!/usr/bin/env python3
"""Generate src/rolecall/data/regions.json from botocore's endpoint data.

Completion offers region codes without importing botocore (too slow for a
TAB), so the list is extracted here, at development time, from
botocore/data/endpoints.json: every partition (aws, aws-cn, aws-us-gov, the
isolated ones …) with each region's description.

    python tools/gen_regions.py           # rewrite the data file
    python tools/gen_regions.py --check   # exit 1 if it is out of date

tests/completion/test_regions.py runs build() and compares it with the file.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "src" / "rolecall" / "data" / "regions.json"


def endpoints_file() -> Path:
    """botocore's own copy (never a user override under ~/.aws/models)."""
    import botocore

    data = Path(botocore.__file__).resolve().parent / "data"
    for name in ("endpoints.json", "endpoints.json.gz"):
        if (data / name).is_file():
            return data / name
    raise SystemExit(f"gen_regions: no endpoints.json under {data}")


def load_endpoints(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return json.loads(handle.read())


def build(endpoints: dict | None = None) -> str:
    """The regions.json text: {partition: {region: description}} in botocore's partition order."""
    if endpoints is None:
        endpoints = load_endpoints(endpoints_file())
    partitions = {}
    for partition in endpoints["partitions"]:
        regions = partition.get("regions", {})
        partitions[partition["partition"]] = {
            code: regions[code].get("description", "") for code in sorted(regions)
        }
    payload = {"source": "botocore/data/endpoints.json (tools/gen_regions.py)", "partitions": partitions}
    return json.dumps(payload, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = build()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else None
    if "--check" in argv:
        if current != text:
            print(f"{TARGET} is out of date: run python tools/gen_regions.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        tmp = TARGET.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, TARGET)
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
