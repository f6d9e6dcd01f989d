"""Phase 1 of verification: collect declarations before any body is checked.

In: the program's declarations. Out (on the checker): resolved type aliases, record field
types, and the signature of every function and tool; diagnostics for duplicates (T001,
T002), alias cycles (T030), aliases that shadow builtin types (T031) and undefined named
types in signatures and record fields (T003). Mixed into ``verifier.Verifier``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ilo.syntax import ast
from ilo.types import TList, TNamed, TResult, Ty
from ilo.verify.scopes import did_you_mean
from ilo.verify.typeops import named_refs, resolve

_BUILTIN_TYPE_NAMES = frozenset({"n", "t", "b", "L", "R", "_"})


@dataclass(slots=True)
class FuncSig:
    kind: str  # "function" or "tool"
    params: list[tuple[str, Ty]]
    ret: Ty

    def describe(self) -> str:
        return " ".join(f"{n}:{t}" for n, t in self.params)


class DeclChecks:
    """Declaration collection; expects the attributes set up by ``Verifier.__init__``."""

    def collect_declarations(self, program: ast.Program) -> None:
        self._collect_aliases(program)
        for decl in program.decls:
            if isinstance(decl, ast.TypeDef):
                self._collect_record(decl)
        for decl in program.decls:
            if isinstance(decl, (ast.Function, ast.Tool)):
                self._collect_callable(decl)
        for decl in program.decls:
            if isinstance(decl, ast.TypeDef) and self.record_decls.get(decl.name) is decl:
                for _, fty in self.records[decl.name]:
                    self._validate_named(fty, decl.name, decl.span)

    # ── aliases ────────────────────────────────────────────────────────────

    def _collect_aliases(self, program: ast.Program) -> None:
        raw: dict[str, ast.Alias] = {}
        for decl in program.decls:
            if not isinstance(decl, ast.Alias):
                continue
            if decl.name in _BUILTIN_TYPE_NAMES:
                self.err("ILO-T031", f"type alias '{decl.name}' shadows a builtin type", decl.span,
                         "choose a different name for the alias", function=None)
            elif decl.name in raw:
                self.err("ILO-T001", f"duplicate type alias '{decl.name}'", decl.span, function=None)
            else:
                raw[decl.name] = decl
        deps = {name: [r for r in named_refs(a.target) if r in raw] for name, a in raw.items()}
        cyclic = _names_in_cycles(deps)
        for name in sorted(cyclic):
            self.err("ILO-T030", f"circular type alias '{name}'", raw[name].span,
                     "type aliases cannot reference each other in a cycle", function=None)
        for name in raw:
            if name not in cyclic:
                self._resolve_alias(name, raw, deps, cyclic)
        self.alias_decls = raw

    def _resolve_alias(self, name: str, raw: dict[str, ast.Alias], deps: dict[str, list[str]],
                       cyclic: set[str]) -> None:
        if name in self.aliases:
            return
        for dep in deps[name]:
            if dep not in cyclic:
                self._resolve_alias(dep, raw, deps, cyclic)
        self.aliases[name] = resolve(raw[name].target, self.aliases)

    # ── records, functions, tools ──────────────────────────────────────────

    def _collect_record(self, decl: ast.TypeDef) -> None:
        if decl.name in self.aliases:
            self.err("ILO-T001", f"type '{decl.name}' conflicts with type alias of the same name",
                     decl.span, function=None)
        elif decl.name in self.records:
            self.err("ILO-T001", f"duplicate type definition '{decl.name}'", decl.span, function=None)
        else:
            self.record_decls[decl.name] = decl
            self.records[decl.name] = [(f.name, resolve(f.ty, self.aliases)) for f in decl.fields]

    def _collect_callable(self, decl: ast.Function | ast.Tool) -> None:
        kind = "tool" if isinstance(decl, ast.Tool) else "function"
        if decl.name in self.sigs:
            what = "function definition" if kind == "function" else "definition"
            extra = "" if kind == "function" else " (tool conflicts with function)"
            self.err("ILO-T002", f"duplicate {what} '{decl.name}'{extra}", decl.span, function=None)
            return
        params = [(p.name, resolve(p.ty, self.aliases)) for p in decl.params]
        ret = resolve(decl.ret, self.aliases)
        for (_, pty), p in zip(params, decl.params):
            self._validate_named(pty, decl.name, p.span)
        self._validate_named(ret, decl.name, decl.span)
        self.sigs[decl.name] = FuncSig(kind, params, ret)
        if kind == "tool":
            self.tool_decls[decl.name] = decl
        else:
            self.function_decls[decl.name] = decl

    def _validate_named(self, ty: Ty, context: str, span) -> None:
        """T003 for a named type no ``type`` declares (checked where the reference checks:
        the type itself and inside ``L`` and ``R``)."""
        if isinstance(ty, TNamed):
            if ty.name not in self.records:
                known = list(self.records) + list(self.aliases)
                self.err("ILO-T003", f"undefined type '{ty.name}'", span,
                         did_you_mean(ty.name, known), function=context)
        elif isinstance(ty, TList):
            self._validate_named(ty.elem, context, span)
        elif isinstance(ty, TResult):
            self._validate_named(ty.ok, context, span)
            self._validate_named(ty.err, context, span)


def _names_in_cycles(deps: dict[str, list[str]]) -> set[str]:
    """Aliases on a dependency cycle (a self-reference counts)."""
    cyclic: set[str] = set()
    for start in deps:
        stack = [(start, iter(deps[start]))]
        path = [start]
        visited = {start}
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
            elif nxt == start:
                cyclic.update(path)
            elif nxt not in visited:
                visited.add(nxt)
                stack.append((nxt, iter(deps[nxt])))
                path.append(nxt)
    return cyclic
