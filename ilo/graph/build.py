"""The dependency graph of a parsed program and the queries ``ilo graph`` answers.

Follows the reference's ``graph.rs`` rule for rule, on our AST:

- an edge ``f → g`` is a call ``g ...`` anywhere in ``f``'s body (match arms, guards, loop
  bodies, call arguments...) where ``g`` is a declared function and not a builtin; a function
  passed by name (``map dbl xs``) is a reference, not a call, so it is no edge. Calls to tools
  are no edges either (tools are not functions).
- an inline function is lifted to a function of its own (``__lit_N``), which is a node; the
  enclosing function gets an edge to it only when it captures variables (the reference turns
  such a lambda into a closure node it counts as a call, and a capture-free one into a plain
  reference). Its body's calls belong to the lifted function, not to the enclosing one.
- ``types_used``: declared record types named in the parameter and return types (inside
  ``L``, ``O``, ``M``, ``R``, ``F``) or constructed in the body (``pt x:1 y:2``).
- a type's ``refs``: declared types named in its fields' types.

Declarations are looked up by name as the reference does: the first function or type of that
name supplies the `source`, and when two functions share a name the later one's node wins.
Results are plain dicts/lists ready for ``json.dumps``; where the reference serialises a Rust
HashMap (whose order is random) the keys are sorted, so the output is deterministic.
"""

from __future__ import annotations

import re
from collections import deque

from ilo import types as ty
from ilo.graph.dense import call_name, format_decl, format_sig, type_str
from ilo.runtime.builtins.registry import canonical
from ilo.syntax import ast

# Rust's `split_whitespace` splits on Unicode White_Space, which (unlike Python's str.split)
# does not include the ASCII separators U+001C..U+001F.
_RUST_WHITESPACE = re.compile("[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def estimate_tokens(text: str) -> int:
    """The reference's rough token count: whitespace-separated words."""
    return sum(1 for word in _RUST_WHITESPACE.split(text) if word)


# ── Walking bodies ──────────────────────────────────────────────────────────


def _collect_expr(e: ast.Expr, calls: set, types: set) -> None:
    t = type(e)
    if t is ast.Call:
        calls.add(call_name(e.func))
        for a in e.args:
            _collect_expr(a, calls, types)
    elif t is ast.RecordExpr:
        types.add(e.type_name)
        for _, v in e.fields:
            _collect_expr(v, calls, types)
    elif t is ast.Field or t is ast.Index:
        _collect_expr(e.obj, calls, types)
    elif t is ast.BinOp:
        _collect_expr(e.left, calls, types)
        _collect_expr(e.right, calls, types)
    elif t is ast.Unary:
        _collect_expr(e.operand, calls, types)
    elif t is ast.OkExpr or t is ast.ErrExpr:
        _collect_expr(e.value, calls, types)
    elif t is ast.ListExpr:
        for item in e.items:
            _collect_expr(item, calls, types)
    elif t is ast.NilCoalesce:
        _collect_expr(e.value, calls, types)
        _collect_expr(e.default, calls, types)
    elif t is ast.With:
        _collect_expr(e.obj, calls, types)
        for _, v in e.updates:
            _collect_expr(v, calls, types)
    elif t is ast.Ternary:
        _collect_expr(e.cond, calls, types)
        _collect_expr(e.then, calls, types)
        _collect_expr(e.otherwise, calls, types)
    elif t is ast.MatchExpr:
        _collect_match(e.subject, e.arms, calls, types)
    elif t is ast.Lambda and e.captures:
        calls.add(e.name)  # a closure: see the module docstring


def _collect_match(subject, arms, calls: set, types: set) -> None:
    if subject is not None:
        _collect_expr(subject, calls, types)
    for arm in arms:
        _collect_stmts(arm.body, calls, types)


def _collect_stmts(stmts: list[ast.Stmt], calls: set, types: set) -> None:
    for s in stmts:
        t = type(s)
        if t is ast.Let or t is ast.Destructure:
            _collect_expr(s.value, calls, types)
        elif t is ast.ExprStmt:
            _collect_expr(s.expr, calls, types)
        elif t is ast.Return or (t is ast.Break and s.value is not None):
            _collect_expr(s.value, calls, types)
        elif t is ast.Guard:
            _collect_expr(s.cond, calls, types)
            _collect_stmts(s.body, calls, types)
            if s.else_body is not None:
                _collect_stmts(s.else_body, calls, types)
        elif t is ast.Match:
            _collect_match(s.subject, s.arms, calls, types)
        elif t is ast.ForEach:
            _collect_expr(s.collection, calls, types)
            _collect_stmts(s.body, calls, types)
        elif t is ast.ForRange:
            _collect_expr(s.start, calls, types)
            _collect_expr(s.end, calls, types)
            _collect_stmts(s.body, calls, types)
        elif t is ast.While:
            _collect_expr(s.cond, calls, types)
            _collect_stmts(s.body, calls, types)


def _type_refs(t: ty.Ty, refs: set) -> None:
    # A one-letter name parses as a type variable here, as a named type in the reference.
    if isinstance(t, ty.TNamed | ty.TVar):
        refs.add(t.name)
    elif isinstance(t, ty.TList):
        _type_refs(t.elem, refs)
    elif isinstance(t, ty.TOpt):
        _type_refs(t.inner, refs)
    elif isinstance(t, ty.TMap):
        _type_refs(t.key, refs)
        _type_refs(t.value, refs)
    elif isinstance(t, ty.TResult):
        _type_refs(t.ok, refs)
        _type_refs(t.err, refs)
    elif isinstance(t, ty.TFn):
        for p in t.params:
            _type_refs(p, refs)
        _type_refs(t.ret, refs)


# ── The graph ───────────────────────────────────────────────────────────────


class Graph:
    """``functions``: name → {sig, calls, called_by, types_used} (sets of names);
    ``types``: name → {fields: [(name, type)], refs}; ``decls`` the program's declarations."""

    def __init__(self, decls: list[ast.Decl]):
        self.decls = decls
        self.functions: dict[str, dict] = {}
        self.types: dict[str, dict] = {}
        self._first: dict[str, ast.Decl] = {}  # the first function or type of each name
        for d in decls:
            if isinstance(d, ast.Function | ast.TypeDef):
                self._first.setdefault(d.name, d)

    def find_decl(self, name: str) -> ast.Decl | None:
        return self._first.get(name)

    def source_of(self, name: str) -> str | None:
        decl = self.find_decl(name)
        return None if decl is None else format_decl(decl)

    def to_json(self) -> dict:
        return {
            "functions": {name: _func_json(node) for name, node in sorted(self.functions.items())},
            "types": {name: {"fields": [list(f) for f in node["fields"]], "refs": sorted(node["refs"])}
                      for name, node in sorted(self.types.items())},
        }


def _func_json(node: dict) -> dict:
    return {"sig": node["sig"], "calls": sorted(node["calls"]), "called_by": sorted(node["called_by"]),
            "types_used": sorted(node["types_used"])}


def build_graph(decls: list[ast.Decl]) -> Graph:
    graph = Graph(decls)
    user_fns = {d.name for d in decls if isinstance(d, ast.Function)}
    user_types = {d.name for d in decls if isinstance(d, ast.TypeDef)}
    for d in decls:
        if not isinstance(d, ast.Function):
            continue
        calls: set[str] = set()
        types: set[str] = set()
        _collect_stmts(d.body, calls, types)
        for p in d.params:
            _type_refs(p.ty, types)
        _type_refs(d.ret, types)
        graph.functions[d.name] = {
            "sig": format_sig(d),
            "calls": {c for c in calls if c in user_fns and canonical(c) is None},
            "called_by": set(),
            "types_used": types & user_types,
        }
    for d in decls:
        if isinstance(d, ast.TypeDef):
            refs: set[str] = set()
            for f in d.fields:
                _type_refs(f.ty, refs)
            graph.types[d.name] = {"fields": [(f.name, type_str(f.ty)) for f in d.fields],
                                   "refs": refs & user_types}
    for caller, node in graph.functions.items():
        for callee in node["calls"]:
            if callee in graph.functions:
                graph.functions[callee]["called_by"].add(caller)
    return graph


# ── Queries (None: no function of that name) ────────────────────────────────


def _type_infos(graph: Graph, names) -> dict:
    out = {}
    for name in sorted(names):
        source = graph.source_of(name)
        if source is not None:
            out[name] = {"source": source}
    return out


def query_fn(graph: Graph, name: str) -> dict | None:
    """``--fn NAME``: the function's source, its direct callees' signatures, its types."""
    node = graph.functions.get(name)
    if node is None or graph.find_decl(name) is None:
        return None
    deps = {dep: {"sig": graph.functions[dep]["sig"]} for dep in sorted(node["calls"]) if dep in graph.functions}
    return {"root": name, "source": graph.source_of(name), "deps": deps,
            "types": _type_infos(graph, node["types_used"])}


def query_reverse(graph: Graph, name: str) -> dict | None:
    """``--fn NAME --reverse``: who calls the function."""
    node = graph.functions.get(name)
    if node is None:
        return None
    callers = [{"name": c, "sig": graph.functions[c]["sig"]} for c in sorted(node["called_by"])
               if c in graph.functions]
    return {"function": name, "sig": node["sig"], "callers": callers}


def _direct_calls(graph: Graph, name: str) -> list[str]:
    node = graph.functions.get(name)
    return sorted(node["calls"]) if node is not None else []


def query_subgraph(graph: Graph, name: str) -> dict | None:
    """``--fn NAME --subgraph``: every function reachable from NAME, with sources."""
    if name not in graph.functions or graph.find_decl(name) is None:
        return None
    visited = {name}
    order = []
    queue = deque()
    for dep in _direct_calls(graph, name):
        if dep not in visited:
            visited.add(dep)
            queue.append(dep)
    while queue:
        current = queue.popleft()
        order.append(current)
        for dep in _direct_calls(graph, current):
            if dep not in visited:
                visited.add(dep)
                queue.append(dep)
    deps = {}
    for dep in sorted(order):
        if dep in graph.functions:
            deps[dep] = {"sig": graph.functions[dep]["sig"]}
            source = graph.source_of(dep)
            if source is not None:
                deps[dep]["source"] = source
    types = set()
    for f in visited:
        if f in graph.functions:
            types |= graph.functions[f]["types_used"]
    return {"root": name, "source": graph.source_of(name), "deps": deps, "types": _type_infos(graph, types)}


def query_budget(graph: Graph, name: str, budget: int) -> dict | None:
    """``--fn NAME --budget N``: the subgraph, breadth first, while the sources' word count
    stays within N; what did not fit is listed in ``budget.truncated`` (functions in the
    order they were reached, then types in name order). The root always counts, even when
    it alone is over the budget."""
    if name not in graph.functions or graph.find_decl(name) is None:
        return None
    source = graph.source_of(name)
    used = estimate_tokens(source)
    visited = {name}
    queue = deque()
    for dep in _direct_calls(graph, name):
        if dep not in visited:
            visited.add(dep)
            queue.append(dep)
    deps: dict[str, dict] = {}
    truncated: list[str] = []
    types = set(graph.functions[name]["types_used"])
    while queue:
        current = queue.popleft()
        dep_source = graph.source_of(current)
        cost = estimate_tokens(dep_source) if dep_source is not None else 0
        if used + cost > budget:
            truncated.append(current)  # and what only it calls is never reached
            continue
        used += cost
        node = graph.functions.get(current)
        if node is None:
            continue
        deps[current] = {"sig": node["sig"]}
        if dep_source is not None:
            deps[current]["source"] = dep_source
        types |= node["types_used"]
        for dep in sorted(node["calls"]):
            if dep not in visited:
                visited.add(dep)
                queue.append(dep)
    type_infos = {}
    for type_name in sorted(types):
        ts = graph.source_of(type_name)
        if ts is None:
            continue
        cost = estimate_tokens(ts)
        if used + cost <= budget:
            used += cost
            type_infos[type_name] = {"source": ts}
        else:
            truncated.append(type_name)
    return {"root": name, "source": source, "deps": dict(sorted(deps.items())), "types": type_infos,
            "budget": {"used": used, "limit": budget, "truncated": truncated}}


def to_dot(graph: Graph) -> str:
    """Graphviz: call edges solid, function→type edges dashed, types as record nodes."""
    out = ["digraph ilo {", "  rankdir=LR;", "  node [shape=box];"]
    for name in sorted(graph.functions):
        node = graph.functions[name]
        out += [f'  "{name}" -> "{callee}";' for callee in sorted(node["calls"])]
        out += [f'  "{name}" -> "{t}" [style=dashed];' for t in sorted(node["types_used"])]
    out += [f'  "{name}" [shape=record];' for name in sorted(graph.types)]
    return "\n".join(out) + "\n}\n"
