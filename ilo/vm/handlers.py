"""Handler factories, core family: moves, arithmetic, comparisons, jumps and loops.

In: one instruction's operands ``a b c``, its ``pc`` and the decode environment ``env``
(constants, chunk, program; see ``machine.Decoder``). Out: a *pre-decoded handler*, a closure
``h(R) -> next_pc`` with its operands bound, so the run loop is just
``pc = code[pc](R)``. A handler returns the pc to run next; the negative values
``CALL_SIGNAL``/``RETURN_SIGNAL`` ask the run loop to push or pop a frame.

``FACTORIES`` maps opcode *names* (from ``opcodes.py``) to factories; ``handlers_data`` adds
the data and call families. A unit test checks that every opcode has one. Handlers for
typed opcodes (``_NN``/``_SS``) trust the verifier's types and do no checks; the generic
ones raise ``IloRuntimeError`` with the tree interpreter's codes.
"""

from __future__ import annotations

from ilo.runtime import ownership, sizes
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.operators import add_values, range_bound
from ilo.runtime.opmsg import division_by_zero, negate_error, operand_error
from ilo.runtime.values import truthy, type_name, values_equal
from ilo.vm.opcodes import FUSED_COMPARES

CALL_SIGNAL = -1
RETURN_SIGNAL = -2

FACTORIES: dict = {}


def factory(name: str):
    def register(fn):
        FACTORIES[name] = fn
        return fn

    return register


type_error = operand_error  # the tree interpreter's message builder (runtime.opmsg)


# ── generated handlers ──────────────────────────────────────────────────────
# A handler whose whole work is one store ``R[a] = <expr>``, one test, or one checked
# operation is generated from the templates below with its expression inlined: a closure per
# instruction and no per-step indirection, exactly as if written out by hand. ``k`` is the
# constant named by operand ``const`` (``"b"`` or ``"c"``) when the instruction has one; other
# names an expression uses are passed as keywords.


def _generate(body: str, const: str | None, names: dict):
    head = "def make(a, b, c, pc, env):\n    nxt = pc + 1\n"
    if const is not None:
        head += f"    k = env.K[{const}]\n"
    namespace = {"values_equal": values_equal, "truthy": truthy, "type_error": type_error, **names}
    exec(head + "    def h(R):\n" + body + "    return h\n", namespace)  # noqa: S102 - fixed shapes
    return namespace["make"]


def store(expr: str, const: str | None = None, **names):
    """The factory for ``R[a] = expr``, then the next instruction."""
    return _generate(f"        R[a] = {expr}\n        return nxt\n", const, names)


def branch(cond: str, yes: str, no: str, const: str | None = None, **names):
    """The factory for a test: continue at ``yes`` if ``cond`` holds, else at ``no``."""
    return _generate(f"        if {cond}:\n            return {yes}\n        return {no}\n", const, names)


def checked(op_sym: str, accepts: str, expr: str, **names):
    """The factory for ``R[a] = expr`` over ``x = R[b]``, ``y = R[c]`` when ``accepts`` holds;
    otherwise the operator's ILO-R004 error, as the tree interpreter words it."""
    body = (f"        x = R[b]\n        y = R[c]\n        if {accepts}:\n            R[a] = {expr}\n"
            f"            return nxt\n        raise type_error({op_sym!r}, x, y)\n")
    return _generate(body, None, names)


def rebinding(rebind, a: int, operands: tuple, plain, nxt: int):
    """The handler for a self-rebind ``R[a] = plain(R[a], *operands)``: ``rebind`` (from
    runtime.ownership) takes the value out of R[a] and updates it in place only if nothing
    else references it, else calls ``plain``."""
    if len(operands) == 1:
        (x,) = operands

        def h(R):
            rebind(R, a, R[x], plain)  # OWNERSHIP: see runtime/ownership.py
            return nxt

        return h
    x, y = operands

    def h2(R):
        rebind(R, a, R[x], R[y], plain)  # OWNERSHIP: see runtime/ownership.py
        return nxt

    return h2


# ── moves ───────────────────────────────────────────────────────────────────

FACTORIES["LOADK"] = store("k", const="b")
FACTORIES["LOADNIL"] = store("None")
FACTORIES["MOVE"] = store("R[b]")


@factory("NOP")
def _nop(a, b, c, pc, env):
    nxt = pc + 1
    return lambda R: nxt


@factory("FAIL")
def _fail(a, b, c, pc, env):
    code, message = env.K[a]

    def h(R):
        raise IloRuntimeError(code, message)

    return h


# ── arithmetic ──────────────────────────────────────────────────────────────


@factory("ADD")
def _add(a, b, c, pc, env):
    nxt = pc + 1
    if a == b:  # `s=+s t`: concatenated in place only when R[a] is the sole owner
        return rebinding(ownership.rebind_add, a, (c,), add_values, nxt)

    def h(R):
        x = R[b]
        y = R[c]
        if type(x) is float and type(y) is float:  # the common case, without a second call
            R[a] = x + y
        else:
            R[a] = add_values(x, y)
        return nxt

    return h


def _text_append(a, nxt, c=None, const=None):
    """``s=+s t`` with both texts proved by the verifier: CPython's own in-place append.

    ``ownership.rebind_add`` does the same for unproved operands; this copy skips its type
    dispatch because the verifier already did it (the text path needs no refcount test).
    The operand is register ``c`` or, when ``c`` is None, the constant ``const``; two closures
    rather than an operand callback, because this is the hot path of every text builder."""
    limit = sizes.MAX_TEXT
    if c is None:
        k_len = len(const)

        def h(R):
            s = R[a]
            if len(s) + k_len > limit:
                sizes.check_concat(s, const)  # ILO-R018 with the old text still in R[a]
            R[a] = None  # OWNERSHIP: drop the register's reference so `s` may be the only one
            try:
                # OWNERSHIP: CPython resizes `s` in place iff this local is its only reference,
                # otherwise builds a new string; correct either way.
                s += const
            except TypeError:
                R[a] = s  # so the error message can show the operands
                raise
            except MemoryError:
                raise sizes.out_of_memory() from None  # CPython freed `s`: nothing to put back
            R[a] = s
            return nxt

        return h

    def h(R):
        t = R[c]
        s = R[a]
        if len(s) + len(t) > limit:
            sizes.check_concat(s, t)  # ILO-R018 with the old text still in R[a]
        R[a] = None  # OWNERSHIP: as above
        try:
            s += t  # OWNERSHIP: in place iff `s` is the only reference
        except TypeError:
            R[a] = s
            raise
        except MemoryError:
            raise sizes.out_of_memory() from None
        R[a] = s
        return nxt

    return h


@factory("ADD_SS")
def _add_ss(a, b, c, pc, env):
    nxt = pc + 1
    if a == b:
        return _text_append(a, nxt, c=c)
    limit = sizes.MAX_TEXT

    def h(R):
        x, y = R[b], R[c]
        if len(x) + len(y) > limit:
            sizes.check_concat(x, y)
        R[a] = x + y
        return nxt

    return h


@factory("ADDK_SS")
def _addk_ss(a, b, c, pc, env):
    nxt, k = pc + 1, env.K[c]
    if a == b:
        return _text_append(a, nxt, const=k)
    limit = sizes.MAX_TEXT - len(k)

    def h(R):
        x = R[b]
        if len(x) > limit:
            sizes.check_concat(x, k)
        R[a] = x + k
        return nxt

    return h


def _div(x, y):
    if y == 0.0:
        raise division_by_zero()
    return x / y


_NUMBERS = "type(x) is float and type(y) is float"
FACTORIES["SUB"] = checked("-", _NUMBERS, "x - y")
FACTORIES["MUL"] = checked("*", _NUMBERS, "x * y")
FACTORIES["DIV"] = checked("/", _NUMBERS, "div(x, y)", div=_div)


@factory("DIV_NN")
def _div_nn(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        y = R[c]
        if y == 0.0:
            raise division_by_zero()
        R[a] = R[b] / y
        return nxt

    return h


for _name, _sym in (("ADD_NN", "+"), ("SUB_NN", "-"), ("MUL_NN", "*"), ("LT_NN", "<"), ("LE_NN", "<="),
                    ("GT_NN", ">"), ("GE_NN", ">=")):
    FACTORIES[_name] = store(f"R[b] {_sym} R[c]")
for _name, _sym in (("ADDK_N", "+"), ("SUBK_N", "-"), ("MULK_N", "*"), ("DIVK_N", "/")):
    FACTORIES[_name] = store(f"R[b] {_sym} k", const="c")
for _cmp, _sym in FUSED_COMPARES.items():
    FACTORIES[f"J{_cmp}_NN"] = branch(f"R[a] {_sym} R[b]", yes="c", no="nxt")
    FACTORIES[f"JN{_cmp}_NN"] = branch(f"R[a] {_sym} R[b]", yes="nxt", no="c")
    FACTORIES[f"J{_cmp}_NK"] = branch(f"R[a] {_sym} k", yes="c", no="nxt", const="b")
    FACTORIES[f"JN{_cmp}_NK"] = branch(f"R[a] {_sym} k", yes="nxt", no="c", const="b")


@factory("NEG")
def _neg(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        x = R[b]
        if type(x) is float:
            R[a] = -x
            return nxt
        raise negate_error(x)

    return h


FACTORIES["NOT"] = store("not truthy(R[b])")


# ── comparisons ─────────────────────────────────────────────────────────────


FACTORIES["EQ"] = store("values_equal(R[b], R[c])")
FACTORIES["NE"] = store("not values_equal(R[b], R[c])")
_ORDERED = "(t := type(x)) is type(y) and (t is float or t is str)"
for _name, _sym in (("LT", "<"), ("LE", "<="), ("GT", ">"), ("GE", ">=")):
    FACTORIES[_name] = checked(_sym, _ORDERED, f"x {_sym} y")


# ── jumps ───────────────────────────────────────────────────────────────────


@factory("JMP")
def _jmp(a, b, c, pc, env):
    return lambda R: a


# Python truthiness is ilo's except for maps, which ilo always counts as true.
_TRUE = "(v := R[a]) or type(v) is dict"
FACTORIES["JMPF"] = branch(_TRUE, yes="nxt", no="b")
FACTORIES["JMPT"] = branch(_TRUE, yes="b", no="nxt")
FACTORIES["JMPNIL"] = branch("R[a] is None", yes="b", no="nxt")
FACTORIES["JMPNN"] = branch("R[a] is None", yes="nxt", no="b")


# ── loops ───────────────────────────────────────────────────────────────────


@factory("FORPREP")
def _forprep(a, b, c, pc, env):
    def h(R):
        xs = R[b]
        if type(xs) is not list:
            raise IloRuntimeError("ILO-R007", f"foreach needs a list, got {type_name(xs)}")
        # OWNERSHIP: the iterator keeps a reference to the list for the whole loop, so a
        # body that rebinds the list it iterates sees it shared and copies.
        R[a] = iter(xs)
        return c

    return h


_DONE = object()


@factory("FORNEXT")
def _fornext(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        v = next(R[b], _DONE)
        if v is _DONE:
            return nxt
        R[a] = v
        return c

    return h


@factory("RANGEPREP")
def _rangeprep(a, b, c, pc, env):
    lo, hi = b

    def h(R):
        R[a] = range_bound(R[lo], "start")
        R[a + 1] = range_bound(R[hi], "end")
        return c

    return h


@factory("RANGENEXT")
def _rangenext(a, b, c, pc, env):
    nxt, end = pc + 1, b + 1

    def h(R):
        i = R[b]
        if i < R[end]:
            R[a] = i
            R[b] = i + 1.0
            return c
        return nxt

    return h
