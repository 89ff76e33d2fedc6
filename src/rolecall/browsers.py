"""Which browser opens consoles and sign-in pages, and how each AWS profile gets its own.

The AWS console keeps one signed-in role per browser profile, so a second
console signs the first one out, unless each opens in a browser profile of its
own. rolecall does that:

- Chromium family (chrome, chromium, brave, edge, vivaldi): `--user-data-dir`
  under rolecall's data directory, one per isolation name (stable; any name is
  safe: a readable part plus a hash), launched detached, the URL one argv element.
- firefox: a container per isolation name, through the "Open external links in
  a container" extension's URL scheme (`ext+container:name=…&url=…`), with a
  colour and icon derived from the name.
- default (ROLECALL_BROWSER / BROWSER / the system opener) and safari: one
  browser profile for everything; they cannot isolate.
- stdout: the caller prints the URL.

The choice is remembered in rolecall's settings (rolecall.settings).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rolecall.errors import ConfigError, RolecallError, UsageError

CHROMIUM_FAMILY = ("chrome", "chromium", "brave", "edge", "vivaldi")
NAMES = ("default", *CHROMIUM_FAMILY, "firefox", "safari", "stdout")
SSO_ISOLATION = "rolecall-sso"  # the sign-in pages' own browser profile / container
CONTAINER_EXTENSION = "Open external links in a container"
CONTAINER_EXTENSION_URL = "https://addons.mozilla.org/firefox/addon/open-url-in-container/"
# Colours and icons the extension (and Firefox Multi-Account Containers) accept.
CONTAINER_COLOURS = ("blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple")
CONTAINER_ICONS = ("fingerprint", "briefcase", "dollar", "cart", "circle", "gift", "vacation", "food", "fruit",
                   "pet", "tree", "chill", "fence")

# Where each browser usually is: names looked up on PATH, then absolute paths (Linux, macOS).
_MAC = "/Applications/{}.app/Contents/MacOS/{}"
CANDIDATES: dict[str, tuple[str, ...]] = {
    "chrome": ("google-chrome", "google-chrome-stable", "chrome", "/opt/google/chrome/chrome",
               _MAC.format("Google Chrome", "Google Chrome")),
    "chromium": ("chromium", "chromium-browser", "/snap/bin/chromium", "/usr/lib/chromium/chromium",
                 _MAC.format("Chromium", "Chromium")),
    "brave": ("brave-browser", "brave", "/opt/brave.com/brave/brave", "/snap/bin/brave",
              _MAC.format("Brave Browser", "Brave Browser")),
    "edge": ("microsoft-edge", "microsoft-edge-stable", "/opt/microsoft/msedge/msedge",
             _MAC.format("Microsoft Edge", "Microsoft Edge")),
    "vivaldi": ("vivaldi", "vivaldi-stable", "/opt/vivaldi/vivaldi", _MAC.format("Vivaldi", "Vivaldi")),
    "firefox": ("firefox", "firefox-esr", "/snap/bin/firefox", _MAC.format("Firefox", "firefox")),
    "safari": ("/Applications/Safari.app",),
}


@dataclass(frozen=True)
class Browser:
    name: str
    path: str | None = None  # the executable (safari: the .app; default/stdout: None)

    @property
    def isolates(self) -> bool:
        return self.name in CHROMIUM_FAMILY or self.name == "firefox"


def check_name(name: str) -> str:
    key = name.strip().lower()
    if key in NAMES:
        return key
    import difflib

    from rolecall.term import printable

    close = difflib.get_close_matches(key, NAMES, n=1)
    raise UsageError(f"unknown browser {printable(name)!r}" + (f" (did you mean {close[0]}?)" if close else ""),
                     hint="one of: " + ", ".join(NAMES))


def find(name: str) -> str | None:
    """The installed executable of `name` (None: not found here)."""
    for candidate in CANDIDATES.get(name, ()):
        if os.path.isabs(candidate):
            if name == "safari" and sys.platform == "darwin" and os.path.isdir(candidate):
                return candidate
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        else:
            found = shutil.which(candidate)
            if found:
                return found
    return None


def detect() -> list[Browser]:
    """Every browser installed here that rolecall can drive, in NAMES order."""
    return [Browser(name, path) for name in NAMES if name in CANDIDATES
            for path in [find(name)] if path is not None]


def choose(name: str, path: str | None = None) -> Browser:
    """The Browser for `browser set NAME [--path EXE]`: NAME checked, the executable found or checked."""
    from rolecall.term import printable

    key = check_name(name)
    if key in ("default", "stdout"):
        if path:
            raise UsageError(f"--path does not apply to {key}", hint=f"rolecall browser set {key}")
        return Browser(key)
    if path:
        resolved = os.path.abspath(os.path.expanduser(path))
        usable = os.path.isdir(resolved) if key == "safari" else (os.path.isfile(resolved)
                                                                    and os.access(resolved, os.X_OK))
        if not usable:
            raise UsageError(f"--path {printable(path)!r} is not an executable file",
                             hint=f"give the browser's program: rolecall browser set {key} --path /path/to/{key}")
        return Browser(key, resolved)
    found = find(key)
    if found is None:
        looked = ", ".join(CANDIDATES.get(key, ()))
        raise UsageError(f"{key} is not installed here (looked for {looked})",
                         hint=f"give its program: rolecall browser set {key} --path /path/to/{key}")
    return Browser(key, found)


def from_settings(value: dict | None) -> Browser:
    """The remembered choice (no setting: default)."""
    if not value:
        return Browser("default")
    name = value.get("name", "default")
    if name not in NAMES:
        from rolecall.settings import settings_path

        raise ConfigError(f"{settings_path()}: unknown browser {name!r}",
                          hint="set it again: rolecall browser set NAME")
    # (a hand-written entry without a path: found as `browser set` would find it)
    return Browser(name, value.get("path") or (find(name) if name in CANDIDATES else None))


def isolation_dir(isolation: str) -> Path:
    """The Chromium user-data-dir for one isolation name: stable, and safe for any name."""
    from rolecall import paths

    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", isolation).strip("._")[:48] or "profile"
    digest = hashlib.sha256(isolation.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return paths.data_dir() / "browser-profiles" / f"{readable}-{digest}"


def container_url(isolation: str, url: str) -> str:
    """The extension's scheme: one container per name, a stable colour and icon."""
    digest = hashlib.sha256(isolation.encode("utf-8", "surrogateescape")).digest()
    colour = CONTAINER_COLOURS[digest[0] % len(CONTAINER_COLOURS)]
    icon = CONTAINER_ICONS[digest[1] % len(CONTAINER_ICONS)]
    return (f"ext+container:name={quote(isolation, safe='')}&url={quote(url, safe='')}"
            f"&color={colour}&icon={icon}")


def launch_argv(browser: Browser, url: str, isolation: str) -> list[str]:
    """The argv that opens `url` in `browser`, isolated as `isolation` where the browser can be."""
    if browser.path is None:
        raise RolecallError(f"{browser.name} is not installed here (no program to start)",
                            hint=f"give its program: rolecall browser set {browser.name} --path /path/to/it")
    if browser.name in CHROMIUM_FAMILY:
        directory = isolation_dir(isolation)
        from rolecall import fileio, hot

        fileio.ensure_private_dir(directory)
        for path in (directory.parent, directory):  # its cookies are your console sessions
            problem = hot.dir_problem(str(path))
            if problem:
                raise RolecallError(f"not using {path}: it {problem}",
                                    hint=f"remove it (rolecall makes it again, 0700): rm -rf {path}")
        return [browser.path, f"--user-data-dir={directory}", "--no-first-run", "--no-default-browser-check",
                "--new-window", url]
    if browser.name == "firefox":
        return [browser.path, container_url(isolation, url)]
    if browser.name == "safari":
        return ["open", "-a", browser.path, url]
    raise ValueError(f"{browser.name} is not launched by argv")


def for_call(name: str | None, remembered: Browser) -> Browser:
    """`--browser NAME` for one call (the remembered path when it is the same browser), else the setting."""
    if name is None:
        return remembered
    key = check_name(name)
    if key == remembered.name:
        return remembered
    return choose(key)


def open_in(browser: Browser, url: str, isolation: str, *, secrets: list[str], instead: str) -> None:
    """Open `url` in `browser`, isolated as `isolation` where it can be (default: the old route)."""
    from rolecall import browser as opener

    if browser.name == "default":
        opener.open_url(url, secrets=secrets, instead=instead)
        return
    opener.run_detached(launch_argv(browser, url, isolation), secrets=secrets, instead=instead,
                        what=f"the {browser.name} browser")


def open_sign_in_page(url: str) -> bool:
    """The SSO sign-in page: in the sign-in browser when one is set (`browser set-sso`), in its own
    profile or container; else as before. False: nothing was opened (the URL is shown anyway)."""
    from rolecall import browser as opener
    from rolecall import settings

    chosen = from_settings(settings.load().get("sso_browser"))
    if chosen.name == "default":
        return opener.launch(url)
    if chosen.name == "stdout":
        return False
    try:
        opener.run_detached(launch_argv(chosen, url, SSO_ISOLATION), instead="the URL shown above",
                            what=f"the {chosen.name} browser")
    except RolecallError:  # the login goes on with the URL on screen
        return False
    return True


def cannot_isolate_note(name: str) -> str | None:
    if name in ("default", "safari"):
        return (f"{name} opens every console in one browser profile, so a second console signs the first out; "
                "for consoles side by side: rolecall browser set chromium (or chrome, brave, edge, vivaldi, firefox)")
    return None
