"""Verified ilo functions → Python function source, with the tree interpreter's semantics.

In: a ``VerifiedProgram``. Out: the text of one Python function per ilo function
(``_f_<name>``), which call the carried runtime (``pyemit/prelude.py`` names it).

How the interpreter's rules map to Python (``ilo/interp/interpreter.py`` states them):
- a body's value is its last statement that has one: every body writes a fresh temporary,
  ``None`` first, and statements with a value (expressions, loops, braced guards that ran,
  matches whose arm ran) overwrite it;
- scopes: ``@`` iterations, guard bodies and match arms open a scope. Each ilo name is given a
  Python local when first bound; an assignment to a name some enclosing scope holds reuses
  that local, a new name (and every loop variable or pattern binding) gets a fresh one, so a
  binding inside a block never clobbers an outer variable of the same name;
- ``ret``, ``f!`` with an error and a body's trailing match that ran return from the function
  (a Python ``return``), except inside an if/else value or a match expression, which catch
  them (``raise _Return`` there, caught by the construct);
- ``brk``/``cnt`` leave the innermost loop (Python ``break``/``continue``), are caught by a
  match expression (``_Break``/``_Continue``), or end the function outside any loop.
Expressions are single Python expressions, except that one holding a match expression or an
``f!`` call (which need statements) is evaluated operand by operand into temporaries, in the
interpreter's order.
"""

from __future__ import annotations

import keyword

from ilo.syntax import ast
from ilo.syntax.dispatch import STMT_KINDS, handler_table
from ilo.syntax.walk import children
from ilo.verify.program import VerifiedProgram


class EmitError(Exception):
    """A construct this translator does not know (a newer AST node)."""


def py_ident(name: str) -> str:
    """An ilo name (``add-one``) as a Python identifier (``add_one``)."""
    out = name.replace("-", "_")
    return out + "_" if keyword.iskeyword(out) else out


class _Ctx:
    """Where a statement sits: inside a construct that catches ``ret`` (a value region) or
    not; which construct catches ``brk``/``cnt`` (a loop with its value variable, a match
    expression, or the function)."""

    __slots__ = ("value_region", "loop")

    def __init__(self, value_region: bool = False, loop=None):
        self.value_region = value_region
        self.loop = loop  # None: the function; "match": a match expression; else the loop's value var

    def with_(self, **kw) -> _Ctx:
        c = _Ctx(self.value_region, self.loop)
        for k, v in kw.items():
            setattr(c, k, v)
        return c


class FunctionTranslator:
    def __init__(self, vp: VerifiedProgram, fn: ast.Function, consts: dict):
        self.vp = vp
        self.fn = fn
        self.consts = consts  # shared module-level constants (patterns): text -> name
        self.scopes: list[dict[str, str]] = []
        self.used: set[str] = set()
        self.tmp = 0
        self.lines: list[str] = []
        self.indent = 1

    # ── output ──

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def emit_short_circuit(self, target: str, first: str, test: str, second) -> None:
        """``target`` = ``first``, replaced by ``second()`` only if ``test`` holds then (`&`,
        `|`, `??`): the second operand's code runs inside the block, or not at all."""
        self.emit(f"{target} = {first}")
        self.emit(f"if {test}:")
        self.indent += 1
        self.emit(f"{target} = {second()}")
        self.indent -= 1

    def emit_if_else(self, test: str, target: str, then, otherwise) -> None:
        """``target`` = ``then()`` if ``test`` else ``otherwise()``: each branch's code (the
        thunks emit what the value needs) lands inside its own block."""
        self.emit(f"if {test}:")
        self.indent += 1
        self.emit(f"{target} = {then()}")
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        self.emit(f"{target} = {otherwise()}")
        self.indent -= 1

    def new_tmp(self) -> str:
        self.tmp += 1
        return f"_t{self.tmp}"

    def local(self, name: str) -> str:
        """A fresh Python local for ilo ``name``."""
        base = "v_" + name.replace("-", "_")
        py, i = base, 1
        while py in self.used:
            i += 1
            py = f"{base}_{i}"
        self.used.add(py)
        return py

    def lookup(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def bind(self, name: str) -> str:
        """The Python local an assignment to ``name`` writes (Frame.assign's rule)."""
        found = self.lookup(name)
        if found is None:
            found = self.scopes[-1][name] = self.local(name)
        return found

    def fresh(self, name: str) -> str:
        py = self.scopes[-1][name] = self.local(name)
        return py

    # ── function ──

    def translate(self) -> list[str]:
        fn = self.fn
        self.scopes.append({})
        params = [self.fresh(p.name) for p in fn.params]
        header = f"def _f_{py_ident(fn.name)}({', '.join(params)}):"
        self.emit("try:")
        self.indent += 1
        result = self.body(fn.body, _Ctx())
        self.emit(f"return {result}")
        self.indent -= 1
        self.emit("except IloRuntimeError as _e:")
        self.emit(f"    if _e.function is None: _e.function = {fn.name!r}")
        self.emit("    raise")
        return [header, *self.lines]

    # ── bodies and statements ──

    def body(self, stmts: list, ctx: _Ctx, scope: dict | None = None) -> str:
        """Emit ``stmts`` in a new scope; return the temporary holding the body's value."""
        target = self.new_tmp()
        self.emit(f"{target} = None")
        self.scopes.append({} if scope is None else scope)
        try:
            for i, stmt in enumerate(stmts):
                last = i == len(stmts) - 1
                self.stmt(stmt, target, ctx, last)
        finally:
            self.scopes.pop()
        return target

    def ret(self, value: str, ctx: _Ctx) -> None:
        self.emit(f"raise _Return({value})" if ctx.value_region else f"return {value}")

    def stmt(self, s, target: str, ctx: _Ctx, last: bool) -> None:
        _STMTS[type(s)](self, s, target, ctx, last)

    def translate_expr_stmt(self, s: ast.ExprStmt, target, ctx, last):
        self.emit(f"{target} = {self.expr(s.expr, ctx)}")

    def translate_let(self, s: ast.Let, target, ctx, last):
        if self.rebind(s, ctx):
            return
        value = self.expr(s.value, ctx)
        self.emit(f"{self.bind(s.name)} = {value}")

    def rebind(self, s: ast.Let, ctx) -> bool:
        """``m=mset m k v``, ``xs=+=xs v``, ``s=+s t``: the same in-place paths as the engines
        (``runtime.ownership`` decides, by reference count, whether the old value is shared)."""
        shape = self.vp.self_rebind(s)
        py = self.lookup(s.name)
        if shape is None or py is None:
            return False
        v = s.value
        if shape == "mset":
            key, val = self.operand(v.args[1], ctx), self.operand(v.args[2], ctx)
            helper, operands = "rebind_mset", f"{key}, {val}, _builtin('mset')"
        else:
            other = self.operand(v.right, ctx)
            helper = "rebind_append" if shape == "append" else "rebind_add"
            operands = f"{other}, {'_vops.append_value' if shape == 'append' else '_vops.add_values'}"
        slot = self.new_tmp()
        # OWNERSHIP: the old value moves into a one-element slot, so the local no longer
        # counts as an owner; ownership.py updates it in place only if nothing else holds it.
        self.emit(f"{slot} = [{py}]; {py} = None")
        self.emit(f"try: _own.{helper}({slot}, 0, {operands})")
        self.emit(f"finally: {py} = {slot}[0]")
        return True

    def operand(self, e, ctx) -> str:
        """``e`` evaluated now, into a temporary (it may read the variable about to move)."""
        t = self.new_tmp()
        self.emit(f"{t} = {self.expr(e, ctx)}")
        return t

    def translate_destructure(self, s: ast.Destructure, target, ctx, last):
        value = self.expr(s.value, ctx)
        names = [self.bind(n) for n in s.names]
        self.emit(f"{', '.join(names)}{',' if len(names) == 1 else ''} = _destructure({value}, {tuple(s.names)!r})")

    def translate_guard(self, s: ast.Guard, target, ctx, last):
        cond = self.expr(s.cond, ctx)
        test = f"not _truthy({cond})" if s.negated else f"_truthy({cond})"
        if s.else_body is not None:
            # if/else is a value: a `ret` inside only ends the branch
            inner = ctx.with_(value_region=True)
            self.emit("try:")
            self.indent += 1
            self.emit_if_else(test, target, lambda: self.body(s.body, inner),
                              lambda: self.body(s.else_body, inner))
            self.indent -= 1
            self.emit("except _Return as _r:")
            self.emit(f"    {target} = _r.value")
            return
        self.emit(f"if {test}:")
        self.indent += 1
        value = self.body(s.body, ctx)
        if s.braceless:
            self.ret(value, ctx)
        else:
            self.emit(f"{target} = {value}")
        self.indent -= 1

    def translate_match(self, s: ast.Match, target, ctx, last):
        subject = "None" if s.subject is None else self.expr(s.subject, ctx)
        subj = self.new_tmp()
        self.emit(f"{subj} = {subject}")

        def arm_body(arm, scope):  # the arm's value is the match statement's value
            self.emit(f"{target} = {self.body(arm.body, ctx, scope)}")

        self.arms(s.arms, subj, arm_body)

    def arms(self, arms: list, subj: str, arm_body) -> None:
        """if/else chain over the arms: the first whose pattern matches runs."""
        depth = 0
        for arm in arms:
            b = self.new_tmp()
            self.emit(f"{b} = _match({self.pattern(arm.pattern)}, {subj})")
            self.emit(f"if {b} is not None:")
            self.indent += 1
            scope = {}
            binds = []
            for name in _bindings(arm.pattern):
                py = self.local(name)
                scope[name] = py
                binds.append((name, py))
            for name, py in binds:
                self.emit(f"{py} = {b}[{name!r}]")
            arm_body(arm, scope)
            self.indent -= 1
            self.emit("else:")
            self.indent += 1
            depth += 1
        self.emit("pass")
        self.indent -= depth

    def pattern(self, p) -> str:
        kind = type(p)
        if kind is ast.PWild:
            text = "_ast.PWild()"
        elif kind is ast.PLit:
            text = f"_ast.PLit({_lit(p.value)})"
        elif kind is ast.POk or kind is ast.PErr:
            text = f"_ast.{kind.__name__}({p.binding!r})"
        elif kind is ast.PType:
            text = f"_ast.PType(_types.parse_type({str(p.ty)!r}), {p.binding!r})"
        else:
            raise EmitError(f"--emit python does not translate {kind.__name__} patterns yet")
        name = self.consts.get(text)
        if name is None:
            name = self.consts[text] = f"_P{len(self.consts)}"
        return name

    def loop(self, header: list[str], binding: str | None, item: str | None, body: list, target, ctx):
        """A loop whose value is its last iteration's body value (or the `brk` value)."""
        value = self.new_tmp()
        self.emit(f"{value} = None")
        for line in header:
            self.emit(line)
        self.indent += 1
        scope = {}
        if binding is not None:
            py = self.local(binding)
            scope[binding] = py
            self.emit(f"{py} = {item}")
        inner = ctx.with_(loop=value)
        result = self.body(body, inner, scope)
        self.emit(f"{value} = {result}")
        self.indent -= 1
        self.emit(f"{target} = {value}")

    def translate_for_each(self, s: ast.ForEach, target, ctx, last):
        items = self.new_tmp()
        self.emit(f"{items} = _foreach_items({self.expr(s.collection, ctx)})")
        it = self.new_tmp()
        self.loop([f"for {it} in {items}:"], s.binding, it, s.body, target, ctx)

    def translate_for_range(self, s: ast.ForRange, target, ctx, last):
        lo, hi = self.new_tmp(), self.new_tmp()
        self.emit(f"{lo} = {self.expr(s.start, ctx)}")
        self.emit(f"{hi} = {self.expr(s.end, ctx)}")
        it = self.new_tmp()
        self.loop([f"for {it} in range(_range_bound({lo}, 'start'), _range_bound({hi}, 'end')):"],
                  s.binding, f"float({it})", s.body, target, ctx)

    def translate_while(self, s: ast.While, target, ctx, last):
        value = self.new_tmp()
        self.emit(f"{value} = None")
        self.emit("while True:")
        self.indent += 1
        cond = self.expr(s.cond, ctx)
        self.emit(f"if not _truthy({cond}): break")
        # `wh` runs its body in place (no new scope), as the reference does
        inner = ctx.with_(loop=value)
        result = self.new_tmp()
        self.emit(f"{result} = None")
        for i, stmt in enumerate(s.body):
            self.stmt(stmt, result, inner, i == len(s.body) - 1)
        self.emit(f"{value} = {result}")
        self.indent -= 1
        self.emit(f"{target} = {value}")

    def translate_return(self, s: ast.Return, target, ctx, last):
        self.ret(self.expr(s.value, ctx), ctx)

    def translate_break(self, s: ast.Break, target, ctx, last):
        value = "None" if s.value is None else self.expr(s.value, ctx)
        if ctx.loop is None:
            self.emit(f"return {value}")
        elif ctx.loop == "match":
            self.emit(f"raise _Break({value})")
        else:
            self.emit(f"{ctx.loop} = {value}")
            self.emit("break")

    def translate_continue(self, s: ast.Continue, target, ctx, last):
        if ctx.loop is None:
            self.emit("return None")
        elif ctx.loop == "match":
            self.emit("raise _Continue()")
        else:
            self.emit("continue")

    # ── expressions ──

    def expr(self, e, ctx: _Ctx) -> str:
        """A Python expression for ``e``; statements it needs are emitted first."""
        if _needs_statements(e):
            return self.expr_anf(e, ctx)
        return self.simple(e)

    def simple(self, e) -> str:
        kind = type(e)
        if kind is ast.Lit:
            return _lit(e.value)
        if kind is ast.Ref:
            return self.ref(e)
        if kind is ast.Field:
            return f"_field({self.simple(e.obj)}, {e.name!r}, {e.safe})"
        if kind is ast.Index:
            return f"_index({self.simple(e.obj)}, {e.index}, {e.safe})"
        if kind is ast.Call:
            return self.call(e, [self.simple(a) for a in e.args])
        if kind is ast.BinOp:
            left, right = self.simple(e.left), self.simple(e.right)
            if e.op == "&":
                return f"_and({left}, lambda: {right})"
            if e.op == "|":
                return f"_or({left}, lambda: {right})"
            return f"_BIN[{e.op!r}]({left}, {right}, _N)"
        if kind is ast.Unary:
            return f"_unary({e.op!r}, {self.simple(e.operand)}, _N)"
        if kind is ast.OkExpr:
            return f"Ok({self.simple(e.value)})"
        if kind is ast.ErrExpr:
            return f"Err({self.simple(e.value)})"
        if kind is ast.ListExpr:
            return "[" + ", ".join(self.simple(x) for x in e.items) + "]"
        if kind is ast.RecordExpr:
            fields = ", ".join(f"({n!r}, {self.simple(x)})" for n, x in e.fields)
            return f"_record({e.type_name!r}, [{fields}])"
        if kind is ast.NilCoalesce:
            return f"_coalesce({self.simple(e.value)}, lambda: {self.simple(e.default)})"
        if kind is ast.With:
            updates = ", ".join(f"({n!r}, {self.simple(x)})" for n, x in e.updates)
            return f"_with({self.simple(e.obj)}, [{updates}])"
        if kind is ast.Ternary:
            return f"({self.simple(e.then)} if _truthy({self.simple(e.cond)}) else {self.simple(e.otherwise)})"
        if kind is getattr(ast, "Lambda", None):
            # the lifted function with the captured variables' current values
            captured = [self.lookup(c) or "None" for c in e.captures]
            return f"FnRef({e.name!r}, ({''.join(c + ', ' for c in captured)}))"
        raise EmitError(f"--emit python does not translate {kind.__name__} expressions yet")

    def ref(self, e: ast.Ref) -> str:
        py = self.lookup(e.name)
        if py is not None:
            return py
        return f"_function_value({e.name!r})"  # a function used as a value

    def call(self, e: ast.Call, args: list[str]) -> str:
        target = self.vp.call_targets.get(id(e))
        if target is None:
            raise EmitError(f"call to '{e.func}' was not resolved by the verifier")
        kind, name = target.kind, target.name
        if kind == "function":
            return f"_f_{py_ident(name)}({', '.join(args)})"
        if kind == "builtin":
            return f"_builtin({name!r})({', '.join(args)})"
        if kind == "tool":
            return f"_tool({name!r}, [{', '.join(args)}])"
        if kind == "local":
            holder = self.lookup(name) or "_MISSING"
            return f"_call_local({holder}, {name!r}, [{', '.join(args)}])"
        raise EmitError(f"unknown call target kind '{kind}'")

    def expr_anf(self, e, ctx: _Ctx) -> str:
        """``e`` evaluated into a temporary, operands first, in the interpreter's order."""
        kind = type(e)
        if not _needs_statements(e):
            t = self.new_tmp()
            self.emit(f"{t} = {self.simple(e)}")
            return t
        t = self.new_tmp()
        if kind is ast.Call:
            args = [self.expr_anf(a, ctx) for a in e.args]
            self.emit(f"{t} = {self.call(e, args)}")
            if e.unwrap:
                self.emit(f"if type({t}) is Ok: {t} = {t}.value")
                self.emit(f"elif type({t}) is Err or {t} is None:")
                self.indent += 1
                if getattr(e, "panic", False):  # `f!! x`: the program stops (ILO-R026)
                    self.emit(f"raise _panic_error({t})")
                else:
                    self.ret(t, ctx)  # `f! x` with ^e (or nil) leaves like `ret ^e`
                self.indent -= 1
            return t
        if kind is ast.MatchExpr:
            return self.match_expr(e, ctx, t)
        if kind is ast.BinOp:
            left = self.expr_anf(e.left, ctx)
            if e.op in ("&", "|"):
                test = f"{'' if e.op == '&' else 'not '}_truthy({left})"
                self.emit_short_circuit(t, left, test, lambda: self.expr_anf(e.right, ctx))
                return t
            right = self.expr_anf(e.right, ctx)
            self.emit(f"{t} = _BIN[{e.op!r}]({left}, {right}, _N)")
            return t
        if kind is ast.NilCoalesce:
            value = self.expr_anf(e.value, ctx)
            self.emit_short_circuit(t, value, f"{t} is None", lambda: self.expr_anf(e.default, ctx))
            return t
        if kind is ast.Ternary:
            cond = self.expr_anf(e.cond, ctx)
            self.emit_if_else(f"_truthy({cond})", t, lambda: self.expr_anf(e.then, ctx),
                              lambda: self.expr_anf(e.otherwise, ctx))
            return t
        if kind is ast.Unary:
            self.emit(f"{t} = _unary({e.op!r}, {self.expr_anf(e.operand, ctx)}, _N)")
            return t
        if kind in (ast.OkExpr, ast.ErrExpr):
            self.emit(f"{t} = {'Ok' if kind is ast.OkExpr else 'Err'}({self.expr_anf(e.value, ctx)})")
            return t
        if kind is ast.ListExpr:
            items = [self.expr_anf(x, ctx) for x in e.items]
            self.emit(f"{t} = [{', '.join(items)}]")
            return t
        if kind is ast.Field:
            self.emit(f"{t} = _field({self.expr_anf(e.obj, ctx)}, {e.name!r}, {e.safe})")
            return t
        if kind is ast.Index:
            self.emit(f"{t} = _index({self.expr_anf(e.obj, ctx)}, {e.index}, {e.safe})")
            return t
        if kind is ast.RecordExpr:
            fields = [f"({n!r}, {self.expr_anf(x, ctx)})" for n, x in e.fields]
            self.emit(f"{t} = _record({e.type_name!r}, [{', '.join(fields)}])")
            return t
        if kind is ast.With:
            obj = self.expr_anf(e.obj, ctx)
            updates = [f"({n!r}, {self.expr_anf(x, ctx)})" for n, x in e.updates]
            self.emit(f"{t} = _with({obj}, [{', '.join(updates)}])")
            return t
        raise EmitError(f"--emit python does not translate {kind.__name__} expressions yet")

    def match_expr(self, e: ast.MatchExpr, ctx: _Ctx, t: str) -> str:
        subject = "None" if e.subject is None else self.expr_anf(e.subject, ctx)
        subj = self.new_tmp()
        self.emit(f"{subj} = {subject}")
        self.emit(f"{t} = None")
        inner = ctx.with_(value_region=True, loop="match")
        self.emit("try:")
        self.indent += 1

        def arm_body(arm, scope):
            self.emit(f"{t} = {self.body(arm.body, inner, scope)}")

        self.arms(e.arms, subj, arm_body)
        self.indent -= 1
        self.emit("except (_Return, _Break) as _s:")
        self.emit(f"    {t} = _s.value")
        self.emit("except _Continue:")
        self.emit(f"    {t} = None")
        return t


# Statement class → handler (``translate_<node>``, ilo.syntax.dispatch); expressions are
# spelled by ``simple``/``expr_anf``, which tell plain operands from ones needing statements.
_STMTS = handler_table(FunctionTranslator, "translate_", STMT_KINDS, helpers=())


def _bindings(p) -> list[str]:
    """Names an arm binds (``match_pattern``'s keys): ``_`` too, which names the subject."""
    if type(p) is ast.PWild:
        return ["_"]
    binding = getattr(p, "binding", None)
    return [] if binding is None else [binding]


def _lit(v) -> str:
    if isinstance(v, float) and v != v:
        return "float('nan')"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "float('inf')" if v > 0 else "float('-inf')"
    return repr(v)


def _needs_statements(e) -> bool:
    """Does evaluating ``e`` need Python statements (a match expression, an `f!` call)? A
    lambda's body is its lifted function, translated on its own."""
    stack = [e]
    while stack:
        x = stack.pop()
        kind = type(x)
        if kind is ast.MatchExpr or (kind is ast.Call and x.unwrap):
            return True
        if kind is not ast.Lambda:
            stack.extend(children(x))
    return False
