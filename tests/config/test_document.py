"""ConfigDocument and validation, table-driven and property-based."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .config_helpers import botocore_view
from rolecall import awsconfig
from rolecall.configedit import ops, validate
from rolecall.configedit.document import PROFILE, ConfigDocument, header_for, section_kind
from rolecall.errors import ConfigError, UsageError

HEADER_CHARS = st.characters(codec="utf-8", exclude_characters="\r\n[]")


@given(st.text(HEADER_CHARS, max_size=30).map(lambda s: "profile" + s))
def test_section_kind_matches_botocore_mapping(header):
    mapped = awsconfig.build_profile_map({header: {}})
    expected = next(iter(mapped.profiles), None)
    found = section_kind(header)
    assert (found[1] if found else None) == expected


NAME = st.text(st.characters(codec="utf-8", categories=("L", "N", "Pd", "Zs"), exclude_characters="\u2028\u2029"),
               min_size=1, max_size=20).filter(lambda s: s == s.strip() and " " not in s.replace(" ", ""))
VALUE = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), max_size=30).map(str.strip)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAME, value=VALUE)
def test_any_legal_name_and_value_reads_back_in_botocore(config_path, name, value):
    config_path.write_text("# keep\n[default]\nregion = us-east-1\n")
    try:
        validate.name(name)
    except UsageError:
        return  # refused up front: nothing to check
    if not all(ch.isprintable() for ch in value):
        return
    ops.set_value(name, "note", value, create=True)
    view = botocore_view(config_path)
    assert view["profiles"][name]["note"] == value
    assert view["profiles"]["default"] == {"region": "us-east-1"}
    assert config_path.read_text().startswith("# keep\n[default]\nregion = us-east-1\n")


@pytest.mark.parametrize("name,header", [
    ("dev", "profile dev"), ("a b", 'profile "a b"'), ("default", "default"), ("x/y@z+1=2", "profile x/y@z+1=2"),
    ("café", "profile café"),
])
def test_headers(name, header):
    assert header_for(PROFILE, name) == header
    assert section_kind(header) == (PROFILE, name)


@pytest.mark.parametrize("text", ["[a]\rx = 1\r", "[profile a]\r\nx = 1\r[b]\r\n"])
def test_bare_cr_is_refused(text):
    with pytest.raises(ConfigError, match="bare CR"):
        ConfigDocument(text)


def test_mixed_line_endings_new_lines_take_the_majority():
    text = "[profile a]\r\nx = 1\r\n\r\n[profile b]\ny = 2\r\n"
    doc = ConfigDocument(text)
    doc.set(PROFILE, "a", "z", "3")
    doc.set(PROFILE, "b", "y", "5")
    out = doc.render()
    assert out == "[profile a]\r\nx = 1\r\nz = 3\r\n\r\n[profile b]\ny = 5\r\n"


def test_new_key_goes_after_last_key_not_before_next_sections_comment():
    text = "[profile a]\nx = 1\n\n# about b\n[profile b]\ny = 2\n"
    doc = ConfigDocument(text)
    doc.set(PROFILE, "a", "z", "3")
    assert doc.render() == "[profile a]\nx = 1\nz = 3\n\n# about b\n[profile b]\ny = 2\n"


def test_remove_keeps_comment_introducing_next_section():
    text = "[profile a]\n# inside a\nx = 1\n\n# about b\n[profile b]\ny = 2\n"
    doc = ConfigDocument(text)
    doc.remove(PROFILE, "a")
    assert doc.render() == "# about b\n[profile b]\ny = 2\n"


def test_untouched_document_renders_identically_and_reports_no_change():
    text = "; c\n[profile a]\n\tx\t=\t1\ns3 =\n  k = v\n\n  j = w\n[services s]\ns3 =\n  endpoint_url = h"
    doc = ConfigDocument(text)
    assert doc.render() == text and not doc.changed


def test_nested_set_on_a_flat_value_is_refused():
    doc = ConfigDocument("[profile a]\ns3 = flat\n")
    with pytest.raises(ConfigError, match="plain value"):
        doc.set_nested(PROFILE, "a", "s3", "k", "v")
