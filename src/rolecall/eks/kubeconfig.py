"""Adding a cluster, user and context to a kubeconfig without disturbing the rest of it.

A round-trip YAML edit (ruamel.yaml keeps comments, order and style), under a
lock kept in rolecall's state directory (no litter beside the kubeconfig),
the previous file kept as `<file>.bak`, the new one written atomically, 0600.
A file that is not a kubeconfig is refused with its name; nothing is written.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from rolecall import fileio, paths
from rolecall.eks.token import EXEC_API_VERSION
from rolecall.errors import ConfigError, RolecallError


@dataclass(frozen=True)
class Entry:
    """One cluster as kubectl should reach it."""

    name: str  # cluster and user entry name (the cluster ARN, as the AWS CLI names them)
    context: str  # context name (--alias, else the ARN)
    server: str
    certificate_authority_data: str
    command: str
    args: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = field(default=())


@dataclass
class Change:
    path: Path
    backup: Path | None
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    current_context: str | None = None


def default_path() -> Path:
    """The file kubectl writes to: the first of $KUBECONFIG, else ~/.kube/config."""
    listed = [part for part in os.environ.get("KUBECONFIG", "").split(os.pathsep) if part]
    return Path(os.path.expanduser(listed[0])) if listed else paths.home() / ".kube" / "config"


def _lock_for(path: Path) -> fileio.FileLock:
    return fileio.file_lock(path, private_dir=False)  # (kept in rolecall's state dir)


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    return yaml


def _load(path: Path, text: str):
    from ruamel.yaml import YAMLError
    from ruamel.yaml.comments import CommentedMap

    try:
        doc = _yaml().load(text) if text.strip() else None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}; nothing was changed",
                          hint=f"fix it with kubectl config view --kubeconfig {path}, or move it aside") from None
    if doc is None:
        doc = CommentedMap()
        doc["apiVersion"] = "v1"
        doc["kind"] = "Config"
        doc["preferences"] = CommentedMap()
    if not isinstance(doc, dict) or doc.get("kind", "Config") != "Config":
        raise ConfigError(f"{path}: not a kubeconfig (kind: Config); nothing was changed",
                          hint="point KUBECONFIG at your kubeconfig file")
    for section in ("clusters", "contexts", "users"):
        if doc.get(section) is None:
            doc[section] = []
        if not isinstance(doc[section], list) or not all(isinstance(item, dict) for item in doc[section]):
            raise ConfigError(f"{path}: {section} is not a list of named entries; nothing was changed",
                              hint=f"fix it with kubectl config view --kubeconfig {path}")
    return doc


def _upsert(items: list, name: str, key: str, body: dict) -> bool:
    """Set the entry `name` to `{name, key: body}`; True when it was added."""
    from ruamel.yaml.comments import CommentedMap

    for item in items:
        if item.get("name") == name:
            item[key] = body
            return False
    entry = CommentedMap()
    entry["name"] = name
    entry[key] = body
    items.append(entry)
    return True


def _bodies(entry: Entry) -> tuple[dict, dict, dict]:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    cluster = CommentedMap()
    cluster["certificate-authority-data"] = entry.certificate_authority_data
    cluster["server"] = entry.server
    context = CommentedMap()
    context["cluster"] = entry.name
    context["user"] = entry.name
    exec_ = CommentedMap()
    exec_["apiVersion"] = EXEC_API_VERSION
    exec_["command"] = entry.command
    exec_["args"] = CommentedSeq(entry.args)
    if entry.env:
        env = CommentedSeq()
        for name, value in entry.env:
            item = CommentedMap()
            item["name"] = name
            item["value"] = value
            env.append(item)
        exec_["env"] = env
    exec_["interactiveMode"] = "Never"
    exec_["provideClusterInfo"] = False
    user = CommentedMap()
    user["exec"] = exec_
    return cluster, context, user


def update(entries: list[Entry], *, path: Path | None = None, current: str | None = None) -> Change:
    """Add or update `entries` in the kubeconfig; `current`: the context to make current."""
    path = path or default_path()
    with fileio.holding(_lock_for(path), lambda: RolecallError(f"{path} is locked by another rolecall",
                                                               hint="try again in a moment")):
        before = _read(path)
        doc = _load(path, before or "")
        change = Change(path=path, backup=None)
        for entry in entries:
            cluster, context, user = _bodies(entry)
            added = _upsert(doc["clusters"], entry.name, "cluster", cluster)
            _upsert(doc["users"], entry.name, "user", user)
            added = _upsert(doc["contexts"], entry.context, "context", context) or added
            (change.added if added else change.updated).append(entry.context)
        if current is not None:
            doc["current-context"] = current
            change.current_context = current
        out = io.StringIO()
        _yaml().dump(doc, out)
        text = out.getvalue()
        if before is not None and text == before:
            return change
        fileio.ensure_private_dir(path.parent)
        if before is not None:
            change.backup = path.with_name(path.name + ".bak")
            fileio.atomic_write(change.backup, before, mode=0o600, private_dir=False)
        fileio.atomic_write(path, text, mode=0o600, private_dir=False)
        return change


def _read(path: Path) -> str | None:
    from rolecall import hot

    try:
        data = hot.read_regular(str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})",
                          hint="point KUBECONFIG at a regular file you can read") from None
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; nothing was changed",
                          hint="point KUBECONFIG at your kubeconfig file") from None
