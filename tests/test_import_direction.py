"""Imports flow one way (docs/architecture.md, import direction): every module of ours is parsed with `ast`, its
imports read wherever they stand (module level, inside functions, relative or absolute), and the test fails on an
import that runs up the order, between two rooms of the same rank, or round a cycle."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_independent

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("fediverse_node", "outbox", "actors", "posts", "inbox", "clientapi", "community", "mapview", "streaming", "operations")

# Lowest first: a module may import its own room and the rooms of a lower rank, nothing else.
RANKS = {
    "protocol": 0,  # fediverse_node.protocol: pure, imports nothing of ours
    "kernel": 1,  # the rest of fediverse_node that the rooms share: http, errors, sanitising, collections…
    "outbox": 2,
    "actors": 3,
    "posts": 4,
    "inbox": 5,
    "clientapi": 5,
    "community": 5,
    "mapview": 6,
    "streaming": 6,  # renders the client API's entities for its events
    "wiring": 7,  # fediverse_node's urls, wsgi, rsgi, celery, apps: may import every room; no room imports them
    "operations": 8,  # the command line, management commands, demo data, backup, doctor: on top of everything
}
# The modules of fediverse_node that wire the project together (the rest of it is the kernel and the protocol core).
WIRING = {"urls", "wsgi", "rsgi", "celery", "apps"}  # and settings, which ranks with the kernel

# Upward imports not yet untangled: none are left (follows reach feeds and notifications through actors/hooks.py).
# Were one ever listed, the test fails once it is gone and still listed here.
KNOWN_UPWARD: set[tuple[str, str]] = set()


def room_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "fediverse_node":
        return parts[0]
    if len(parts) > 1 and parts[1] == "protocol":
        return "protocol"
    if len(parts) > 1 and parts[1] == "settings":
        return "kernel"  # read before any app loads: it may import the kernel, no room
    if len(parts) > 1 and parts[1] in WIRING:
        return "wiring"
    return "kernel"


def modules_of(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    found = {}
    for package in packages:
        for path in (root / package).rglob("*.py"):
            if "migrations" in path.parts or "node_modules" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module of ours, line) for every import statement anywhere in the file."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from posts import activities` imports the module posts.activities
            names = [source] + [f"{source}.{alias.name}" for alias in node.names if f"{source}.{alias.name}" in known]
        else:
            continue
        for name in names:
            # the deepest module of ours the name points at (`import a.b.c` where c is a class: a.b)
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                yield name, node.lineno


def violations(root: Path, packages: tuple[str, ...] = PACKAGES) -> tuple[list[tuple[str, str, str]], list[list[str]]]:
    """(upward imports as (importer, imported, where), cycles as lists of modules)."""
    known = modules_of(root, packages)
    graph: dict[str, set[str]] = {module: set() for module in known}
    upward = []
    for module, path in sorted(known.items()):
        for imported, line in imports_of(module, path, known):
            graph[module].add(imported)
            mine, theirs = room_of(module), room_of(imported)
            if mine == theirs:
                continue
            if RANKS[theirs] >= RANKS[mine]:
                upward.append((module, imported, f"{path.relative_to(root)}:{line}"))
    return upward, _cycles(graph)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_imports_run_one_way_and_round_no_cycle():
    upward, cycles = violations(ROOT)
    new = [f"{where}: {mine} imports {theirs}" for mine, theirs, where in upward if (mine, theirs) not in KNOWN_UPWARD]
    assert not new, "imports that run up the order (docs/architecture.md):\n" + "\n".join(new)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
    paid = KNOWN_UPWARD - {(mine, theirs) for mine, theirs, _ in upward}
    assert not paid, f"no longer imported: strike them from KNOWN_UPWARD: {sorted(paid)}"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_check_sees_upward_imports_inside_functions_and_cycles(tmp_path):
    _write(tmp_path, {
        "outbox/__init__.py": "",
        "outbox/services.py": "def publish():\n    from posts.models import Post\n",
        "posts/__init__.py": "",
        "posts/models.py": "from actors.models import Actor\n",
        "posts/feeds.py": "from . import views\n",
        "posts/views.py": "def page():\n    from .feeds import x\n",
        "actors/__init__.py": "",
        "actors/models.py": "from outbox import services\n",
        "community/__init__.py": "",
        "community/views.py": "from inbox.handlers import handle\n",
        "inbox/__init__.py": "",
        "inbox/handlers.py": "import json\n",
    })
    upward, cycles = violations(tmp_path, ("outbox", "posts", "actors", "community", "inbox"))
    assert {(mine, theirs) for mine, theirs, _ in upward} == {
        ("outbox.services", "posts.models"),  # up, from inside a function
        ("community.views", "inbox.handlers"),  # a room of the same rank
    }
    assert sorted(cycles) == [["actors.models", "outbox.services", "posts.models"], ["posts.feeds", "posts.views"]]


def test_operations_stand_on_top_and_the_settings_import_no_room(tmp_path):
    _write(tmp_path, {
        "fediverse_node/__init__.py": "",
        "fediverse_node/settings.py": "from clientapi.scopes import ALL_SCOPES\nfrom fediverse_node import http\n",
        "fediverse_node/http.py": "",
        "fediverse_node/urls.py": "from clientapi import scopes\n",
        "fediverse_node/celery.py": "",
        "clientapi/__init__.py": "",
        "clientapi/scopes.py": "",
        "clientapi/views.py": "from operations.demo import DEMO\n",
        "operations/__init__.py": "",
        "operations/demo.py": "from clientapi import scopes\nfrom fediverse_node.celery import app\n",
    })
    upward, cycles = violations(tmp_path, ("fediverse_node", "clientapi", "operations"))
    assert {(mine, theirs) for mine, theirs, _ in upward} == {
        ("fediverse_node.settings", "clientapi.scopes"),  # the settings are read before any app loads
        ("clientapi.views", "operations.demo"),  # nothing imports operations
    }
    assert cycles == []
