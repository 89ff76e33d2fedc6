"""The interactive profile picker behind `assume` with no PROFILE.

Type to filter (every space-separated term must match: part of the profile
name, the account name or id, the role or the description, or the name's letters
in order), arrows / PgUp / PgDn / Home / End to move, Enter to choose, Esc or
Ctrl-C to cancel. With nothing typed, the profiles used most and most recently
come first (rolecall.hot's recent-use file). It is drawn on /dev/tty, never on stdout: the shell wrapper
captures stdout to eval it. No terminal → errors.NoTerminal.

The matching is a pure function (`filter_rows`) so it is tested without a
terminal; prompt_toolkit is imported only when the picker is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, cast

from rolecall.errors import ConfigError, NoTerminal
from rolecall.term import printable

ACCOUNT_NAME_KEY = "rolecall_account_name"
DESCRIPTION_KEY = "rolecall_description"
MAX_VISIBLE = 15
HALF_LIFE_DAYS = 7.0  # a use a week ago counts half as much as one now


@dataclass(frozen=True)
class Row:
    name: str
    account_name: str
    account_id: str
    role: str
    description: str = ""

    @property
    def details(self) -> str:
        return f"{self.account_name} {self.account_id} {self.role} {self.description}".lower()


def rows_for(config: Any) -> list[Row]:
    """One row per profile, sorted by name; account/role from the profile's settings."""
    from rolecall.awsconfig import KIND_ROLE_CHAIN

    rows = []
    for name in sorted(config.profiles):
        p = config.profiles[name]
        account, role = p.account_id or "", p.role_name or ""
        if p.kind == KIND_ROLE_CHAIN and p.role_arn:
            parts = p.role_arn.split(":")
            account = parts[4] if len(parts) > 5 else ""
            role = parts[5].split("/")[-1] if len(parts) > 5 else p.role_arn
        rows.append(Row(name, p.get(ACCOUNT_NAME_KEY) or "", account, role, p.get(DESCRIPTION_KEY) or ""))
    return rows


def order_by_use(rows: list[Row], uses: dict[str, tuple[int, float]], now: float) -> list[Row]:
    """Frecency: each profile's use count, halved for every HALF_LIFE_DAYS since its last use;
    the unused keep their order after the used."""
    def score(row: Row) -> float:
        count, last = uses.get(row.name, (0, now))
        return count * 0.5 ** (max(0.0, now - last) / 86400 / HALF_LIFE_DAYS)

    ranked = sorted(enumerate(rows), key=lambda item: (-score(item[1]), item[0]))
    return [row for _, row in ranked]


def _subsequence_span(needle: str, haystack: str) -> int | None:
    """Length of the shortest window of `haystack` holding `needle` in order (None: absent)."""
    best = None
    start = haystack.find(needle[0]) if needle else -1
    while start != -1:
        pos = start
        for ch in needle[1:]:
            pos = haystack.find(ch, pos + 1)
            if pos == -1:
                return best
        span = pos - start + 1
        best = span if best is None else min(best, span)
        start = haystack.find(needle[0], start + 1)
    return best


def _term_score(row: Row, term: str) -> tuple[int, int] | None:
    name = row.name.lower()
    if term in name:
        return (0, name.index(term))
    if term in row.details:
        return (1, 0)
    # Fuzzy (in-order letters) on the name only: across account, id and role
    # almost any short query would match something.
    span = _subsequence_span(term, name)
    if span is not None:
        return (2, span)
    return None


def filter_rows(rows: Iterable[Row], query: str) -> list[Row]:
    """Rows matching every term of `query`, best first (substring of the name first)."""
    terms = query.lower().split()
    if not terms:
        return list(rows)
    scored = []
    for row in rows:
        total = (0, 0)
        for term in terms:
            score = _term_score(row, term)
            if score is None:
                break
            total = (total[0] + score[0], total[1] + score[1])
        else:
            scored.append((total, row.name, row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in scored]


def _printable(text: str) -> str:
    return printable(text)


def format_rows(rows: list[Row]) -> list[str]:
    """Aligned columns: profile, account name, account id, role, description."""
    cells = [[_printable(r.name), _printable(r.account_name), r.account_id, _printable(r.role),
              _printable(r.description)] for r in rows]
    if not cells:
        return []
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    return ["  ".join(c[i].ljust(widths[i]) for i in range(5)).rstrip() for c in cells]


def highlighted(line: str, query: str) -> list[tuple[str, str]]:
    """`line` as prompt_toolkit fragments, the parts matching a typed term marked (class:match)."""
    terms = [t for t in query.lower().split() if t]
    marks = [False] * len(line)
    lower = line.lower()
    for term in terms:
        start = lower.find(term)
        while start != -1:
            for i in range(start, start + len(term)):
                marks[i] = True
            start = lower.find(term, start + len(term))
    fragments: list[tuple[str, str]] = []
    for ch, marked in zip(line, marks, strict=True):
        style = "class:match" if marked else ""
        if fragments and fragments[-1][0] == style:
            fragments[-1] = (style, fragments[-1][1] + ch)
        else:
            fragments.append((style, ch))
    return fragments


def open_tty() -> tuple[Any, Any]:
    """(reader, writer) text streams on the controlling terminal."""
    from rolecall.term import open_tty as open_terminal

    try:
        return open_terminal()
    except OSError as exc:
        raise NoTerminal(
            f"no PROFILE given and no terminal to pick one on (/dev/tty: {exc.strerror})",
            hint="name the profile: assume PROFILE   (to see them: rolecall list)",
        ) from None


def pick_profile(config: Any, query: str = "") -> str | None:
    """The chosen profile name, or None when the user cancelled."""
    import time

    from rolecall import hot

    rows = order_by_use(rows_for(config), hot.recent_uses(), time.time())
    if not rows:
        raise ConfigError(
            "there are no profiles to choose from", path=str(config.config_path),
            hint="add one (rolecall config --help), then run: rolecall list",
        )
    reader, writer = open_tty()
    try:
        return _run_picker(rows, reader, writer, query)
    finally:
        reader.close()
        writer.close()


def _run_picker(rows: list[Row], reader: Any, writer: Any, query: str) -> str | None:
    from prompt_toolkit.application import Application
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.input import create_input
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
    from prompt_toolkit.layout.processors import BeforeInput
    from prompt_toolkit.output import create_output

    lines = dict(zip((r.name for r in rows), format_rows(rows), strict=True))
    state: dict[str, Any] = {"matches": filter_rows(rows, query), "index": 0}

    def on_change(buffer: Buffer) -> None:
        state["matches"] = filter_rows(rows, buffer.text)
        state["index"] = 0

    buffer = Buffer(multiline=False, on_text_changed=on_change)
    buffer.text = query

    def list_fragments() -> list[tuple[str, str]]:
        matches, index = state["matches"], state["index"]
        if not matches:
            return [("class:empty", "  no match\n"),
                    ("class:count", f"  0/{len(rows)}  type to filter, Backspace, Esc")]
        top = max(0, min(index - MAX_VISIBLE // 2, len(matches) - MAX_VISIBLE))
        out: list[tuple[str, str]] = []
        for pos in range(top, min(top + MAX_VISIBLE, len(matches))):
            selected = pos == index
            base = "reverse" if selected else ""
            out.append((base, "> " if selected else "  "))
            for style, text in highlighted(lines[matches[pos].name], buffer.text):
                out.append((f"{base} {style}".strip(), text))
            out.append(("", "\n"))
        out.append(("class:count", f"  {len(matches)}/{len(rows)}  type to filter, arrows, PgUp/PgDn, Enter, Esc"))
        return out

    def move(delta: int) -> None:
        if state["matches"]:
            state["index"] = (state["index"] + delta) % len(state["matches"])

    def jump(to: int) -> None:
        """PgUp/PgDn/Home/End: clamped, never wrapping."""
        if state["matches"]:
            state["index"] = max(0, min(to, len(state["matches"]) - 1))

    keys = KeyBindings()
    keys.add("up")(lambda e: move(-1))
    keys.add("c-p")(lambda e: move(-1))
    keys.add("s-tab")(lambda e: move(-1))
    keys.add("down")(lambda e: move(1))
    keys.add("c-n")(lambda e: move(1))
    keys.add("tab")(lambda e: move(1))
    keys.add("pageup")(lambda e: jump(state["index"] - MAX_VISIBLE))
    keys.add("pagedown")(lambda e: jump(state["index"] + MAX_VISIBLE))
    keys.add("home")(lambda e: jump(0))
    keys.add("end")(lambda e: jump(len(state["matches"]) - 1))

    @keys.add("enter")
    def _choose(event: Any) -> None:
        matches = state["matches"]
        if matches:
            event.app.exit(result=matches[state["index"]].name)

    @keys.add("escape", eager=True)
    @keys.add("c-c")
    @keys.add("c-g")
    def _cancel(event: Any) -> None:
        event.app.exit(result=None)

    layout = Layout(HSplit([
        Window(BufferControl(buffer, input_processors=[BeforeInput("profile> ")]), height=1),
        # (prompt_toolkit takes a callable returning fragments; its stub types a list invariantly)
        Window(FormattedTextControl(cast(Any, list_fragments)), dont_extend_height=True, wrap_lines=False),
    ]))
    from prompt_toolkit.output import ColorDepth
    from prompt_toolkit.styles import Style

    from rolecall.term import colour_on

    app: Application = Application(
        layout=layout, key_bindings=keys, full_screen=False, erase_when_done=True,
        input=create_input(stdin=reader), output=create_output(stdout=writer), mouse_support=False,
        style=Style.from_dict({"match": "bold underline ansicyan", "count": "ansibrightblack"}),
        color_depth=ColorDepth.DEPTH_8_BIT if colour_on(writer) else ColorDepth.DEPTH_1_BIT,
    )
    return app.run()
