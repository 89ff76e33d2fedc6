"""`ConfigDocument`: round-trip edits of an AWS config file with configupdater.

The promise: every byte outside the lines an edit means to change stays as it
was — comments (`#` and `;`), blank lines, key order, spacing, tabs, nested
values, `[services …]`, unknown keys, the file's line endings (LF, CRLF or a
mix) and a missing final newline. A document nobody edited renders to exactly
the text it was read from.

configupdater keeps the raw lines of everything it did not touch; the rest is
here: where a new key goes (after the section's last key, not after the blank
lines and comments that belong to the next section), what a removed section
takes with it (its body, not the comments that introduce the next section),
and line-ending repair of the lines that changed.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Iterable, Iterator

from rolecall.awsconfig import _split_section, parse_ini
from rolecall.errors import ConfigError

if TYPE_CHECKING:  # configupdater is imported lazily (not on any hot path)
    from configupdater import Section

PROFILE = "profile"
SESSION = "sso-session"
SERVICES = "services"

_LONE_LF = re.compile(r"(?<!\r)\n")
# No quotes, no backslash, only ASCII: shlex.split is then a split on its whitespace.
_PLAIN_HEADER = re.compile(r"[\t\x20\x21\x23-\x26\x28-\x5b\x5d-\x7e]*\Z")
_SHLEX_SPACE = re.compile(r"[ \t\r\n]+")


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
    if kind == PROFILE and name == "default":
        return "default"
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


class ConfigDocument:
    """A parsed config file that can be edited and rendered back."""

    def __init__(self, text: str, path: str = "<config>", *, checked: bool = False) -> None:
        """`checked`: the caller already parsed `text` with awsconfig (botocore's rules)."""
        from configupdater import ConfigUpdater

        self.path = path
        self.original = text
        if re.search(r"\r(?!\n)", text):
            raise ConfigError(
                "the file uses bare CR line endings; rolecall will not rewrite it", path=path,
                hint="convert it to LF or CRLF line endings, then run the command again",
            )
        if not checked:
            parse_ini(text, path)  # botocore's view first: its errors are the clear ones
        self.eol = detect_eol(text)
        self._missing_final_eol = bool(text) and not text.endswith("\n")
        base = text + self.eol if self._missing_final_eol else text
        self._updater = ConfigUpdater()
        self._parse(base)
        if str(self._updater) != base:
            raise ConfigError(
                "configupdater cannot reproduce this file byte for byte; rolecall will not rewrite it",
                path=path, hint="edit it by hand (or: rolecall config edit)",
            )

    # -- parsing and rendering ----------------------------------------------

    def _parse(self, text: str) -> None:
        from configparser import Error as ParserError

        from configupdater import ConfigUpdater

        updater = ConfigUpdater()
        try:
            updater.read_string(text)
        except ParserError as exc:  # parse_ini accepted it: a configupdater gap
            raise ConfigError(f"cannot edit this file safely: {exc}", path=self.path) from None
        self._updater = updater
        self._index: dict[tuple[str, str], "Section"] | None = None

    def render(self) -> str:
        text = str(self._updater)
        if "\r" in self.original:
            text = _repair_eols(self.original, text, self.eol)
        if self._missing_final_eol and text.endswith(self.eol):
            # Keep the original last line as it was (no line ending); a line
            # that became last through the edit gets a normal line ending.
            last = self.original.rsplit("\n", 1)[-1]
            if text[: -len(self.eol)].endswith("\n" + last) or text[: -len(self.eol)] == last:
                text = text[: -len(self.eol)]
        return text

    @property
    def changed(self) -> bool:
        return self.render() != self.original

    # -- lookups --------------------------------------------------------------

    def _sections(self) -> dict[tuple[str, str], "Section"]:
        if self._index is None:
            index: dict[tuple[str, str], Section] = {}
            for section in self._updater.iter_sections():
                found = section_kind(section.name)
                if found is not None:
                    index[found] = section  # last one wins, as in botocore
            self._index = index
        return self._index

    def section(self, kind: str, name: str) -> "Section | None":
        return self._sections().get((kind, name))

    def names(self, kind: str) -> list[str]:
        return [name for (k, name) in self._sections() if k == kind]

    def values(self, kind: str, name: str) -> dict[str, str]:
        """Raw option values of a section, keys lower-cased (as botocore sees them)."""
        section = self.section(kind, name)
        if section is None:
            return {}
        return {opt.key: opt.value or "" for opt in section.iter_options()}

    def get(self, kind: str, name: str, key: str) -> str | None:
        return self.values(kind, name).get(key.lower())

    def iter_sections(self) -> Iterator[tuple[str, str, "Section"]]:
        for (kind, name), section in self._sections().items():
            yield kind, name, section

    # -- edits ----------------------------------------------------------------

    def set(self, kind: str, name: str, key: str, value: str) -> bool:
        """Set `key` in an existing section; True when the file changes."""
        section = self._require(kind, name)
        option = section.get(key)
        if option is not None:
            if option.value == value:
                return False
            option.value = value
            return True
        options = list(section.iter_options())
        # After the last key: trailing blank lines and comments usually introduce
        # the next section and must stay in front of it.
        builder = options[-1].add_after if options else section.insert_at(0)
        builder.option(key, value)
        return True

    def set_nested(self, kind: str, name: str, key: str, subkey: str, value: str) -> bool:
        """Set `subkey` inside the nested value `key` (`s3 = ↵  addressing_style = path`)."""
        section = self._require(kind, name)
        option = section.get(key)
        if option is None:
            options = list(section.iter_options())
            builder = options[-1].add_after if options else section.insert_at(0)
            builder.option(key, "")
            section[key].set_values([f"{subkey} = {value}"], indent="    ")
            return True
        entries, indent = self._nested_entries(kind, name, option)
        if entries.get(subkey) == value:
            return False
        lines = [f"{k} = {v}" if k != subkey else f"{subkey} = {value}" for k, v in entries.items()]
        if subkey not in entries:
            lines.append(f"{subkey} = {value}")
        option.set_values(lines, indent=indent)
        return True

    def unset_nested(self, kind: str, name: str, key: str, subkey: str) -> bool:
        section = self._require(kind, name)
        option = section.get(key)
        if option is None:
            return False
        entries, indent = self._nested_entries(kind, name, option)
        if subkey not in entries:
            return False
        del entries[subkey]
        if not entries:
            option.detach()
        else:
            option.set_values([f"{k} = {v}" for k, v in entries.items()], indent=indent)
        return True

    def _nested_entries(self, kind: str, name: str, option) -> tuple[dict[str, str], str]:
        value = option.value or ""
        if value.strip() and not value.startswith("\n"):
            raise ConfigError(
                f"{option.key} is a plain value, not a nested section", path=self.path,
                section=header_for(kind, name), key=option.key,
                hint=f"unset {option.key} first, or edit it with: rolecall config edit",
            )
        entries: dict[str, str] = {}
        indent = "    "
        for raw in option.lines[1:]:
            stripped = raw.strip()
            if not stripped:
                continue
            if "=" not in stripped or stripped.startswith(("#", ";")):
                raise ConfigError(
                    f"nested value {option.key} has a line rolecall cannot rewrite: {stripped!r}",
                    path=self.path, section=header_for(kind, name), key=option.key,
                    hint="edit it with: rolecall config edit",
                )
            indent = raw[: len(raw) - len(raw.lstrip(" \t"))] or indent
            sub, sub_value = stripped.split("=", 1)
            entries[sub.strip()] = sub_value.strip()
        return entries, indent

    def unset(self, kind: str, name: str, key: str) -> bool:
        section = self._require(kind, name)
        option = section.get(key)
        if option is None:
            return False
        option.detach()
        return True

    def remove(self, kind: str, name: str) -> bool:
        """Remove a section: header, keys and the comments between them.

        Comments after its last key stay (they introduce what follows), so do
        the blank lines after them.
        """
        section = self.section(kind, name)
        if section is None:
            return False
        blocks = list(section.iter_blocks())
        last_option = max((i for i, b in enumerate(blocks) if b.__class__.__name__ == "Option"), default=-1)
        tail = blocks[last_option + 1:]
        first_comment = next((i for i, b in enumerate(tail) if b.__class__.__name__ == "Comment"), None)
        keep = tail[first_comment:] if first_comment is not None else []
        document = self._updater
        position = section.container_idx
        for block in keep:
            block.detach()
        section.detach()
        for offset, block in enumerate(keep):
            block.attach(document)
            document.structure.insert(position + offset, block)
        self._index = None
        return True

    def rename(self, kind: str, old: str, new: str) -> bool:
        section = self._require(kind, old)
        header = header_for(kind, new)
        if section.name == header:
            return False
        section.name = header
        self._index = None
        return True

    def append_sections(self, sections: Iterable[tuple[str, list[tuple[str, str]]]]) -> int:
        """Append new sections (header, [(key, value)…]) at the end in one go.

        Built as text and re-parsed once: linear for thousands of sections,
        where inserting them one by one through configupdater is quadratic.
        """
        chunks = []
        for header, items in sections:
            chunks.append(f"[{header}]\n" + "".join(f"{k} = {v}\n" for k, v in items))
        if not chunks:
            return 0
        text = str(self._updater)
        if text and not text.endswith("\n"):
            text += "\n"
        if text.strip() and not text.endswith(("\n\n", "\n\r\n")):
            text += "\n"  # a blank line between the old last section and the new ones
        text += "\n".join(chunks)
        self._parse(text)
        return len(chunks)

    def _require(self, kind: str, name: str) -> "Section":
        section = self.section(kind, name)
        if section is None:
            raise ConfigError(f"{kind} {name!r} not found", path=self.path)
        return section


def _repair_eols(original: str, rendered: str, eol: str) -> str:
    """Give the lines an edit wrote the file's line ending; leave all others alone.

    configupdater writes new and changed lines with LF. In an all-CRLF file
    every LF-only line is one of them; in a mixed file a line diff tells them
    apart (lines equal to the original keep their own ending).
    """
    if not _LONE_LF.search(original):
        return _LONE_LF.sub(eol, rendered)
    import difflib

    old = original.splitlines(keepends=True)
    new = rendered.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        chunk = new[j1:j2]
        if tag != "equal":
            chunk = [_LONE_LF.sub(eol, line) for line in chunk]
        out.extend(chunk)
    return "".join(out)
