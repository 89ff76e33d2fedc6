"""Region codes: generated from botocore's endpoints.json, loaded without botocore."""

from __future__ import annotations

import importlib.util
import json

from rolecall import regions

from .helpers import REPO


def _generator():
    spec = importlib.util.spec_from_file_location("gen_regions", REPO / "tools" / "gen_regions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_data_file_is_current():
    generator = _generator()
    current = (REPO / "src" / "rolecall" / "data" / "regions.json").read_text(encoding="utf-8")
    assert current == generator.build(), "regions.json is stale: run python tools/gen_regions.py"


def test_generator_reads_every_partition_of_botocore():
    import botocore.loaders

    # botocore's own loader (which also resolves .json.gz) as the reference.
    endpoints = botocore.loaders.Loader().load_data("endpoints")
    expected = {
        partition["partition"]: sorted(partition["regions"]) for partition in endpoints["partitions"]
    }
    got = {name: list(codes) for name, codes in regions.partitions().items()}
    assert got == expected
    assert {"aws", "aws-cn", "aws-us-gov"} <= set(got)


def test_generator_output_for_a_small_input():
    text = _generator().build({"partitions": [
        {"partition": "aws", "regions": {"us-west-2": {"description": "US West (Oregon)"}, "af-south-1": {}}},
        {"partition": "aws-cn", "regions": {"cn-north-1": {"description": "China (Beijing)"}}},
    ]})
    assert json.loads(text)["partitions"] == {
        "aws": {"af-south-1": "", "us-west-2": "US West (Oregon)"},
        "aws-cn": {"cn-north-1": "China (Beijing)"},
    }
    assert text.endswith("\n")


def test_loader():
    codes = regions.codes()
    assert codes[0] == "af-south-1"  # aws partition first, sorted
    assert "us-east-1" in codes and "cn-north-1" in codes and "us-gov-west-1" in codes
    assert len(codes) == len(set(codes))
    assert regions.descriptions()["eu-west-1"] == "Europe (Ireland)"


def test_generator_check_mode(capsys):
    assert _generator().main(["--check"]) == 0
