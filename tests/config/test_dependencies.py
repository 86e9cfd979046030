"""Dependencies run one way (DESIGN.md, "Lessons from the first review").

``config.settings`` ← ``sevendigital`` ← ``integrations`` (the client factory, the media
relay, country and currency) ← ``accounts`` ← ``store``; the sandbox stands apart; no
app imports another that imports it back, not even inside a function; ``bench/`` and
``scripts/`` never import ``tests/``. Read from the source with ``ast``, so an import
hidden in a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "sevendigital", "integrations", "accounts", "store", "sandbox")
TOOLS = ("bench", "scripts")
LOCAL = {*PACKAGES, *TOOLS, "tests"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, dotted
    target: str  # the imported module, dotted
    path: str
    line: int
    top_level: bool  # at module level, not inside a function or class body


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports_of(path: Path) -> list[Import]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from pkg import module`` imports a module as much as ``import pkg.module``.
            targets = [stem, *(f"{stem}.{alias.name}" for alias in node.names)]
        else:
            continue
        rel = str(path.relative_to(ROOT))
        for target in targets:
            if target.split(".")[0] in LOCAL:
                found.append(Import(module, target, rel, node.lineno, id(node) in top))
    return found


def _all_imports() -> list[Import]:
    found = []
    for top in (*PACKAGES, *TOOLS):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts and "node_modules" not in path.parts:
                found.extend(_imports_of(path))
    return found


IMPORTS = _all_imports()


def unit(module: str) -> str:
    """The app a module belongs to: ``store.<app>``, ``config.settings`` or a top package."""
    parts = module.split(".")
    if parts[0] == "store" and len(parts) > 1:
        return ".".join(parts[:2])
    if parts[:2] == ["config", "settings"]:
        return "config.settings"
    return parts[0]


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for imp in IMPORTS:
        source, target = unit(imp.source), unit(imp.target)
        if source.split(".")[0] in TOOLS or source == "config":  # the composition root
            continue
        if source != target:
            edges[source].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one app (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def test_the_scan_sees_the_imports_it_judges():
    """A scan that found nothing would pass every rule below."""
    seen = {(unit(i.source), unit(i.target)) for i in IMPORTS}
    assert ("accounts", "integrations") in seen
    assert ("store.checkout", "accounts") in seen
    assert ("integrations", "sevendigital") in seen


def test_no_two_apps_import_each_other_even_through_others():
    assert _cycles(_edges()) == []


# What each layer may not import: the ones above it.
FORBIDDEN = {
    "sevendigital": ("config", "integrations", "accounts", "store", "sandbox", "tests"),
    "integrations": ("accounts", "store", "sandbox", "tests"),
    "accounts": ("store", "sandbox", "tests"),
    "store": ("sandbox", "tests"),
    "sandbox": ("integrations", "accounts", "store", "tests"),
    "config.settings": ("integrations", "accounts", "store", "sandbox", "tests"),
    "store.playlogs": ("store.player",),
    "bench": ("tests",),
    "scripts": ("tests",),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    above = FORBIDDEN[layer]
    wrong = [
        f"{i.path}:{i.line} imports {i.target}"
        for i in IMPORTS
        if (unit(i.source) == layer or i.source.split(".")[0] == layer)
        and any(i.target == a or i.target.startswith(f"{a}.") for a in above)
    ]
    assert wrong == []


def test_the_client_is_plain_python():
    for path in sorted((ROOT / "sevendigital").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not [n for n in names if n.split(".")[0] == "django"], path


def _is_services(module: str) -> bool:
    return module.endswith(".services") or ".services." in module


def test_services_import_tasks_at_the_top_and_tasks_import_services_inside_functions():
    """DESIGN.md's convention for the services ↔ tasks loop, in every app."""
    wrong = []
    for i in IMPORTS:
        app = unit(i.source)
        if unit(i.target) != app or not app.startswith(("store.", "accounts")):
            continue
        if _is_services(i.source) and i.target.endswith(".tasks") and not i.top_level:
            wrong.append(f"{i.path}:{i.line}: services import tasks inside a function")
        if i.source.endswith(".tasks") and _is_services(i.target) and i.top_level:
            wrong.append(f"{i.path}:{i.line}: tasks import services at the top")
    assert wrong == []
