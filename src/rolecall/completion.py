"""Tab completion for `rolecall` and `assume`, behind `rolecall __complete`.

This runs on every TAB, so it is stdlib-only and import-light: no click, no
botocore, no configparser, no `rolecall.errors`. Profile names come from a
minimal scan of the section headers (same naming rules as
`awsconfig.build_profile_map`), cached in rolecall.hot's name index
keyed on both files' (path, mtime_ns, size, inode). Errors never escape: a
broken config completes what it can, never prints a traceback.

Protocol (the shell functions in completions/ are the only callers):

    rolecall __complete bash -- WORD LINE
        WORD is readline's word ($2), LINE is ${COMP_LINE:0:COMP_POINT}. Python
        splits LINE with the shell's quoting rules and prints one COMPREPLY
        entry a line, already filtered and quoted for the context the user
        opened (bare, '…', "…", $'…'): readline replaces WORD with it and
        closes the quote itself.
    rolecall __complete zsh -- WORD… CURRENT
    rolecall __complete fish -- WORD… CURRENT
        The dequoted words before the cursor, then the (dequoted or raw)
        current word. Output: the raw candidates, one a line, optionally
        `candidate<TAB>description`; the shell filters and quotes them. zsh
        gets a first line with the prefix to keep (`--region=`) or an empty
        line; fish gets whole tokens (`--region=us-east-1`).
"""

from __future__ import annotations

import os
import sys

# The rolecall command tree, generated from the click commands by
# tools/gen_command_spec.py (click is too slow to import on a TAB): per
# command its options (name → kind; FLAG takes no value), the kinds of its
# positionals, "rest" for the kind of any further positionals, and
# "session_flag": a flag that makes the first positional an sso-session.
# ASSUME is the `assume` shell function's table (commands.assume.OPTIONS).
from rolecall.data.command_spec import ASSUME, ROLECALL

SHELLS = ("bash", "zsh", "fish")

# Value kinds: what a positional or an option's value completes to.
PROFILE = "profile"
SESSION = "session"
REGION = "region"
SERVICE = "service"
CLUSTER = "cluster"  # EKS cluster names seen by `eks list` / `eks kubeconfig`
ACCOUNT = "account"  # account ids (and names) seen by `config generate` (rolecall.portal_roles)
ROLE = "role"  # role names seen by `config generate` (of the --account-id typed before, if any)
CONFIG_KEY = "config-key"
KEY_VALUE = "key-value"  # the VALUE of `config set PROFILE KEY VALUE`: depends on KEY
VALUE = "value"  # takes a value, nothing to offer
FLAG = None

# Options that mean the same thing wherever they appear.
COMMON_OPTIONS = {
    "--profile": PROFILE, "--sso-session": SESSION, "--region": REGION, "--sso-region": REGION,
    "-h": FLAG, "--help": FLAG,
}

# Config keys offered by `rolecall config set|unset PROFILE <TAB>`.
CONFIG_KEYS = (
    "region", "output", "sso_session", "sso_account_id", "sso_role_name", "sso_start_url",
    "sso_region", "sso_registration_scopes", "role_arn", "source_profile", "credential_source",
    "credential_process", "role_session_name", "duration_seconds", "mfa_serial", "external_id",
    "rolecall_browser_profile",
)
OUTPUT_FORMATS = ("json", "yaml", "yaml-stream", "text", "table")
KEY_VALUE_KINDS = {
    "region": REGION, "sso_region": REGION, "sso_session": SESSION, "source_profile": PROFILE,
    "output": OUTPUT_FORMATS, "credential_source": ("Environment", "Ec2InstanceMetadata", "EcsContainer"),
}

# The command names, from the spec above (a test holds it to the registry in rolecall.commands).
COMMANDS = tuple(ROLECALL["commands"])
CONFIG_SUBCOMMANDS = tuple(ROLECALL["commands"]["config"]["commands"])

# --------------------------------------------------------------------------
# Profile and sso-session names: a scan of the section headers.


def _split_two_words(header: str) -> str | None:
    """The second word of `profile X` (shlex rules, exactly two words)."""
    if "'" in header or '"' in header or "\\" in header:
        import shlex  # only for quoted headers: shlex pulls in re, io, collections

        try:
            parts = shlex.split(header)
        except ValueError:
            return None
    else:  # shlex splits on these four characters only
        parts = header.replace("\t", " ").replace("\r", " ").replace("\n", " ").split(" ")
        parts = [p for p in parts if p]
    return parts[1] if len(parts) == 2 else None


def section_headers(text: str) -> list[str]:
    """Section names in file order, as configparser (botocore's reader) sees them.

    Follows RawConfigParser._read: whole-line `#`/`;` comments, indented lines
    under an option are continuations (never headers), `[DEFAULT]` is not a
    section. Lines it would reject are skipped instead: never raises.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    headers: list[str] = []
    in_section = False
    option_open = False  # an option whose value may continue on indented lines
    indent_level = 0
    for line in text.split("\n"):
        value = line.strip()
        if not value or value[0] in "#;":
            continue  # blank lines and comments leave the continuation state alone
        indent = len(line) - len(line.lstrip())
        if in_section and option_open and indent > indent_level:
            continue
        indent_level = indent
        end = value.rfind("]")
        if value[0] == "[" and end >= 2:
            name = value[1:end]
            in_section = True
            option_open = False
            if name != "DEFAULT":
                headers.append(name)
            continue
        if in_section:
            cut = min((i for i in (value.find("="), value.find(":")) if i >= 0), default=-1)
            if cut >= 0:
                option_open = bool(value[:cut].strip())
    return headers


def scan(config_text: str | None, credentials_text: str | None) -> tuple[list[str], list[str]]:
    """(profile names, sso-session names), deduplicated, in file order."""
    profiles: dict[str, None] = {}
    sessions: dict[str, None] = {}
    for header in section_headers(config_text or ""):
        if header.startswith("profile"):
            name = _split_two_words(header)
            if name is not None:
                profiles[name] = None
        elif header.startswith("sso-session"):
            name = _split_two_words(header)
            if name is not None:
                sessions[name] = None
        elif header == "default":
            profiles["default"] = None
    for header in section_headers(credentials_text or ""):
        profiles[header] = None
    return list(profiles), list(sessions)


def _read(path: str) -> str | None:
    from rolecall import hot

    try:
        data = hot.read_regular(path)  # (a FIFO or /dev/zero completes nothing instead of hanging)
    except OSError:
        return None
    return None if data is None else data.decode("utf-8", "replace")


def names() -> tuple[list[str], list[str]]:
    """(profiles, sessions) of the current config, from rolecall.hot's name index when it is current."""
    from rolecall import hot

    # The fingerprint is taken before the files are read: a change during the
    # scan leaves a stale key, so the next TAB scans again.
    key, cached = hot.names_lookup()
    if cached is not None:
        return cached
    profiles, sessions = scan(_read(hot.config_file()), _read(hot.credentials_file()))
    hot.names_store(key, profiles, sessions)
    return profiles, sessions


# --------------------------------------------------------------------------
# Candidates.


def _services() -> list[str]:
    try:
        from rolecall.console_services import SERVICES
    except Exception:  # not written yet, or broken: offer nothing
        return []
    return sorted(SERVICES)


def _regions() -> list[tuple[str, str | None]]:
    try:
        from rolecall import regions
    except Exception:
        return []
    return [(code, desc or None) for code, desc in regions.descriptions().items()]


def candidates(kind, positionals: list[str] | None = None,
               given: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """(value, description) pairs for a value kind; `given`: the option values typed before."""
    if kind == PROFILE:
        return [(name, None) for name in names()[0]]
    if kind == SESSION:
        return [(name, None) for name in names()[1]]
    if kind == REGION:
        return _regions()
    if kind == SERVICE:
        return [(name, None) for name in _services()]
    if kind == CLUSTER:
        from rolecall.eks.clusters import known_names

        return [(name, None) for name in known_names()]
    if kind in (ACCOUNT, ROLE):
        from rolecall import portal_roles

        given = given or {}
        session = given.get("--sso-session")
        if kind == ACCOUNT:
            return portal_roles.account_ids(session)
        return [(name, None) for name in portal_roles.role_names(session, given.get("--account-id"))]
    if kind == CONFIG_KEY:
        return [(key, None) for key in CONFIG_KEYS]
    if kind == KEY_VALUE:
        key = positionals[-1] if positionals else None
        return candidates(KEY_VALUE_KINDS.get(key or "", VALUE))
    if isinstance(kind, tuple):
        return [(choice, None) for choice in kind]
    return []


# --------------------------------------------------------------------------
# The grammar walk.


def _option_kind(spec: dict, option: str, top: bool) -> object:
    """The value kind of `option` in `spec` (FLAG: takes no value)."""
    options = spec.get("options", {})
    if option in options:
        return options[option]
    if not top and spec is not ASSUME and option in COMMON_OPTIONS:
        return COMMON_OPTIONS[option]
    if len(option) > 2 and option[1] != "-":
        # A cluster of short options (`-pc`, `-cr`, `-reu-west-1`): the first one
        # that takes a value swallows the rest of the word, or the next word.
        for i, letter in enumerate(option[1:], 1):
            kind = options.get("-" + letter, FLAG)
            if kind is not FLAG:
                return kind if i == len(option) - 1 else FLAG
    return FLAG


def complete(words: list[str], current: str) -> tuple[str, list[tuple[str, str | None]]]:
    """(kept prefix, candidates) for `current` after `words` (words[0] = the command).

    Candidates are unfiltered; the kept prefix (`--region=`) is part of the
    current word but not of the candidates.
    """
    program = os.path.basename(words[0]) if words else "rolecall"
    spec = ASSUME if program == "assume" else ROLECALL
    top = spec is ROLECALL
    expect: object = FLAG
    expecting = False
    positionals: list[str] = []
    seen_options: set[str] = set()
    given: dict[str, str] = {}  # option → the value typed for it
    option = ""
    dashdash = False
    for word in words[1:]:
        if expecting:
            expecting = False
            given[option] = word
            continue
        if not dashdash and word == "--":
            dashdash = True
        elif not dashdash and word.startswith("-") and word != "-":
            seen_options.add(word)
            if word.startswith("--") and "=" in word:
                name, _, value = word.partition("=")
                given[name] = value
                continue
            kind = _option_kind(spec, word, top)
            if kind is not FLAG:
                expect, expecting, option = kind, True, word
        elif "commands" in spec and not positionals:
            sub = spec["commands"].get(word)
            if sub is None:
                return "", []  # unknown subcommand: nothing sensible to offer
            spec, top, dashdash = sub, False, False
            seen_options.clear()
        else:
            positionals.append(word)
    if expecting:
        return "", candidates(expect, positionals, given)
    if not dashdash and current.startswith("--") and "=" in current:
        option = current.split("=", 1)[0]
        kind = _option_kind(spec, option, top)
        if kind is FLAG:
            return "", []
        return option + "=", candidates(kind, positionals, given)
    result: list[tuple[str, str | None]] = []
    if not dashdash and current.startswith("-"):
        options = dict(spec.get("options", {}))
        if not top and spec is not ASSUME:
            options.setdefault("-h", FLAG)
            options.setdefault("--help", FLAG)
        result = [(option, None) for option in options]
    if "commands" in spec:
        if not positionals:
            result += [(name, None) for name in spec["commands"]]
        return "", result
    args = spec.get("args", ())
    if len(positionals) < len(args):
        kind = args[len(positionals)]
        if not positionals and spec.get("session_flag") in seen_options:
            kind = SESSION  # `config set --session NAME KEY VALUE`
    else:
        kind = spec.get("rest", VALUE)
    positional = candidates(kind, positionals)
    if current.startswith("-") and not dashdash:
        positional = [c for c in positional if c[0].startswith("-")]
    return "", result + positional


# --------------------------------------------------------------------------
# Shell front ends.


def split_line(line: str) -> tuple[list[str], str, str]:
    """Split a bash command line up to the cursor: (words, current word, open quote).

    Words are dequoted; only the last simple command counts (after `;`, `|`,
    `&`, `(`). The open quote is '', "'", '"' or "$'" — the context a
    completion must be quoted for.
    """
    words: list[str] = []
    word: list[str] = []
    in_word = False
    quote = ""
    drop_next = False  # the word after a redirection is a file name, not an argument
    i, n = 0, len(line)

    def finish() -> None:
        nonlocal in_word, drop_next, word
        if in_word:
            if drop_next:
                drop_next = False
            else:
                words.append("".join(word))
        word, in_word = [], False

    while i < n:
        c = line[i]
        if quote == "'":
            if c == "'":
                quote = ""
            else:
                word.append(c)
        elif quote == "$'":
            if c == "'":
                quote = ""
            elif c == "\\" and i + 1 < n:
                i += 1
                word.append({"n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "a": "\a"}.get(line[i], line[i]))
            else:
                word.append(c)
        elif quote == '"':
            if c == '"':
                quote = ""
            elif c == "\\" and i + 1 < n and line[i + 1] in '$`"\\\n':
                i += 1
                if line[i] != "\n":
                    word.append(line[i])
            else:
                word.append(c)
        elif c in " \t\n":
            finish()
        elif c in ";&|()":
            finish()
            words.clear()
            drop_next = False
        elif c in "<>":
            if in_word and "".join(word).isdigit():  # 2>file: the fd is not a word
                word, in_word = [], False
            finish()
            drop_next = True
        elif c == "\\":
            in_word = True
            if i + 1 < n:
                i += 1
                if line[i] != "\n":
                    word.append(line[i])
        elif c == "'":
            quote, in_word = "'", True
        elif c == '"':
            quote, in_word = '"', True
        elif c == "$" and i + 1 < n and line[i + 1] == "'":
            quote, in_word = "$'", True
            i += 1
        else:
            word.append(c)
            in_word = True
        i += 1
    if in_word:
        current = "".join(word)
    else:
        current = ""
    # Leading NAME=value assignments are not the command.
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        words.pop(0)
    return words, current, quote


_BARE_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:@%+=^")


def quote_for_bash(text: str, quote: str) -> str:
    """`text` escaped for the quoting context the user opened (the quote stays open)."""
    if quote == "'":
        return text.replace("'", "'\\''")
    if quote == "$'":
        return text.replace("\\", "\\\\").replace("'", "\\'")
    if quote == '"':
        out = []
        for ch in text:
            if ch in '"\\$`':
                out.append("\\" + ch)
            elif ch == "!":  # history expansion: step out of the double quotes for it
                out.append("\"'!'\"")
            else:
                out.append(ch)
        return "".join(out)
    if _BARE_SAFE.issuperset(text):  # the common case, checked in C
        return text
    return "".join(ch if ch in _BARE_SAFE or (ch > "\x7f" and ch.isprintable()) else "\\" + ch for ch in text)


def readline_text(text: str, quote: str) -> str:
    """`text` as the rest of a word readline will insert in the `quote` context.

    Readline closes an open quote after a unique match, except when the text
    already ends with the quote character (readline's append_to_match): an
    escaped `\"` or `'\''` at the end would then leave the quote open, so
    close it here instead.
    """
    escaped = quote_for_bash(text, quote)
    if quote and escaped.endswith(quote[-1]):
        escaped += quote[-1]
    return escaped


def bash_replies(rl_word: str, line: str) -> list[str]:
    """COMPREPLY: candidates that extend the current word, as replacements of readline's word."""
    words, current, quote = split_line(line)
    if not words:
        return []
    kept, found = complete(words, current)
    typed = current[len(kept):] if current.startswith(kept) else current
    replies: list[str] = []
    seen: set[str] = set()
    cut = len(typed)
    for value, _ in found:
        if value.startswith(typed) and value not in seen and "\n" not in value:
            seen.add(value)
            # readline replaces its word (which may start after a `'` or a `:`) and
            # closes an open quote itself: keep what was typed, escape the rest.
            replies.append(rl_word + readline_text(value[cut:], quote))
    return replies


def _dequote_fish_token(token: str) -> str:
    """`commandline -ct` may hold quotes; enough of fish's rules to see `-` and `--x=`."""
    words, current, _ = split_line("x " + token)
    return current


def _lines(found: list[tuple[str, str | None]], prefix: str = "") -> list[str]:
    out = []
    for value, desc in found:
        if "\n" in value or "\t" in value:
            continue  # cannot be passed one a line; such names are not typeable anyway
        out.append(f"{prefix}{value}\t{desc}" if desc else prefix + value)
    return out


def run(argv: list[str]) -> int:
    """`rolecall __complete SHELL -- …`: print candidates; never fail loudly."""
    try:
        output = _run(argv)
    except Exception:
        return 1
    if output:
        try:
            sys.stdout.write("\n".join(output) + "\n")
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
    return 0


def _run(argv: list[str]) -> list[str]:
    if len(argv) < 2 or argv[1] != "--":
        return []
    shell, rest = argv[0], argv[2:]
    if shell == "bash":
        if len(rest) != 2:
            return []
        return bash_replies(rest[0], rest[1])
    if shell in ("zsh", "fish"):
        if not rest:
            return []
        words, current = rest[:-1], rest[-1]
        if shell == "fish":
            current = _dequote_fish_token(current)
            kept, found = complete(words, current)
            return _lines(found, kept)
        kept, found = complete(words, current)
        return [kept] + _lines(found)
    return []


# --------------------------------------------------------------------------
# `rolecall init <shell>` appends this.

_SCRIPTS = {"bash": ("rolecall.bash",), "zsh": ("_rolecall",), "fish": ("rolecall.fish", "assume.fish")}
_MARKER = "command rolecall __complete"


def snippet_files(shell: str) -> tuple[str, ...]:
    """The files in completions/ that init_snippet(shell) reads."""
    return _SCRIPTS.get(shell, ())


def running_command() -> list[str]:
    """How to call this rolecall (rolecall.selfcmd's one answer)."""
    from rolecall import selfcmd

    return selfcmd.launcher_argv()


def _without_header(text: str) -> str:
    """The script minus its leading comment block (install notes for the standalone file)."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def init_snippet(shell: str, command: list[str] | None = None) -> str:
    """The completion code for `shell`, calling `command` (default: this rolecall).

    The same code as the standalone files in completions/, with the command
    baked in (quoted) instead of looking `rolecall` up on PATH.
    """
    from rolecall import resources

    if shell not in _SCRIPTS:
        raise ValueError(f"no completion for shell {shell!r} (bash, zsh, fish)")
    command = list(command) if command is not None else running_command()
    from rolecall import shells  # (not on a TAB: only `rolecall init` bakes the command in)

    quote = shells.emitter(shell).quote
    baked = "command " + " ".join(quote(part) for part in command) + " __complete"
    if shell == "zsh":
        lines = _without_header(resources.read_text("completions", "_rolecall")).splitlines()
        body = "\n".join("    " + line if line else "" for line in lines).replace(_MARKER, baked)
        return (
            "# rolecall completion (zsh)\n"
            f"_rolecall() {{\n{body}\n}}\n"
            "_assume() { _rolecall \"$@\"; }\n"
            "# compdef exists once compinit has run; without it there is nothing to register.\n"
            "if (( ${+functions[compdef]} )); then\n"
            "    compdef _rolecall rolecall\n"
            "    compdef _assume assume\n"
            "fi\n"
        )
    if shell == "bash":
        body = _without_header(resources.read_text("completions", "rolecall.bash")).replace(_MARKER, baked)
        return "# rolecall completion (bash): rolecall and assume\n" + body
    # fish: the function once, then the `complete` lines of both files.
    body = _without_header(resources.read_text("completions", "rolecall.fish")).replace(_MARKER, baked)
    extra = [line for line in resources.read_text("completions", "assume.fish").splitlines()
             if line.startswith("complete ")]
    return "# rolecall completion (fish): rolecall and assume\n" + body.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
