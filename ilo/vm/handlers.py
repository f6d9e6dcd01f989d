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


# ── moves ───────────────────────────────────────────────────────────────────


@factory("NOP")
def _nop(a, b, c, pc, env):
    nxt = pc + 1
    return lambda R: nxt


@factory("LOADK")
def _loadk(a, b, c, pc, env):
    nxt, k = pc + 1, env.K[b]

    def h(R):
        R[a] = k
        return nxt

    return h


@factory("LOADNIL")
def _loadnil(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        R[a] = None
        return nxt

    return h


@factory("MOVE")
def _move(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        R[a] = R[b]
        return nxt

    return h


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
    if a == b:
        rebind = ownership.rebind_add

        def h(R):
            # OWNERSHIP: self-rebind `s=+s t`; ownership.rebind_add takes the value out of
            # R[a] and concatenates in place only if nothing else references it.
            rebind(R, a, R[c], add_values)
            return nxt

        return h

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


def _checked_numeric(op_sym: str, fn):
    def make(a, b, c, pc, env):
        nxt = pc + 1

        def h(R):
            x = R[b]
            y = R[c]
            if type(x) is float and type(y) is float:
                R[a] = fn(x, y)
                return nxt
            raise type_error(op_sym, x, y)

        return h

    return make


def _div(x, y):
    if y == 0.0:
        raise division_by_zero()
    return x / y


FACTORIES["SUB"] = _checked_numeric("-", lambda x, y: x - y)
FACTORIES["MUL"] = _checked_numeric("*", lambda x, y: x * y)
FACTORIES["DIV"] = _checked_numeric("/", _div)


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


# The typed arithmetic and fused compare-and-jump handlers differ only in their operator, so
# they are generated from these templates (one closure per instruction, operator inlined).
_TEMPLATES = {
    "rr": "def make(a, b, c, pc, env):\n    nxt = pc + 1\n    def h(R):\n        R[a] = R[b] {sym} R[c]\n"
          "        return nxt\n    return h\n",
    "rk": "def make(a, b, c, pc, env):\n    nxt, k = pc + 1, env.K[c]\n    def h(R):\n"
          "        R[a] = R[b] {sym} k\n        return nxt\n    return h\n",
    "jrr": "def make(a, b, c, pc, env):\n    nxt = pc + 1\n    def h(R):\n        if R[a] {sym} R[b]:\n"
           "            return {yes}\n        return {no}\n    return h\n",
    "jrk": "def make(a, b, c, pc, env):\n    nxt, k = pc + 1, env.K[b]\n    def h(R):\n"
           "        if R[a] {sym} k:\n            return {yes}\n        return {no}\n    return h\n",
}


def _generate(template: str, **fill):
    namespace: dict = {}
    exec(_TEMPLATES[template].format(**fill), namespace)  # noqa: S102 - fixed templates above
    return namespace["make"]


for _name, _sym in (("ADD_NN", "+"), ("SUB_NN", "-"), ("MUL_NN", "*"), ("LT_NN", "<"), ("LE_NN", "<="),
                    ("GT_NN", ">"), ("GE_NN", ">=")):
    FACTORIES[_name] = _generate("rr", sym=_sym)
for _name, _sym in (("ADDK_N", "+"), ("SUBK_N", "-"), ("MULK_N", "*"), ("DIVK_N", "/")):
    FACTORIES[_name] = _generate("rk", sym=_sym)
for _cmp, _sym in FUSED_COMPARES.items():
    FACTORIES[f"J{_cmp}_NN"] = _generate("jrr", sym=_sym, yes="c", no="nxt")
    FACTORIES[f"JN{_cmp}_NN"] = _generate("jrr", sym=_sym, yes="nxt", no="c")
    FACTORIES[f"J{_cmp}_NK"] = _generate("jrk", sym=_sym, yes="c", no="nxt")
    FACTORIES[f"JN{_cmp}_NK"] = _generate("jrk", sym=_sym, yes="nxt", no="c")


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


@factory("NOT")
def _not(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        R[a] = not truthy(R[b])
        return nxt

    return h


# ── comparisons ─────────────────────────────────────────────────────────────


@factory("EQ")
def _eq(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        R[a] = values_equal(R[b], R[c])
        return nxt

    return h


@factory("NE")
def _ne(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        R[a] = not values_equal(R[b], R[c])
        return nxt

    return h


def _ordered(op_sym: str, fn):
    def make(a, b, c, pc, env):
        nxt = pc + 1

        def h(R):
            x = R[b]
            y = R[c]
            t = type(x)
            if t is type(y) and (t is float or t is str):
                R[a] = fn(x, y)
                return nxt
            raise type_error(op_sym, x, y)

        return h

    return make


FACTORIES["LT"] = _ordered("<", lambda x, y: x < y)
FACTORIES["LE"] = _ordered("<=", lambda x, y: x <= y)
FACTORIES["GT"] = _ordered(">", lambda x, y: x > y)
FACTORIES["GE"] = _ordered(">=", lambda x, y: x >= y)


# ── jumps ───────────────────────────────────────────────────────────────────


@factory("JMP")
def _jmp(a, b, c, pc, env):
    return lambda R: a


@factory("JMPF")
def _jmpf(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        v = R[a]
        # Python truthiness is ilo's except for maps, which ilo always counts as true.
        if v or type(v) is dict:
            return nxt
        return b

    return h


@factory("JMPT")
def _jmpt(a, b, c, pc, env):
    nxt = pc + 1

    def h(R):
        v = R[a]
        if v or type(v) is dict:
            return b
        return nxt

    return h


@factory("JMPNIL")
def _jmpnil(a, b, c, pc, env):
    nxt = pc + 1
    return lambda R: b if R[a] is None else nxt


@factory("JMPNN")
def _jmpnn(a, b, c, pc, env):
    nxt = pc + 1
    return lambda R: nxt if R[a] is None else b


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
