"""The layout is what docs/ARCHITECTURE.md says: every module named, no command importing
another, no import cycle (lazy imports included), the basics never reaching up."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "rolecall"
DOC = ROOT / "docs" / "ARCHITECTURE.md"
BASICS = {"awsconfig", "aws", "shells", "term", "clipboard", "browser", "selfcmd", "regions", "resources", "fileio",
          "paths", "clock", "log", "errors", "hot", "__init__", "data"}


def documented_modules() -> set[str]:
    """Module paths from the tree in the doc: indentation gives the folders."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("## Every module and its one job", 1)[1].split("```", 2)[1]
    found: set[str] = set()
    stack: list[tuple[int, str]] = []
    inside = False
    for line in block.splitlines():
        if line.strip() == "src/rolecall/":
            inside = True
            continue
        if not inside or not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            break  # shell/, completions/ …: out of the package
        token = line.split()[0]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if token.endswith("/"):
            stack.append((indent, token.rstrip("/")))
        elif token.endswith(".py"):
            found.add("/".join([d for _, d in stack] + [token]))
    return found


def real_modules() -> set[str]:
    return {str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports() -> dict[str, set[str]]:
    """module → rolecall modules it imports anywhere in its body (lazy imports too)."""
    names = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
        graph[name] = {m for m in found if m in names and m != name}
    return graph


def test_every_module_is_named_in_the_doc():
    real, documented = real_modules(), documented_modules()
    assert real - documented == set(), "modules missing from docs/ARCHITECTURE.md"
    assert documented - real == set(), "docs/ARCHITECTURE.md names modules that do not exist"


def test_no_command_imports_another():
    offenders = {(a, b) for a, deps in imports().items() for b in deps
                 if a.startswith("rolecall.commands.") and b.startswith("rolecall.commands.")}
    assert offenders == set()


def test_no_import_cycle_even_through_lazy_imports():
    graph = imports()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_basics_never_reach_up():
    def basic(module: str) -> bool:
        return module == "rolecall" or module.split(".")[1] in BASICS

    offenders = {(a, b) for a, deps in imports().items() if basic(a) for b in deps if not basic(b)}
    assert offenders == set()
