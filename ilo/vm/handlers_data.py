"""Handler factories, data and call families: results, match tests, lists, maps, records, calls.

Same contract as ``handlers.py`` (a factory turns ``a b c`` into a closure ``h(R) -> pc``).
Builtins run through the registry's single implementation (``registry.get(name).impl``);
higher-order ones get the machine's ``call(fn_value, args)`` callback first. Self-rebind
forms (``a == b``) go through ``ilo.runtime.ownership``, which mutates in place only when the
container has no other owner.
"""

from __future__ import annotations

from ilo.runtime import ownership
from ilo.runtime.builtins import registry
from ilo.runtime.calls import arity_error, call_tool, undefined_function
from ilo.runtime.errors import IloRuntimeError, panic_error
from ilo.runtime.operators import append_value
from ilo.runtime.typecheck import PATTERN_PYTYPES
from ilo.runtime.values import Err, FnRef, Ok, Record, type_name
from ilo.vm.handlers import CALL_SIGNAL, FACTORIES, RETURN_SIGNAL, branch, factory, rebinding, store

# ── results and match tests ─────────────────────────────────────────────────


FACTORIES["MKOK"] = store("Ok(R[b])", Ok=Ok)
FACTORIES["MKERR"] = store("Err(R[b])", Err=Err)
FACTORIES["PAYLOAD"] = store("R[b].value")
FACTORIES["JNEQK"] = branch("values_equal(k, R[a])", yes="nxt", no="c", const="b")

_KINDS = {"ok": Ok, "err": Err, **PATTERN_PYTYPES}


@factory("JNTYPE")
def _jntype(a, b, c, pc, env):
    nxt = pc + 1
    kind = _KINDS.get(env.K[b])
    if kind is None:  # a type pattern that never matches
        return lambda R: c
    return lambda R: nxt if type(R[a]) is kind else c


@factory("UNWRAP")
def _unwrap(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        v = R[b]
        t = type(v)
        if t is Ok:
            R[a] = v.value
            return c
        if t is Err or v is None:
            return nxt  # the following instructions propagate R[b]
        R[a] = v
        return c

    return h


# ── lists, maps, records ────────────────────────────────────────────────────


@factory("NEWLIST")
def _newlist(a, b, c, pc, env):
    nxt = pc + 1
    regs = c
    if not regs:

        def h(R):
            R[a] = []
            return nxt

    elif len(regs) == 1:
        (x,) = regs

        def h(R):
            R[a] = [R[x]]
            return nxt

    elif len(regs) == 2:
        x, y = regs

        def h(R):
            R[a] = [R[x], R[y]]
            return nxt

    else:

        def h(R):
            R[a] = [R[x] for x in regs]
            return nxt

    return h


@factory("LISTAPPEND")
def _listappend(a, b, c, pc, env):
    nxt = pc + 1
    if a == b:  # `xs=+=xs v`: appended in place only when R[a] is the sole owner
        return rebinding(ownership.rebind_append, a, (c,), append_value, nxt)

    def h(R):
        R[a] = append_value(R[b], R[c])
        return nxt

    return h


@factory("MSET")
def _mset(a, b, c, pc, env):
    nxt = pc + 1
    key, value = c
    mset = registry.get("mset").impl
    if a == b:  # `m=mset m k v`: set in place only when R[a] is the sole owner
        return rebinding(ownership.rebind_mset, a, (key, value), mset, nxt)

    def h(R):
        R[a] = mset(R[b], R[key], R[value])
        return nxt

    return h


@factory("INDEX")
def _index(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        xs = R[b]
        if type(xs) is list:
            if 0 <= c < len(xs):
                R[a] = xs[c]
                return nxt
            raise IloRuntimeError("ILO-R006", f"list index {c} out of bounds (len {len(xs)})")
        raise IloRuntimeError("ILO-R006", f"index access on {type_name(xs)} (not a list)")

    return h


@factory("NEWREC")
def _newrec(a, b, c, pc, env):
    nxt, type_name_ = pc + 1, env.K[b]
    fields = c
    # Small records get a dict display instead of a comprehension (which costs a frame).
    if len(fields) == 2:
        (n1, r1), (n2, r2) = fields

        def h(R):
            R[a] = Record(type_name_, {n1: R[r1], n2: R[r2]})
            return nxt

    elif len(fields) == 3:
        (n1, r1), (n2, r2), (n3, r3) = fields

        def h(R):
            R[a] = Record(type_name_, {n1: R[r1], n2: R[r2], n3: R[r3]})
            return nxt

    else:

        def h(R):
            R[a] = Record(type_name_, {name: R[r] for name, r in fields})
            return nxt

    return h


@factory("FIELD")
def _field(a, b, c, pc, env):
    nxt, name = pc + 1, env.K[c]

    def h(R):
        obj = R[b]
        if type(obj) is Record:
            try:
                R[a] = obj.fields[name]
            except KeyError:
                raise IloRuntimeError("ILO-R005", f"no field '{name}' on record") from None
            return nxt
        raise IloRuntimeError("ILO-R005", f"cannot access field '{name}' on {type_name(obj)} (not a record)")

    return h


FACTORIES["FIELD_SAFE"] = store("o.fields.get(k) if type(o := R[b]) is Record else None", const="c", Record=Record)


@factory("WITH")
def _with(a, b, c, pc, env):
    nxt = pc + 1
    updates = c

    def h(R):
        obj = R[b]
        if type(obj) is not Record:
            raise IloRuntimeError("ILO-R008", f"'with' needs a record, got {type_name(obj)}")
        fields = dict(obj.fields)
        for name, r in updates:
            fields[name] = R[r]
        R[a] = Record(obj.type_name, fields)
        return nxt

    return h


# ── calls ───────────────────────────────────────────────────────────────────


@factory("CALL")
def _call(a, b, c, pc, env):
    """A user-function call: builds the callee's register list and asks the run loop to push
    a frame (no Python recursion, so ilo recursion depth is bounded only by ILO_MAX_DEPTH)."""
    nxt, name, P = pc + 1, env.K[b], env.pending
    callee = env.program.chunks.get(name)
    if callee is None or len(c) != callee.nparams:
        # the verifier rejects both; a program built around it fails here, when it runs
        def fail(R):
            raise undefined_function(name) if callee is None else arity_error(name, callee.nparams, len(c))

        return fail
    code = env.code_of(callee)
    pad = [None] * (callee.nregs - len(c))
    if env.is_leaf(callee):
        return _leaf_call(a, c, nxt, code, pad, callee, env)
    if len(c) == 1:
        (x,) = c

        def h(R):
            P[0] = (code, [R[x], *pad], a, nxt, callee)
            return CALL_SIGNAL

    elif len(c) == 2:
        x, y = c

        def h(R):
            P[0] = (code, [R[x], R[y], *pad], a, nxt, callee)
            return CALL_SIGNAL

    else:
        regs = c

        def h(R):
            P[0] = (code, [R[r] for r in regs] + pad, a, nxt, callee)
            return CALL_SIGNAL

    return h


# The handler of a leaf call, generated for two ways of building the callee's registers
# (``{args}``): the one-argument form saves the list comprehension on the hottest calls.
_LEAF = """
def make(a, regs, x, nxt, code, pad, callee, D, P, as_runtime_error, depth_error, IloRuntimeError):
    def h(R):
        if D[0] >= D[1]:
            raise depth_error(callee.name)
        NR = {args}
        D[0] += 1
        pc = 0
        try:
            while pc >= 0:
                pc = code[pc](NR)
        except Exception as e:  # located in the callee, re-raised as an ilo error
            if getattr(e, "at_call", False):  # a step limit at the entry: this call's (machine.execute)
                e.at_call = False
                raise
            raise as_runtime_error(e, callee, pc, NR) from (None if isinstance(e, IloRuntimeError) else e)
        finally:
            D[0] -= 1
        R[a] = P[0]
        P[0] = None  # OWNERSHIP: the slot must not keep the returned value alive
        return nxt
    return h
"""


def _leaf_maker(args: str):
    namespace: dict = {}
    exec(_LEAF.format(args=args), namespace)  # noqa: S102 - a fixed template
    return namespace["make"]


_LEAF_ONE = _leaf_maker("[R[x], *pad]")
_LEAF_ANY = _leaf_maker("[R[r] for r in regs] + pad")


def _leaf_call(a, regs, nxt, code, pad, callee, env):
    """A call to a function that calls no user function: run its code right here, in a
    nested loop, instead of asking the run loop to push a frame. The depth limit and error
    locations are exactly those of a pushed frame."""
    make = _LEAF_ONE if len(regs) == 1 else _LEAF_ANY
    return make(a, regs, regs[0] if regs else None, nxt, code, pad, callee, env.depth, env.pending,
                env.as_runtime_error, env.depth_error, IloRuntimeError)


@factory("PANIC")
def _panic(a, b, c, pc, env):
    def h(R):
        raise panic_error(R[a], None)

    return h


@factory("MKCLOSURE")
def _mkclosure(a, b, c, pc, env):
    nxt, name, regs = pc + 1, env.K[b], c

    def h(R):
        R[a] = FnRef(name, tuple([R[r] for r in regs]))
        return nxt

    return h


@factory("CALL_DYN")
def _call_dyn(a, b, c, pc, env):
    """A call through a variable (``f x`` where ``f`` holds a function value)."""
    nxt, P = pc + 1, env.pending
    fn_reg, written = env.K[b]
    regs = c
    resolve, call_named = env.resolve_local, env.call_named

    def h(R):
        fn = R[fn_reg]
        name = resolve(fn, written)
        args = [R[r] for r in regs]
        if type(fn) is FnRef and fn.captures:
            args += fn.captures
        callee = env.program.chunks.get(name)
        if callee is None:
            R[a] = call_named(name, args)
            return nxt
        if len(args) != callee.nparams:
            raise arity_error(name, callee.nparams, len(args))
        P[0] = (env.code_of(callee), args + [None] * (callee.nregs - len(args)), a, nxt, callee)
        return CALL_SIGNAL

    return h


@factory("CALL_BUILTIN")
def _call_builtin(a, b, c, pc, env):
    nxt = pc + 1
    spec = registry.get(env.K[b])
    impl = spec.impl
    regs = c
    if spec.needs_call:
        callback = env.callback

        def h(R):
            R[a] = impl(callback, *[R[r] for r in regs])
            return nxt

        return h
    if not regs:

        def h(R):
            R[a] = impl()
            return nxt

    elif len(regs) == 1:
        (x,) = regs

        def h(R):
            R[a] = impl(R[x])
            return nxt

    elif len(regs) == 2:
        x, y = regs

        def h(R):
            R[a] = impl(R[x], R[y])
            return nxt

    else:

        def h(R):
            R[a] = impl(*[R[r] for r in regs])
            return nxt

    return h


@factory("CALL_TOOL")
def _call_tool(a, b, c, pc, env):
    nxt, name, regs = pc + 1, env.K[b], c

    def h(R):
        R[a] = call_tool(name, [R[r] for r in regs])
        return nxt

    return h


@factory("RET")
def _ret(a, b, c, pc, env):
    P = env.pending

    def h(R):
        P[0] = R[a]
        return RETURN_SIGNAL

    return h


__all__ = ["FACTORIES"]
