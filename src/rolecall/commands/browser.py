"""`rolecall browser set|set-sso|show`: which browser opens consoles and sign-in pages.

Remembered in rolecall's own settings file (never the AWS config). Human words
go to stderr; `show` prints its report on stdout.
"""

from __future__ import annotations

import click

from rolecall import browsers, settings
from rolecall.term import printable


def _describe(choice: browsers.Browser) -> str:
    where = f" ({choice.path})" if choice.path else ""
    if choice.name in browsers.CHROMIUM_FAMILY:
        how = f"one browser profile per AWS profile, under {browsers.isolation_dir('x').parent}"
    elif choice.name == "firefox":
        how = (f"one container per AWS profile, through the {browsers.CONTAINER_EXTENSION!r} extension "
               f"({browsers.CONTAINER_EXTENSION_URL})")
    elif choice.name == "stdout":
        how = "the sign-in URL is printed, nothing is opened"
    else:
        how = "one browser profile for everything: consoles cannot stay signed in side by side"
    return f"{choice.name}{printable(where)} — {how}"


def _set(key: str, name: str, path: str | None) -> None:
    choice = browsers.choose(name, path)
    value = {"name": choice.name} | ({"path": choice.path} if choice.path else {})
    written = settings.update(key, value)
    label = "sign-in pages" if key == "sso_browser" else "consoles"
    click.echo(f"rolecall: {label} open in {_describe(choice)} (saved in {written})", err=True)
    note = browsers.cannot_isolate_note(choice.name) if key == "browser" else None
    if note:
        click.echo(f"rolecall: note: {note}", err=True)
    if choice.name == "firefox":
        click.echo(f"rolecall: install the {browsers.CONTAINER_EXTENSION!r} Firefox extension once: "
                   f"{browsers.CONTAINER_EXTENSION_URL}", err=True)


@click.group("browser")
def cmd() -> None:
    """Which browser opens consoles (each AWS profile in its own browser profile or container)."""


@cmd.command("set")
@click.argument("browser_name", metavar="NAME")
@click.option("--path", metavar="EXE", help="The browser's program (default: found on PATH or where it installs).")
def set_browser(browser_name: str, path: str | None) -> None:
    """Open consoles in NAME: default, chrome, chromium, brave, edge, vivaldi, firefox, safari or stdout."""
    _set("browser", browser_name, path)


@cmd.command("set-sso")
@click.argument("browser_name", metavar="NAME")
@click.option("--path", metavar="EXE", help="The browser's program (default: found on PATH or where it installs).")
def set_sso(browser_name: str, path: str | None) -> None:
    """Open SSO sign-in pages in NAME, in a browser profile of their own (the IdP's cookies stay apart)."""
    _set("sso_browser", browser_name, path)


@cmd.command("show")
def show() -> None:
    """The browsers rolecall uses, where the choice is kept, and which browsers are installed."""
    found = settings.load()
    console_choice = browsers.from_settings(found.get("browser"))
    sso_choice = browsers.from_settings(found.get("sso_browser"))
    installed = ", ".join(f"{b.name} ({b.path})" for b in browsers.detect()) or "none found"
    click.echo(f"console browser: {_describe(console_choice)}")
    click.echo(f"sign-in browser: {_describe(sso_choice)}")
    click.echo(f"settings: {settings.settings_path()}")
    click.echo(f"installed: {printable(installed)}")
