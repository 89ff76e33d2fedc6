"""`config edit`: the user's editor on a private copy; only a valid result lands.

The copy lives in a fresh 0700 temp directory (it may hold keys). After the
editor exits, the text must parse with botocore's rules and every profile or
sso-session the user changed must be sound (`AwsConfig.profile_problems`).
If not: ask on the terminal whether to reopen the editor or abort; with no
terminal, abort. The config file is replaced (backup, atomic, under the lock)
only if nobody else changed it meanwhile.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from rolecall import awsconfig, paths
from rolecall.configedit import store
from rolecall.configedit.terminal import Terminal
from rolecall.errors import ConfigError, UsageError


def editor_command() -> list[str]:
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        argv = shlex.split(raw)
    except ValueError:
        raise UsageError(f"cannot parse the editor command {raw!r}", hint="check $VISUAL / $EDITOR") from None
    if not argv:
        raise UsageError("$VISUAL / $EDITOR is empty", hint="export EDITOR=vi")
    return argv


def problems(before: awsconfig.AwsConfig | None, path: Path, credentials_path: Path,
             credentials_text: str | None, text: str) -> list[str]:
    """What is wrong with `text`, limited to what the user changed."""
    try:
        new = awsconfig.AwsConfig(path, credentials_path, text, credentials_text)
    except ConfigError as exc:
        return [str(exc)]
    old_profiles = before.raw_profiles if before is not None else {}
    old_sessions = before.raw_sessions if before is not None else {}
    changed_sessions = {n for n, v in new.raw_sessions.items() if old_sessions.get(n) != v}
    found: list[str] = []
    for name, values in new.raw_profiles.items():
        session = new.profiles[name].sso_session
        if old_profiles.get(name) != values or (session is not None and session in changed_sessions):
            found += [str(p) for p in new.profile_problems(name)]
    for problem in new.problems():  # sessions missing their start URL / region
        text_problem = str(problem)
        if any(f"[sso-session {n}]" in text_problem for n in changed_sessions) and text_problem not in found:
            found.append(text_problem)
    return found


def edit_interactively(path: Path | None = None) -> store.EditResult:
    path = path if path is not None else paths.config_file()
    config = awsconfig.load(config_path=path)
    before = config.config_text
    original = before or ""
    argv = editor_command()
    terminal = Terminal.open()
    try:
        with tempfile.TemporaryDirectory(prefix="rolecall-edit-") as workdir:  # mkdtemp: 0700
            copy = Path(workdir) / (path.name or "config")
            copy.write_bytes(original.encode("utf-8"))
            os.chmod(copy, 0o600)
            while True:
                _run_editor(argv, copy)
                after: str | None = None
                try:
                    text = copy.read_bytes().decode("utf-8")
                except UnicodeDecodeError:
                    found = ["the edited file is not valid UTF-8"]
                else:
                    after = text
                    found = problems(config if before is not None else None, path, config.credentials_path,
                                     config.credentials_text, text)
                if after is not None and not found:
                    break
                if terminal is None:
                    raise ConfigError(
                        f"the edited config is not valid: {found[0]}", path=str(path),
                        hint="nothing was written; run `rolecall config edit` from a terminal to fix it",
                    )
                terminal.say("rolecall: the edited config has problems:")
                for problem in found:
                    terminal.say(f"  - {problem}")
                if not terminal.confirm("Reopen the editor to fix it? (n aborts; nothing is written)", default=True):
                    raise ConfigError("edit aborted; nothing was written", path=str(path))
    finally:
        if terminal is not None:
            terminal.close()
    result = store.EditResult(path=path, before=original, after=after)
    if after == original:
        return result
    with store.config_lock(path):
        current = awsconfig.load(config_path=path).config_text
        if current != before:
            raise ConfigError(
                "the file changed while you were editing it; nothing was written", path=str(path),
                hint="run `rolecall config edit` again",
            )
        store.write(path, before, after)
    result.written = True
    result.backup = store.backup_path(path) if before is not None else None
    return result


def _run_editor(argv: list[str], copy: Path) -> None:
    try:
        status = subprocess.call([*argv, str(copy)])
    except OSError as exc:
        raise UsageError(f"cannot run the editor {argv[0]!r}: {exc.strerror}",
                         hint="set $VISUAL or $EDITOR to an editor that is installed") from None
    if status != 0:
        raise UsageError(f"the editor exited with status {status}; nothing was written")
