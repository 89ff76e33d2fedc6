"""Every editing command × random botocore-valid configs: only the asked-for lines change.

The generator builds a config from a structure (sections, keys with their exact
spelling, continuation lines, nested blocks, comments of every kind, blank
lines, tabs, LF/CRLF/mixed line endings, a missing final newline), so it knows
which line belongs to which key. botocore is the judge of what the text means:
an example is used only when botocore reads it as the structure says. For each
command the test then predicts the exact new file from the structure alone —
which lines are replaced (with their own style kept), inserted or deleted —
and checks the real `rolecall config` operation wrote exactly that, and that
botocore reads exactly the intended change.

ROLECALL_EDIT_EXAMPLES sets the number of examples (default 1000; a nightly run can ask for 10000).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rolecall.configedit import ops
from rolecall.errors import ConfigError

EXAMPLES = int(os.environ.get("ROLECALL_EDIT_EXAMPLES", "1000"))

PROFILES = ["a", "b", "dev", "prod-1", "default"]
SESSIONS = ["corp", "s2"]
PLAIN_KEYS = ["region", "output", "note", "cli_pager", "x_y", "tags"]
SUBKEYS = ["addressing_style", "max_bandwidth", "use_accelerate"]
# A first character that is neither a comment prefix nor space, then anything.
TEXT = st.builds(lambda a, b: (a + b).rstrip(), st.sampled_from("abcXYZ019-_/.:=@"),
                 st.text(st.sampled_from("abcXYZ019-_/.#;:= @"), max_size=11))
VALUE = st.builds(lambda a, b: (a + b).rstrip(), st.sampled_from("abcxyz019-_/.:"),
                  st.text(st.sampled_from("abcxyz019-_/.#: "), max_size=9))
LEAD = st.sampled_from(["", "", "", " ", "\t", "  "])
COMMENT_LEAD = st.sampled_from(["", "", " ", "  ", "\t", "    "])


@dataclass
class Line:
    text: str
    role: str            # header, start, cont, icomment, iblank, comment, blank
    section: int         # -1: before the first header
    key: str | None = None
    sub: str | None = None  # for nested continuation lines
    eol: str = "\n"


@dataclass
class Option:
    key: str
    keytext: str
    lead: str
    delim: str
    first: str
    body: list = field(default_factory=list)  # ("cont", text, sub, subdelim, subvalue) | ("comment", text) | ("blank", text)

    def parts(self) -> list[str]:
        parts = [self.first]
        for item in self.body:
            if item[0] == "cont":
                parts.append(item[1].strip())
            elif item[0] == "blank":
                parts.append("")
        return parts

    def meaning(self):
        value = "\n".join(self.parts()).rstrip()
        if not value.startswith("\n"):
            return value
        nested = {}
        for row in value.splitlines():
            row = row.strip()
            if row:
                k, v = row.split("=", 1)
                nested[k.strip()] = v.strip()
        return nested


@dataclass
class Section:
    header: str          # as botocore names it: "default", "profile a", "sso-session corp", "plugins"
    trailing: str        # after the closing bracket
    items: list          # Option | ("comment", text) | ("blank", text)

    def options(self) -> list[Option]:
        return [item for item in self.items if isinstance(item, Option)]


COMMENT = st.builds(lambda lead, prefix, body: f"{lead}{prefix}{body}", COMMENT_LEAD,
                    st.sampled_from(["#", ";", "# ", "; "]), st.text(st.sampled_from("abc =[]#;"), max_size=8))
BLANK = st.sampled_from(["", "", " ", "\t"])
FILLER = st.one_of(st.tuples(st.just("comment"), COMMENT), st.tuples(st.just("blank"), BLANK))
DELIM = st.sampled_from([" = ", "=", " =", "= ", "  =  ", ": ", ":", "\t=\t"])
SUBDELIM = st.sampled_from([" = ", "=", " =  "])
INNER = st.sampled_from(["  ", "    ", "\t", " "])
SHAPE = st.sampled_from(["plain", "plain", "plain", "empty", "multi", "nested"])
S3_SHAPE = st.sampled_from(["nested", "nested", "empty", "plain"])
SUBS = st.lists(st.sampled_from(SUBKEYS), min_size=1, max_size=3)
KEYS = st.lists(st.sampled_from(PLAIN_KEYS + ["s3", "source_profile"]), unique=True, max_size=5)
TRAILING = st.sampled_from(["", "", "", " ; about it", "  # about it", " "])
SOURCE = st.sampled_from(PROFILES)


@st.composite
def options(draw, key: str, lead: str):
    keytext = key.upper() if key != "s3" and draw(st.integers(0, 2)) == 0 else key
    delim = draw(DELIM)
    shape = draw(SHAPE if key != "s3" else S3_SHAPE)
    inner = lead + draw(INNER)
    body: list = []
    first = "" if shape in ("empty", "nested") else draw(VALUE)
    if shape == "multi":
        for _ in range(draw(st.integers(1, 2))):
            body.append(("cont", inner + draw(TEXT), None, None, None))
    if shape == "nested":
        subs = draw(SUBS)
        for sub in subs:
            if draw(st.integers(0, 4)) == 0:
                body.append(("comment", draw(COMMENT)))
            if draw(st.integers(0, 5)) == 0:
                body.append(("blank", draw(BLANK)))
            subdelim = draw(SUBDELIM)
            subvalue = draw(VALUE)
            body.append(("cont", f"{inner}{sub}{subdelim}{subvalue}", sub, subdelim, subvalue))
    return Option(key, keytext, lead, delim, first, body)


@st.composite
def sections(draw, header: str):
    keys = draw(KEYS)
    lead = draw(LEAD)  # one indent for a section's keys: a deeper one would continue the key above
    items: list = []
    for key in keys:
        for _ in range(draw(st.integers(0, 2))):
            items.append(draw(FILLER))
        if key == "source_profile":
            option = Option(key, key, lead, " = ", draw(SOURCE))
        else:
            option = draw(options(key, lead))
        items.append(option)
    for _ in range(draw(st.integers(0, 3))):
        items.append(draw(FILLER))
    trailing = draw(TRAILING)
    return Section(header, trailing, items)


@st.composite
def configs(draw):
    profiles = draw(st.lists(st.sampled_from(PROFILES), min_size=1, max_size=4, unique=True))
    others = draw(st.lists(st.sampled_from(["sso-session corp", "sso-session s2", "services svc", "plugins"]),
                           unique=True, max_size=2))
    headers = [("default" if p == "default" else f"profile {p}") for p in profiles] + others
    headers = draw(st.permutations(headers))
    preamble = draw(st.lists(st.one_of(COMMENT, BLANK), max_size=2))
    secs = [draw(sections(h)) for h in headers]
    eol_mode = draw(st.sampled_from(["lf", "lf", "crlf", "mixed"]))
    final_eol = draw(st.booleans()) or draw(st.booleans())
    lines = render(preamble, secs)
    for line in lines:
        line.eol = {"lf": "\n", "crlf": "\r\n"}.get(eol_mode) or draw(st.sampled_from(["\n", "\r\n"]))
    if not final_eol and lines[-1].text:  # an empty last line without an ending is no line
        lines[-1].eol = ""
    return secs, lines


def render(preamble, secs: list[Section]) -> list[Line]:
    lines = [Line(text, "comment" if text.strip() else "blank", -1) for text in preamble]
    for index, sec in enumerate(secs):
        lines.append(Line(f"[{sec.header}]{sec.trailing}", "header", index))
        for item in sec.items:
            if isinstance(item, Option):
                lines.append(Line(f"{item.lead}{item.keytext}{item.delim}{item.first}", "start", index, item.key))
                for row in item.body:
                    role = {"cont": "cont", "comment": "icomment", "blank": "iblank"}[row[0]]
                    lines.append(Line(row[1], role, index, item.key, row[2] if row[0] == "cont" else None))
            else:
                lines.append(Line(item[1], item[0], index))
    return lines


def text_of(lines: list[Line]) -> str:
    return "".join(line.text + line.eol for line in lines)


def meaning(secs: list[Section]) -> dict:
    return {sec.header: {o.key: o.meaning() for o in sec.options()} for sec in secs}


def botocore_reads(path) -> dict:
    from botocore.configloader import raw_config_parse

    return raw_config_parse(str(path))


def majority_eol(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf > text.count("\n") - crlf else "\n"


# -- the commands, each with its predicted result ---------------------------


def _insert(lines: list[Line], position: int, new: list[str], eol: str) -> None:
    if position and not lines[position - 1].eol:
        lines[position - 1].eol = eol
    lines[position:position] = [Line(text, "new", -2, eol=eol) for text in new]


def _set_line(option: Option, value: str) -> str:
    delim = option.delim
    if not option.first and not delim.endswith((" ", "\t")) and " " in option.keytext + delim:
        delim += " "
    return f"{option.lead}{option.keytext}{delim}{value}"


def _last_of(lines: list[Line], section: int, key: str | None = None) -> int:
    """Index of the last line of the last key (or of `key`) in a section."""
    found = [i for i, line in enumerate(lines) if line.section == section and line.role in ("start", "cont")
             and (key is None or line.key == key)]
    return found[-1]


def predict(command, secs: list[Section], lines: list[Line]):
    """(new lines, new meaning) or ConfigError for what `command` must do."""
    kind, target, *args = command
    sec_index = next(i for i, s in enumerate(secs) if s.header == target)
    sec = secs[sec_index]
    mean = meaning(secs)
    eol = majority_eol(text_of(lines))
    out = [Line(line.text, line.role, line.section, line.key, line.sub, line.eol) for line in lines]
    existing = {o.key: o for o in sec.options()}
    if kind == "set":
        key, value = args
        mean[target][key] = value
        option = existing.get(key)
        if option is None:
            if sec.options():
                last = _last_of(out, sec_index)
                lead = sec.options()[-1].lead
                _insert(out, last + 1, [f"{lead}{key} = {value}"], eol)
            else:
                header = next(i for i, line in enumerate(out) if line.section == sec_index)
                _insert(out, header + 1, [f"{key} = {value}"], eol)
            return out, mean
        if option.meaning() == value:
            return out, mean
        start = next(i for i, line in enumerate(out) if line.section == sec_index and line.role == "start"
                     and line.key == key)
        out[start].text = _set_line(option, value)
        return [line for line in out if not (line.section == sec_index and line.key == key
                                              and line.role == "cont")], mean
    if kind == "unset":
        (key,) = args
        mean[target].pop(key, None)
        return [line for line in out if not (line.section == sec_index and line.key == key
                                              and line.role in ("start", "cont"))], mean
    if kind == "set-nested":
        sub, value = args
        option = existing.get("s3")
        current = option.meaning() if option else {}
        if isinstance(current, str) and current:
            return ConfigError
        current = current or {}
        if current.get(sub) == value:
            return out, mean
        mean[target]["s3"] = {**current, sub: value}
        if option is None:
            lead = sec.options()[-1].lead if sec.options() else ""
            where = (_last_of(out, sec_index) if sec.options()
                     else next(i for i, line in enumerate(out) if line.section == sec_index))
            _insert(out, where + 1, [f"{lead}s3 =", f"{lead}    {sub} = {value}"], eol)
            return out, mean
        conts = [i for i, line in enumerate(out) if line.section == sec_index and line.key == "s3"
                 and line.role == "cont"]
        if sub in current:
            index = [i for i in conts if out[i].sub == sub][-1]
            row = next(r for r in option.body if r[0] == "cont" and r[1] == out[index].text)
            inner = row[1][: len(row[1]) - len(row[1].lstrip())]
            out[index].text = f"{inner}{sub}{row[3]}{value}"
            return out, mean
        if conts:
            last = out[conts[-1]]
            inner = last.text[: len(last.text) - len(last.text.lstrip())]
            _insert(out, conts[-1] + 1, [f"{inner}{sub} = {value}"], eol)
        else:
            start = _last_of(out, sec_index, "s3")
            _insert(out, start + 1, [f"{option.lead}    {sub} = {value}"], eol)
        return out, mean
    if kind == "unset-nested":
        (sub,) = args
        option = existing.get("s3")
        current = option.meaning() if option else {}
        if isinstance(current, str) and current:
            return ConfigError  # a plain value is not a nested block: refused, as set-nested
        if not isinstance(current, dict) or sub not in current:
            return out, mean
        left = {k: v for k, v in current.items() if k != sub}
        if left:
            mean[target]["s3"] = left
            return [line for line in out if not (line.section == sec_index and line.key == "s3"
                                                  and line.role == "cont" and line.sub == sub)], mean
        del mean[target]["s3"]
        return [line for line in out if not (line.section == sec_index and line.key == "s3"
                                              and line.role in ("start", "cont"))], mean
    if kind == "rm":
        del mean[target]
        own = [i for i, line in enumerate(out) if line.section == sec_index]
        last_key = max((i for i in own if out[i].role in ("start", "cont")), default=own[0])
        tail = [i for i in own if i > last_key]
        first_comment = next((i for i in tail if out[i].text.strip()), None)
        gone = {i for i in own if first_comment is None or i < first_comment}
        return [line for i, line in enumerate(out) if i not in gone], mean
    if kind == "rename":
        (new,) = args
        mean[f"profile {new}"] = mean.pop(target)
        header = next(i for i, line in enumerate(out) if line.section == sec_index)
        out[header].text = f"[profile {new}]{sec.trailing}"
        old = "default" if target == "default" else target.split(" ", 1)[1]
        for index, other in enumerate(secs):
            if not (other.header == "default" or other.header.startswith("profile ")):
                continue
            option = {o.key: o for o in other.options()}.get("source_profile")
            if option is not None and option.first == old:
                name = f"profile {new}" if index == sec_index else other.header
                mean[name]["source_profile"] = new
                start = next(i for i, line in enumerate(out) if line.section == index and line.key == "source_profile")
                out[start].text = _set_line(option, new)
        return out, mean
    if kind == "add-profile":
        new, source = args
        arn = "arn:aws:iam::123456789012:role/R"
        mean[f"profile {new}"] = {"role_arn": arn, "source_profile": source}
        extra = ([""] if out and out[-1].text.strip() else []) + [
            f"[profile {new}]", f"role_arn = {arn}", f"source_profile = {source}"]
        _insert(out, len(out), extra, eol)
        return out, mean
    raise AssertionError(kind)


def run(command) -> None:
    kind, target, *args = command
    name = target.split(" ", 1)[1] if " " in target else target
    session = target.startswith("sso-session ")
    if kind == "set":
        ops.set_value(name, args[0], args[1], session=session)
    elif kind == "unset":
        ops.unset_value(name, args[0], session=session)
    elif kind == "set-nested":
        ops.set_value(name, f"s3.{args[0]}", args[1], session=session)
    elif kind == "unset-nested":
        ops.unset_value(name, f"s3.{args[0]}", session=session)
    elif kind == "rm":
        ops.remove_profiles([name], force=True)
    elif kind == "rename":
        ops.rename_profile(name, args[0])
    elif kind == "add-profile":
        ops.add_profile(args[0], role_arn="arn:aws:iam::123456789012:role/R", source_profile=args[1])


@st.composite
def commands(draw, secs: list[Section]):
    editable = [s for s in secs if s.header == "default" or s.header.startswith(("profile ", "sso-session "))]
    assume(editable)
    sec = draw(st.sampled_from(editable))
    profile = not sec.header.startswith("sso-session ")
    kinds = ["set", "unset", "set-nested", "unset-nested"] + (["rm", "rename", "add-profile"] if profile else [])
    kind = draw(st.sampled_from(kinds))
    present = [o.key for o in sec.options() if o.key != "source_profile"]
    if kind == "set":
        key = draw(st.sampled_from(present + PLAIN_KEYS) if present else st.sampled_from(PLAIN_KEYS))
        value = {"region": st.sampled_from(["us-west-2", "eu-central-1"]),
                 "output": st.sampled_from(["json", "text", "yaml"])}.get(key, VALUE)
        return (kind, sec.header, key, draw(value))
    if kind == "unset":
        return (kind, sec.header, draw(st.sampled_from(present + PLAIN_KEYS)))
    if kind == "set-nested":
        return (kind, sec.header, draw(st.sampled_from(SUBKEYS)), draw(VALUE))
    if kind == "unset-nested":
        return (kind, sec.header, draw(st.sampled_from(SUBKEYS)))
    taken = {s.header.split(" ", 1)[-1] for s in secs}
    if kind == "rename":
        return (kind, sec.header, draw(st.sampled_from([n for n in ("new", "x-2", "zz") if n not in taken])))
    if kind == "add-profile":
        source = "default" if sec.header == "default" else sec.header.split(" ", 1)[1]
        return (kind, sec.header, draw(st.sampled_from([n for n in ("new", "x-2") if n not in taken])), source)
    return (kind, sec.header)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_edit_changes_exactly_its_own_lines(config_path, data):
    secs, lines = data.draw(configs())
    before = text_of(lines)
    config_path.write_bytes(before.encode())
    try:
        read = botocore_reads(config_path)
    except Exception:
        assume(False)
    assume(read == meaning(secs))  # botocore reads the text as the structure says
    command = data.draw(commands(secs))
    expected = predict(command, secs, lines)
    if expected is ConfigError:
        with pytest.raises(ConfigError):
            run(command)
        assert config_path.read_bytes() == before.encode()
        return
    run(command)
    new_lines, new_meaning = expected
    after = config_path.read_bytes().decode()
    assert after == text_of(new_lines), command
    assert botocore_reads(config_path) == new_meaning, command


# -- the constructs named in the issue, each pinned -------------------------


@pytest.mark.parametrize("before,command,after", [
    ("[profile a]\nregion=eu-west-1\n  # indented comment\noutput = json\n",
     ("set", "a", "region", "us-west-1"),
     "[profile a]\nregion=us-west-1\n  # indented comment\noutput = json\n"),
    ("[profile a]\nregion = eu-west-1 # prod\n; semi\noutput: json\n",
     ("set", "a", "output", "text"),
     "[profile a]\nregion = eu-west-1 # prod\n; semi\noutput: text\n"),
    ("[profile a]\ns3 =\n\tmax_bandwidth = 1\n  # mid\n\taddressing_style = path\nregion = x\n",
     ("set", "a", "s3.addressing_style", "virtual"),
     "[profile a]\ns3 =\n\tmax_bandwidth = 1\n  # mid\n\taddressing_style = virtual\nregion = x\n"),
    ("\r\n[profile a]\r\nnote = x\r\n  more\r\n# keep\r\nregion = y", ("unset", "a", "note"),
     "\r\n[profile a]\r\n# keep\r\nregion = y"),
    ("[profile a]\nregion = x\n[profile b]\nregion = y\n", ("set", "b", "output", "json"),
     "[profile a]\nregion = x\n[profile b]\nregion = y\noutput = json\n"),
])
def test_issue_constructs(config_path, before, command, after):
    config_path.write_bytes(before.encode())
    kind, name, key, *value = command
    if kind == "set":
        ops.set_value(name, key, value[0])
    else:
        ops.unset_value(name, key)
    assert config_path.read_bytes().decode() == after


def test_an_edit_that_would_swallow_the_next_header_is_refused(config_path):
    # `  [profile b]` is a header after `  y = 1`, but would continue `x = 1`, indented less.
    before = "[profile a]\nx = 1\n[profile c]\n  y = 1\n  [profile b]\n  z = 2\n"
    config_path.write_text(before)
    assert set(botocore_reads(config_path)) == {"profile a", "profile c", "profile b"}
    with pytest.raises(ConfigError, match="indented header"):
        ops.remove_profiles(["c"], force=True)
    assert config_path.read_text() == before
