"""`ConfigDocument`: edits of an AWS config file that touch only the lines they mean to.

The file is kept as its lines, each with its own line ending, and every line
is classified exactly the way botocore reads it: botocore parses the file
with the standard library's `configparser.RawConfigParser`, and the scanner
here follows that parser's rules with that parser's own patterns — a line
whose stripped text starts with `#` or `;` is a comment wherever it is
indented; a non-blank line indented deeper than the key line above it
continues that key's value; `=` and `:` both separate a key from its value;
there are no inline comments (`region = x # y` has the value `x # y`).

An edit replaces, inserts or deletes only the lines of the key or section it
is asked to change; everything else — comments, blank lines, spacing, tabs,
key order, nested blocks, unknown sections, each line's ending (LF, CRLF or a
mix) and a missing final newline — stays byte for byte. After every edit the
changed section is scanned again: keys the edit was not about must read
exactly as before, and the next section must still start where it did;
otherwise the edit is refused (ConfigError) rather than written.
"""

from __future__ import annotations

import configparser
import re
import shlex
from typing import Iterable

from rolecall.awsconfig import _split_section, parse_ini
from rolecall.errors import ConfigError

PROFILE = "profile"
SESSION = "sso-session"
SERVICES = "services"
CREDENTIALS = "credentials"  # a section of the credentials file: named as-is, no `profile ` prefix

# configparser's own patterns: the scanner must agree with it line for line.
_SECTCRE = configparser.RawConfigParser.SECTCRE
_OPTCRE = configparser.RawConfigParser.OPTCRE
_NONSPACE = configparser.RawConfigParser.NONSPACECRE
_COMMENT = ("#", ";")  # RawConfigParser's comment_prefixes; it has no inline ones

# No quotes, no backslash, only ASCII: shlex.split is then a split on its whitespace.
_PLAIN_HEADER = re.compile(r"[\t\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]*\Z")
_SHLEX_SPACE = re.compile(r"[ \t\r\n]+")
_INDENT = "    "  # for the first line of a new nested block


def section_kind(header: str) -> tuple[str, str] | None:
    """(kind, name) of a section header as botocore maps it; None if ignored."""
    if header == "default":
        return PROFILE, "default"
    for kind in (PROFILE, SESSION, SERVICES):
        if header.startswith(kind):
            if _PLAIN_HEADER.match(header):  # shlex.split is slow; this is its result here
                parts = _SHLEX_SPACE.split(header.strip(" \t\r\n"))
                name = parts[1] if len(parts) == 2 else None
            else:
                name = _split_section(header)
            return (kind, name) if name is not None else None
    return None


def header_for(kind: str, name: str) -> str:
    """The header to write for a new section (`[default]`, `[profile "a b"]` …)."""
    if kind == CREDENTIALS or (kind == PROFILE and name == "default"):
        return name
    # botocore shlex-splits the header: quote names it would split (spaces).
    quoted = shlex.quote(name) if any(ch.isspace() for ch in name) else name
    if quoted.startswith("'"):
        quoted = '"' + name + '"'  # the AWS CLI's own form: [profile "a b"]
    return f"{kind} {quoted}"


def detect_eol(text: str) -> str:
    """The line ending new lines get: the file's majority (LF when tied/empty)."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"


class _Line:
    __slots__ = ("text", "eol")

    def __init__(self, text: str, eol: str) -> None:
        self.text = text  # without its line ending
        self.eol = eol    # "\n", "\r\n", or "" for a last line without one

    @property
    def lead(self) -> str:
        return self.text[: len(self.text) - len(self.text.lstrip())]


class _Option:
    """One key: its first line, its continuation lines, its value as botocore joins it."""

    __slots__ = ("key", "start", "cont", "parts")

    def __init__(self, key: str, start: int, first: str) -> None:
        self.key = key
        self.start = start
        self.cont: list[int] = []
        self.parts = [first]

    @property
    def value(self) -> str:
        return "\n".join(self.parts).rstrip()

    @property
    def last(self) -> int:
        return self.cont[-1] if self.cont else self.start

    @property
    def nested(self) -> bool:
        return self.value.startswith("\n")


class _Section:
    """A header line and the lines up to the next header."""

    __slots__ = ("lines", "name", "_options", "end_indent")

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.name = _header_of(lines[0].text)
        self._options: dict[str, _Option] | None = None
        self.end_indent: int | None = None  # indent of the last key line (None: no key)

    def options(self) -> dict[str, _Option]:
        if self._options is None:
            self._scan()
        return self._options  # type: ignore[return-value]

    def _scan(self) -> None:
        options: dict[str, _Option] = {}
        state = _State(_indent(self.lines[0].text))
        for index, line in enumerate(self.lines[1:], start=1):
            kind = state.classify(line.text)
            if kind == "option":
                key, first = state.option
                if key in options:
                    raise ConfigError(f"duplicate key {key!r}", section=self.name)
                state.current = options[key] = _Option(key, index, first)
            elif kind == "cont" and state.current is not None:  # (a continuation always has a key)
                state.current.cont.append(index)
                state.current.parts.append(line.text.strip())
            elif kind == "blank" and state.current is not None:
                state.current.parts.append("")
            elif kind == "header":
                raise ConfigError("an edit would start a new section inside another", section=self.name)
            elif kind == "error":
                raise ConfigError(f"line is not `key = value`: {line.text.strip()!r}", section=self.name)
        self._options = options
        self.end_indent = state.indent if state.current is not None else None

    def values(self) -> dict[str, str]:
        return {key: option.value for key, option in self.options().items()}

    def changed(self) -> None:
        self._options = None


class _State:
    """configparser's reading state: the current key and its line's indent."""

    __slots__ = ("indent", "current", "option")

    def __init__(self, indent: int) -> None:
        self.indent = indent
        self.current: _Option | None = None
        self.option: tuple[str, str] = ("", "")

    def classify(self, text: str) -> str:
        stripped = text.strip()
        if stripped.startswith(_COMMENT):
            return "comment"
        if not stripped:
            return "blank"
        indent = _indent(text)
        if self.current is not None and indent > self.indent:
            return "cont"
        self.indent = indent
        if _SECTCRE.match(stripped):
            self.current = None
            return "header"
        match = _OPTCRE.match(stripped)
        if match is None or not match.group("option").rstrip():
            return "error"
        # configparser lower-cases keys (optionxform) and strips the value.
        self.option = (match.group("option").rstrip().lower(), match.group("value").strip())
        return "option"


def _indent(text: str) -> int:
    found = _NONSPACE.search(text)
    return found.start() if found else 0


def _header_of(text: str) -> str:
    match = _SECTCRE.match(text.strip())
    if match is None:
        raise ConfigError(f"not a section header: {text.strip()!r}")
    return match.group("header")


def _split_lines(text: str) -> list[_Line]:
    lines = []
    for raw in text.splitlines(keepends=True):
        if raw.endswith("\r\n"):
            lines.append(_Line(raw[:-2], "\r\n"))
        elif raw.endswith("\n"):
            lines.append(_Line(raw[:-1], "\n"))
        else:
            lines.append(_Line(raw, ""))
    return lines


def _same_meaning(before: dict[str, str], after: dict[str, str], key: str | None) -> bool:
    return ({k: v for k, v in before.items() if k != key}
            == {k: v for k, v in after.items() if k != key})


class ConfigDocument:
    """A config file as lines that can be edited and rendered back."""

    def __init__(self, text: str, path: str = "<config>", *, checked: bool = False,
                 credentials: bool = False) -> None:
        """`checked`: the caller already parsed `text` with awsconfig (botocore's rules).
        `credentials`: a credentials file, whose sections are all of kind CREDENTIALS."""
        self.path = path
        self.credentials = credentials
        self.original = text
        if re.search(r"\r(?!\n)", text):
            raise ConfigError(
                "the file uses bare CR line endings; rolecall will not rewrite it", path=path,
                hint="convert it to LF or CRLF line endings, then run the command again",
            )
        if not checked:
            parse_ini(text, path, "credentials" if credentials else "config")  # botocore's errors are the clear ones
        self.eol = detect_eol(text)
        self._preamble: list[_Line] = []
        self._list: list[_Section] = []
        self._parse(_split_lines(text))
        self._index: dict[tuple[str, str], _Section] | None = None
        if self.render() != text:  # by construction; kept as the promise's guard
            raise ConfigError("rolecall cannot reproduce this file byte for byte; it will not rewrite it",
                              path=path, hint="edit it by hand (or: rolecall config edit)")

    # -- parsing and rendering ----------------------------------------------

    def _parse(self, lines: list[_Line]) -> None:
        state: _State | None = None
        current: list[_Line] = self._preamble
        for number, line in enumerate(lines, start=1):
            if state is None:  # before the first header: only comments and blank lines
                stripped = line.text.strip()
                if stripped.startswith(_COMMENT) or not stripped:
                    current.append(line)
                    continue
                state = _State(0)
                if state.classify(line.text) != "header":
                    raise ConfigError("text before the first [section] header", path=self.path,
                                      line=number, hint=f"every key must sit under a [section] header in {self.path}")
                current = [line]
                self._list.append(_Section(current))
                continue
            kind = state.classify(line.text)
            if kind == "header":
                current = [line]
                self._list.append(_Section(current))
                continue
            if kind == "error":
                raise ConfigError("line is not `key = value`, a [section] header or a comment",
                                  path=self.path, line=number, hint=f"fix that line of {self.path}")
            if kind == "option":
                state.current = _Option(*state.option[:1], 0, "")  # only its presence matters here
            current.append(line)

    def render(self) -> str:
        out = [line.text + line.eol for line in self._preamble]
        for section in self._list:
            out.extend(line.text + line.eol for line in section.lines)
        return "".join(out)

    @property
    def changed(self) -> bool:
        return self.render() != self.original

    # -- lookups --------------------------------------------------------------

    def _position(self, section: _Section) -> int:
        self._sections()
        return self._positions[id(section)]

    def _sections(self) -> dict[tuple[str, str], _Section]:
        if self._index is None:
            index: dict[tuple[str, str], _Section] = {}
            self._positions = {id(section): i for i, section in enumerate(self._list)}
            for section in self._list:
                found = (CREDENTIALS, section.name) if self.credentials else section_kind(section.name)
                if found is not None:
                    index[found] = section  # last one wins, as in botocore
            self._index = index
        return self._index

    def section(self, kind: str, name: str) -> _Section | None:
        return self._sections().get((kind, name))

    def names(self, kind: str) -> list[str]:
        return [name for (k, name) in self._sections() if k == kind]

    def values(self, kind: str, name: str) -> dict[str, str]:
        """Option values of a section as botocore reads them (keys lower-cased)."""
        section = self.section(kind, name)
        return section.values() if section is not None else {}

    def get(self, kind: str, name: str, key: str) -> str | None:
        return self.values(kind, name).get(key.lower())

    # -- edits ----------------------------------------------------------------

    def replace(self, kind: str, name: str, items: Iterable[tuple[str, str]], stale: Iterable[str] = ()) -> None:
        """Set each (key, value) of `items` in an existing section, and unset the `stale` keys it does not set
        (a profile rewritten as another kind keeps none of the old kind's keys)."""
        items = list(items)
        wanted = {key for key, _ in items}
        for key in stale:
            if key not in wanted:
                self.unset(kind, name, key)
        for key, value in items:
            self.set(kind, name, key, value)

    def set(self, kind: str, name: str, key: str, value: str) -> bool:
        """Set `key` in an existing section; True when the file changes."""
        section = self._require(kind, name)
        key = key.lower()
        option = section.options().get(key)
        if option is not None and option.value == value and not option.cont:
            return False
        with self._editing(section, key):
            if option is None:
                self._insert_option(section, f"{key} = {value}")
            else:
                lines = section.lines
                lines[option.start].text = _with_value(lines[option.start].text, value)
                self._delete(section, option.cont)  # a multi-line value becomes one line
        return True

    def set_nested(self, kind: str, name: str, key: str, subkey: str, value: str) -> bool:
        """Set `subkey` inside the nested value `key` (`s3 = ↵  addressing_style = path`)."""
        section = self._require(kind, name)
        key = key.lower()
        with self._editing(section, key):
            option = section.options().get(key)
            if option is None:
                start = self._insert_option(section, f"{key} =")
                after, indent = start, section.lines[start].lead + _INDENT
            else:
                entries = self._nested_entries(kind, name, option, section)
                if subkey in entries:
                    index, _ = entries[subkey]
                    line = section.lines[index]
                    old = line.text.split("=", 1)[1].strip()
                    if old == value:
                        return False
                    line.text = _with_value(line.text, value, delimiter="=")
                    return True
                after = option.last
                indent = (section.lines[option.cont[-1]].lead if option.cont
                          else section.lines[option.start].lead + _INDENT)
            self._insert_at(section, after + 1, f"{indent}{subkey} = {value}")
        return True

    def unset_nested(self, kind: str, name: str, key: str, subkey: str) -> bool:
        section = self._require(kind, name)
        key = key.lower()
        option = section.options().get(key)
        if option is None:
            return False
        entries = self._nested_entries(kind, name, option, section)
        if subkey not in entries:
            return False
        with self._editing(section, key):
            if all(sub == subkey for sub, _ in self._nested_lines(option, section)):
                self._delete(section, [option.start, *option.cont])  # nothing left in it
            else:
                self._delete(section, [i for sub, i in self._nested_lines(option, section) if sub == subkey])
        return True

    def _nested_lines(self, option: _Option, section: _Section) -> list[tuple[str, int]]:
        return [(section.lines[i].text.strip().split("=", 1)[0].strip(), i) for i in option.cont]

    def _nested_entries(self, kind: str, name: str, option: _Option,
                        section: _Section) -> dict[str, tuple[int, str]]:
        """subkey → (its last line, value), as botocore's _parse_nested reads them."""
        if option.value and not option.nested:
            raise ConfigError(
                f"{option.key} is a plain value, not a nested section", path=self.path,
                section=header_for(kind, name), key=option.key,
                hint=f"unset {option.key} first, or edit it with: rolecall config edit",
            )
        entries: dict[str, tuple[int, str]] = {}
        for sub, index in self._nested_lines(option, section):
            entries[sub] = (index, section.lines[index].text.split("=", 1)[1].strip())
        return entries

    def unset(self, kind: str, name: str, key: str) -> bool:
        section = self._require(kind, name)
        key = key.lower()
        option = section.options().get(key)
        if option is None:
            return False
        with self._editing(section, key):
            self._delete(section, [option.start, *option.cont])
        return True

    def remove(self, kind: str, name: str) -> bool:
        """Remove a section: header, keys and the comments between them.

        Comments after its last key stay (they introduce what follows), so do
        the blank lines after them.
        """
        section = self.section(kind, name)
        if section is None:
            return False
        last = max((option.last for option in section.options().values()), default=0)
        tail = section.lines[last + 1:]
        first_comment = next((i for i, line in enumerate(tail) if line.text.strip()), None)
        keep = tail[first_comment:] if first_comment is not None else []
        position = self._position(section)
        if 0 < position < len(self._list) - 1:
            self._check_boundary(self._list[position - 1], self._list[position + 1])
        previous = self._list[position - 1].lines if position else self._preamble
        previous.extend(keep)
        del self._list[position]
        self._index = None
        return True

    def rename(self, kind: str, old: str, new: str) -> bool:
        section = self._require(kind, old)
        header = header_for(kind, new)
        if section.name == header:
            return False
        line = section.lines[0]
        stripped = line.text.strip()
        end = _SECTCRE.match(stripped).end()  # type: ignore[union-attr]
        trailing = line.text[len(line.text.rstrip()):]
        line.text = f"{line.lead}[{header}]{stripped[end:]}{trailing}"
        section.name = _header_of(line.text)
        self._index = None
        return True

    def append_sections(self, sections: Iterable[tuple[str, list[tuple[str, str]]]]) -> int:
        """Append new sections (header, [(key, value)…]) at the end, in one go."""
        new: list[_Section] = []
        for header, items in sections:
            lines = [_Line(f"[{header}]", self.eol)] + [_Line(f"{k} = {v}", self.eol) for k, v in items]
            new.append(_Section(lines))
        if not new:
            return 0
        last = self._last_line()
        if last is not None:
            if not last.eol:
                last.eol = self.eol
            if last.text.strip():
                self._tail_lines().append(_Line("", self.eol))  # a blank line before the new ones
        for number, section in enumerate(new):
            if number:
                new[number - 1].lines.append(_Line("", self.eol))
            self._list.append(section)
        self._index = None
        return len(new)

    # -- line surgery -----------------------------------------------------------

    def _require(self, kind: str, name: str) -> _Section:
        section = self.section(kind, name)
        if section is None:
            raise ConfigError(f"{kind} {name!r} not found", path=self.path)
        return section

    def _editing(self, section: _Section, key: str) -> "_Edit":
        return _Edit(self, section, key)

    def _insert_option(self, section: _Section, text: str) -> int:
        """Insert a new key line after the section's last key; its index."""
        options = section.options()
        if options:
            last = max(options.values(), key=lambda option: option.last)
            indent = section.lines[last.start].lead
            position = last.last + 1
        else:
            # No key yet: indent like the next header so it stays a header, not a continuation.
            position = self._position(section)
            following = self._list[position + 1].lines[0] if position + 1 < len(self._list) else None
            indent = following.lead if following is not None else section.lines[0].lead
            position = 1
        self._insert_at(section, position, indent + text)
        return position

    def _insert_at(self, section: _Section, position: int, text: str) -> None:
        before = section.lines[position - 1]
        if not before.eol:
            before.eol = self.eol  # it was the last line; the new one ends the file
        section.lines.insert(position, _Line(text, self.eol))
        section.changed()

    def _delete(self, section: _Section, indices: Iterable[int]) -> None:
        for index in sorted(set(indices), reverse=True):
            del section.lines[index]
        section.changed()

    def _check_after(self, section: _Section) -> None:
        position = self._position(section)
        if position + 1 < len(self._list):
            self._check_boundary(section, self._list[position + 1])

    def _check_boundary(self, section: _Section, following: _Section) -> None:
        """`following` must still begin with its own header after `section`'s last key."""
        section.options()
        if section.end_indent is not None and _indent(following.lines[0].text) > section.end_indent:
            raise ConfigError(
                f"cannot edit without changing how botocore reads [{following.name}]: its indented "
                "header would become part of the key above it", path=self.path, section=section.name,
                hint="un-indent that header by hand (or: rolecall config edit)",
            )

    def _last_line(self) -> _Line | None:
        lines = self._tail_lines()
        return lines[-1] if lines else None

    def _tail_lines(self) -> list[_Line]:
        return self._list[-1].lines if self._list else self._preamble


class _Edit:
    """An edit of one key in one section, checked when it ends.

    Keys other than `key` must read as before and the next section must still
    start at its header; otherwise the lines are put back and the edit refused.
    """

    def __init__(self, document: ConfigDocument, section: _Section, key: str) -> None:
        self.document, self.section, self.key = document, section, key

    def __enter__(self) -> "_Edit":
        self.saved = [_Line(line.text, line.eol) for line in self.section.lines]
        self.before = self.section.values()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        section = self.section
        try:
            if exc_type is None:
                section.changed()
                if not _same_meaning(self.before, section.values(), self.key):
                    raise ConfigError(
                        f"cannot change {self.key} without changing other keys of [{section.name}]",
                        path=self.document.path, section=section.name, key=self.key,
                        hint="edit it by hand (or: rolecall config edit)",
                    )
                self.document._check_after(section)
        except ConfigError:
            self._restore()
            raise
        if exc_type is not None:
            self._restore()

    def _restore(self) -> None:
        self.section.lines[:] = self.saved
        self.section.changed()


def _with_value(text: str, value: str, *, delimiter: str | None = None) -> str:
    """`text` (a key line) with its value replaced, its key, spacing and delimiter kept."""
    lead = text[: len(text) - len(text.lstrip())]
    stripped = text.strip()
    trailing = text[len(text.rstrip()):]
    if delimiter is None:
        match = _OPTCRE.match(stripped)
        start = match.start("value") if match is not None else len(stripped)
    else:
        start = stripped.index(delimiter) + 1
        start += len(stripped[start:]) - len(stripped[start:].lstrip())
    prefix = stripped[:start]
    if start == len(stripped):  # `key =` had no value
        if trailing:
            return f"{text}{value}"  # its spacing after the delimiter is the line's own
        if " " in prefix:
            prefix += " "  # write `key = value`, not `key =value`
    return f"{lead}{prefix}{value}{trailing}"
