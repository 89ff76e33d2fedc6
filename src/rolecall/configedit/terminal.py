"""Questions asked on the terminal (/dev/tty), never on stdout or a pipe.

`Terminal.open()` returns None when there is no terminal; callers then need a
flag for every answer and say which one is missing (NoTerminal).
"""

from __future__ import annotations

import os
from typing import IO, Sequence

from rolecall.errors import NoTerminal, UsageError


class Terminal:
    def __init__(self, reader: IO[str], writer: IO[str]) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    def open(cls) -> "Terminal | None":
        if os.environ.get("ROLECALL_NO_TTY"):
            return None
        from rolecall.term import open_tty

        try:
            reader, writer = open_tty()  # closed by close()
        except OSError:
            return None
        return cls(reader, writer)

    def close(self) -> None:
        for handle in (self.reader, self.writer):
            try:
                handle.close()
            except OSError:
                pass

    def say(self, text: str) -> None:
        self.writer.write(text + "\n")
        self.writer.flush()

    def ask(self, question: str, default: str | None = None) -> str:
        """One line of text; Enter takes the default shown in brackets."""
        shown = f" [{default}]" if default else ""
        while True:
            self.writer.write(f"{question}{shown}: ")
            self.writer.flush()
            line = self.reader.readline()
            if not line:  # EOF (Ctrl-D)
                raise KeyboardInterrupt
            answer = line.strip()
            if answer:
                return answer
            if default:
                return default

    def confirm(self, question: str, default: bool = False) -> bool:
        answer = self.ask(f"{question} ({'Y/n' if default else 'y/N'})", "y" if default else "n")
        return answer.lower().startswith("y")

    def choose(self, question: str, choices: Sequence[tuple[str, str]]) -> str:
        """Pick one of (title, value) with a type-to-filter list (questionary)."""
        import questionary
        from prompt_toolkit.application.current import create_app_session
        from prompt_toolkit.input import create_input
        from prompt_toolkit.output import create_output

        items = [questionary.Choice(title=title, value=value) for title, value in choices]
        from typing import TextIO, cast

        with create_app_session(input=create_input(cast(TextIO, self.reader)),
                                output=create_output(cast(TextIO, self.writer))):
            picked = questionary.select(
                question, choices=items, use_search_filter=True, use_jk_keys=False,
                instruction="(type to filter, arrows to move, Enter to pick)",
            ).unsafe_ask()
        if picked is None:
            raise KeyboardInterrupt
        return picked


def need(terminal: Terminal | None, flag: str, what: str) -> Terminal:
    """The terminal, or NoTerminal naming the flag that answers `what`."""
    if terminal is None:
        raise NoTerminal(f"no terminal to ask for {what}", hint=f"pass {flag}")
    return terminal


def check_choice(value: str, allowed: Sequence[str], flag: str, what: str) -> str:
    if value not in allowed:
        some = ", ".join(list(allowed)[:8])
        raise UsageError(f"{flag} {value!r} is not one of the {what} available to you",
                         hint=f"available: {some}" if some else None)
    return value
