"""The verifier: ``ast.Program`` → ``VerifiedProgram``, or ``IloError`` with every diagnostic.

In: a parsed program and its source. Out: a ``VerifiedProgram`` whose side tables say what
every call resolves to (``call_targets``), the static type of every expression
(``expr_types``) and which variables' types are certain (``uncertain``), plus hints (long-form builtin names, unreachable code). It never mutates
the AST. Called by ``ilo.api``; engines read its side tables and infer nothing themselves.

The checks follow the reference verifier (``ILO-T001`` … ``ILO-T031``) and are exactly as
strict: whatever the reference accepts is accepted. Work is split by family:
``decls`` (phase 1, declarations), ``check_stmts`` and ``check_exprs`` (phase 2, bodies),
``builtin_sigs`` (builtin overloads), ``scopes`` (names) and ``typeops`` (type relations).
"""

from __future__ import annotations

import contextlib
import sys

from ilo.diagnostics import Diagnostic, IloError
from ilo.source import UNKNOWN_SPAN, Source, Span
from ilo.syntax import ast
from ilo.types import ANY, Ty
from ilo.verify.certainty import uncertain_names
from ilo.verify.check_exprs import ExprChecks
from ilo.verify.check_stmts import StmtChecks
from ilo.verify.decls import DeclChecks, FuncSig
from ilo.verify.program import CallTarget, VerifiedProgram
from ilo.verify.scopes import Scope
from ilo.verify.typeops import compatible, resolve

_CURRENT = object()
_RECURSION_LIMIT = 6000


class Verifier(DeclChecks, StmtChecks, ExprChecks):
    def __init__(self, program: ast.Program, source: Source) -> None:
        self.program = program
        self.source = source
        self.aliases: dict[str, Ty] = {}
        self.alias_decls: dict[str, ast.Alias] = {}
        self.records: dict[str, list[tuple[str, Ty]]] = {}
        self.record_decls: dict[str, ast.TypeDef] = {}
        self.sigs: dict[str, FuncSig] = {}
        self.function_decls: dict[str, ast.Function] = {}
        self.tool_decls: dict[str, ast.Tool] = {}
        self.diagnostics: list[Diagnostic] = []
        self.hints: list[str] = []
        self.warnings: list[Diagnostic] = []  # severity "warning"; printed unless --no-hints
        self.call_targets: dict[int, CallTarget] = {}
        self.expr_types: dict[int, Ty] = {}
        # Types to record for a node that differ from what the checks around it see
        # (see BuiltinSpec.untyped).
        self.precise_types: dict[int, Ty] = {}
        self.scope = Scope()
        self.func: str | None = None
        self.func_ret: Ty = ANY
        self.in_loop = False
        self.stmt_span: Span = UNKNOWN_SPAN
        self._quiet = 0

    # ── diagnostics ────────────────────────────────────────────────────────

    def err(self, code: str, message: str, span: Span | None, suggestion: str | None = None,
            *, function: object = _CURRENT) -> None:
        """Report an error (``function`` defaults to the function being checked)."""
        if self._quiet:
            return
        fn = self.func if function is _CURRENT else function
        self.diagnostics.append(
            Diagnostic(code, message, span, suggestion=suggestion, function=fn)
        )

    def warn(self, code: str, message: str, span, suggestion: str | None = None) -> None:
        if self._quiet:
            return
        if any(w.code == code and w.span == span for w in self.warnings):
            return
        self.warnings.append(Diagnostic(code, message, span, suggestion=suggestion, function=self.func,
                                        severity="warning"))

    def hint(self, text: str) -> None:
        if not self._quiet and text not in self.hints:
            self.hints.append(text)

    @contextlib.contextmanager
    def quiet(self):
        """Check without reporting: loop bodies are pre-checked to find how they rebind
        variables, and unreachable statements are checked only to fill the side tables."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @property
    def is_quiet(self) -> bool:
        return self._quiet > 0

    def span_of(self, node) -> Span:
        span = getattr(node, "span", UNKNOWN_SPAN)
        return self.stmt_span if span == UNKNOWN_SPAN else span

    # ── phase 2: bodies ────────────────────────────────────────────────────

    def verify_bodies(self) -> None:
        for decl in self.program.decls:
            if isinstance(decl, ast.Function) and self.function_decls.get(decl.name) is decl:
                self.check_function(decl)
            elif isinstance(decl, ast.Function):
                # A duplicate definition: still fill the side tables, report nothing new.
                with self.quiet():
                    self.check_function(decl)

    def check_function(self, fn: ast.Function) -> None:
        self.func = fn.name
        self.scope = Scope()
        self.in_loop = False
        self.stmt_span = fn.span
        self.func_ret = expected = resolve(fn.ret, self.aliases)
        for p in fn.params:
            self.scope.bind(p.name, resolve(p.ty, self.aliases))
        body_ty = self.check_body(fn.body)
        if not compatible(body_ty, expected):
            hint = None
            if str(body_ty) == "n" and str(expected) == "t":
                hint = "use 'str' to convert: str <expr>"
            elif str(body_ty) == "t" and str(expected) == "n":
                hint = "use 'num' to parse text (returns R n t)"
            span = self.span_of(fn.body[-1]) if fn.body else fn.span
            self.err("ILO-T008", f"return type mismatch: expected {expected}, got {body_ty}", span, hint)
        self.func = None

    def result(self) -> VerifiedProgram:
        functions = dict(self.function_decls)
        return VerifiedProgram(
            program=self.program,
            source=self.source,
            functions=functions,
            records=dict(self.record_decls),
            tools=dict(self.tool_decls),
            call_targets=self.call_targets,
            expr_types=self.expr_types,
            hints=self.hints,
            aliases=dict(self.aliases),
            warnings=self.warnings,
            uncertain=uncertain_names(self.program, functions, self.expr_types, self.call_targets),
        )


def verify(program: ast.Program, source: Source) -> VerifiedProgram:
    """Check ``program``; return its side tables, or raise ``IloError`` with all problems."""
    v = Verifier(program, source)
    # Checking costs a few Python frames per nesting level; the parser already bounds the
    # nesting, so make sure that bound, not Python's recursion limit, is what applies.
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
    try:
        v.collect_declarations(program)
        v.verify_bodies()
    except RecursionError:
        raise IloError(Diagnostic("ILO-P020", "program too deeply nested", v.stmt_span)) from None
    finally:
        sys.setrecursionlimit(old_limit)
    errors = [d for d in v.diagnostics if d.severity == "error"]
    if errors:
        raise IloError(errors)
    return v.result()
