"""No import cycles among ilo's modules, except a shrinking allow-list.

Our own small graph (no dependency): every module under ``ilo/`` is parsed with ``ast`` and
each import anywhere in it — at module level or inside a function, absolute or relative — is
an edge to the ilo module it names (``from ilo.vm import machine`` names ``ilo.vm.machine``;
``from ilo.vm.chunk import Chunk`` names ``ilo.vm.chunk``). The parent packages Python runs on
the way are not edges: a package's ``__init__`` importing its own modules is how registration
works, not a cycle. Strongly connected components of more than one module are cycles.

``ALLOWED`` lists the cycles that remain in areas still being untangled. The test fails on a
cycle not listed, and on a listed cycle that is gone, so the list only ever shrinks.
"""

from __future__ import annotations

import ast
import sys

from conftest import REPO

PKG = REPO / "ilo"

# cycles still to break in other areas (none left: keep it empty)
ALLOWED: set[frozenset[str]] = set()


def module_files() -> dict[str, object]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path, modules: dict) -> set[str]:
    """The ilo modules ``module`` imports anywhere in its text."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, is_package, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    found.add(sub)
                elif target in modules:
                    found.add(target)
    found.discard(module)
    return found


def graph() -> dict[str, set[str]]:
    modules = module_files()
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def cycles(edges: dict[str, set[str]]) -> set[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: set[frozenset[str]] = set()
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(frozenset(component))
    return found


def _show(cycle: frozenset[str]) -> str:
    return "{" + ", ".join(sorted(cycle)) + "}"


def test_no_new_import_cycles():
    new = cycles(graph()) - ALLOWED
    assert not new, "import cycles not in ALLOWED:\n" + "\n".join(map(_show, sorted(new, key=sorted)))


def test_allowed_cycles_still_exist():
    gone = ALLOWED - cycles(graph())
    assert not gone, "remove from ALLOWED (the cycle is gone or changed):\n" + "\n".join(
        map(_show, sorted(gone, key=sorted)))


def test_the_graph_sees_function_level_and_relative_imports():
    # a cycle made only by a function-level relative import is still found
    edges = {"a": {"b"}, "b": {"a"}, "c": {"a"}}
    assert cycles(edges) == {frozenset({"a", "b"})}
    node = ast.parse("def f():\n    from .x import y\n").body[0].body[0]
    assert _absolute("ilo.vm.machine", False, node) == "ilo.vm.x"
    assert _absolute("ilo.vm", True, node) == "ilo.vm.x"
    modules = module_files()
    assert "ilo.vm.machine" in graph()["ilo.vm"]  # ilo/vm/__init__.py imports it
    assert "ilo.runtime.builtins.registry" in modules


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "tests"))
    for c in sorted(cycles(graph()), key=sorted):
        print(_show(c))
