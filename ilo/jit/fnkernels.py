"""Whole functions → kernel source: typing a function and the user functions it calls.

In: a ``CompiledProgram``, a hot function's name and the runtime types of its arguments.
Out: a ``Bundle``: one module source defining a kernel per function of the call tree
(``_f0`` is the root; calls between them are direct Python/numba calls, a function calling
itself calls its own kernel), the backend that runs it, and each member's types.

A function kernel takes ``(_d, params...)`` and returns the function's value. ``_d`` is the
number of further nested calls the VM's depth limit (``ILO_MAX_DEPTH``) still allows, so a
kernel recursing too deep stops exactly where the VM would report ``ILO-R014``. Anything a
kernel cannot finish (a guard, a division by zero, a depth limit) raises ``Deopt``; the
VM then runs the whole call from its first instruction. Only pure instructions are
admitted (no output, files, tools or dynamic calls: those decode to ``opaque``), so running
the call again computes exactly what the VM would have. The instruction forms are the
loop emitter's (``emit._Emitter``), with ``ret`` as ``return`` and every exit a ``Deopt``.

Numba bundles (``build``) run numbers, bools and, inside the call tree, number-keyed maps
of numbers (``M n n`` as ``numba.typed.Dict``, which may be passed between members, and be
the root's arguments or result: ``calls`` converts them at the VM boundary) and number
lists the function makes itself and never passes on (float64 arrays with a length). Texts
made in the kernel, and maps with text keys or text values (``M t n``, ``M n t``), run
there too (``fnforms``; ``nbtext`` gives each map its typed dict's key and value types),
but only with ``ILO_JIT_NUMBA=always``: measured, numba runs them no faster than python
(``nbtext.SLOWER``), and a text-valued map is numba's only (python kernels test values). Maps
have value semantics without reference counts through an ownership flag per map register
(``_FnEmitter``); a list shared between two registers keeps the bundle on python. Loop
kernels calling functions (``Typer()`` without ``maps``) keep the scalar-only rule.

Types: a function is typed by the loop typer's rules (``infer._result_type``) starting from
its parameters (other registers start as nil, as in the VM). A call's result is the
callee's return type, typed first for the argument types at the call site; a function
calling itself is typed under a guessed return type (number, bool, text) until the guess
is what it returns. Mutual recursion is declined.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ilo.jit import nbtext, ops
from ilo.jit import state as chunk_state
from ilo.jit.emit import _INITIAL, _NUM_VAR, PRELUDE_MAPS, PRELUDE_NUMBA, PRELUDE_PYTHON, _Emitter
from ilo.jit.fnforms import LISTS, MAPS, NumbaContainers
from ilo.jit.infer import (
    FN_NUMBA_TYPES,
    KERNEL_TYPES,
    TypedRegion,
    _check_reads,
    _result_type,
    builtin_form,
    flow,
    is_record,
    join,
)
from ilo.jit.regions import FallbackReason, Ins, K, Region, _shape

# instruction kinds a numba function kernel runs: scalars, and number-keyed maps of numbers
# (``numba.typed.Dict``) when the bundle is a function's own (``Typer(maps=True)``)
NUMBA_FN_KINDS = frozenset({"const", "move", "arith", "cmp", "not", "neg", "jump", "branch", "cjump", "ret",
                            "builtin", "nop", "rangeprep", "rangenext", "call"})
NUMBA_MAP_KINDS = frozenset({"newmap", "mget", "mset", "mhas", "len", "mdel", "mkeys", "mvals"})
# number lists made inside the kernel that never leave it: float64 arrays with a length
NUMBA_LIST_KINDS = frozenset({"newlist", "listappend", "index", "len", "forprep", "fornext"})
SCALARS = frozenset({"n", "b"})
PY_TYPES = {"n": "float", "b": "bool", "t": "str", "nil": "type(None)"}
MAX_MEMBERS = 16  # a call tree larger than this stays on the VM (build time grows with it)


def python_type(t: str) -> str:
    """The Python type expression an argument of kernel type ``t`` must have."""
    if t in PY_TYPES:
        return PY_TYPES[t]
    return "list" if t[0] == "L" else "dict" if t[0] == "M" else ""


# map builtins with no loop-kernel form that function kernels run (kinds of their own)
_MAP_BUILTINS = frozenset({"builtin mdel", "builtin mkeys", "builtin mvals"})


def decode(chunk) -> list:
    """The loop decoder's ``Ins`` list with user-function calls as kind ``call`` and records
    made and read in the code as kinds ``newrec``/``field`` (python kernels)."""
    st = chunk_state.of(chunk)
    cached = st.fn_ins
    if cached is None:
        cached = []
        for ins in ops.decode(chunk):
            if ins.kind == "opaque" and ins.name in _MAP_BUILTINS:  # value = the builtin's name
                ins = Ins(ins.pc, ins.name.split()[1], ins.dst, ins.srcs, name=ins.name)
            elif ins.kind == "opaque" and ins.name in ("CALL", "NEWREC", "FIELD"):
                _op, a, b, c = chunk.code[ins.pc]
                if ins.name == "CALL":
                    ins = Ins(ins.pc, "call", a, tuple(c), chunk.constants[b], name="CALL")
                elif ins.name == "NEWREC":  # python kernels only: value = the field names
                    names = tuple(n for n, _r in c)
                    ins = Ins(ins.pc, "newrec", a, tuple(r for _n, r in c), chunk.constants[b], names, name="NEWREC")
                else:
                    ins = Ins(ins.pc, "field", a, (b,), chunk.constants[c], name="FIELD")
            cached.append(ins)
        st.fn_ins = cached
    return cached


def whole_region(chunk) -> Region:
    """The function body as one region: pc 0 to its last instruction, every loop inner."""
    code = decode(chunk)
    if not code:
        raise FallbackReason("empty function")
    regs = tuple(range(chunk.nregs))
    inner = {lp.test: (lp.body, lp.test, lp.back_edge) for lp in chunk.loops}
    digest = hashlib.sha256(repr([_shape(i, 0) for i in code]).encode()).hexdigest()[:16]
    return Region(chunk.name, 0, 0, len(code) - 1, code, regs, regs, (), digest, inner, ())


def check_callees(program, region: Region) -> None:
    """Raise FallbackReason when a call of ``region`` reaches, directly or through other
    calls, a function with an instruction no kernel runs: the loop can never compile."""
    if program is None:
        raise FallbackReason("a call outside a compiled program")
    seen: set = set()
    todo = [ins.op for ins in region.code if ins.kind == "call"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        chunk = program.chunks.get(name)
        if chunk is None:
            raise FallbackReason(f"call to {name}, which is not a user function")
        for ins in decode(chunk):
            if ins.kind == "opaque":
                raise FallbackReason(f"calls {name}, whose {ins.name} at pc {ins.pc} has no kernel form")
            if ins.kind == "call":
                todo.append(ins.op)


@dataclass
class Member:
    """One function of a bundle, typed for one tuple of argument types."""

    name: str
    chunk: object
    argtypes: tuple
    fname: str
    typed: TypedRegion | None = None
    ret: str | None = None
    guess: str | None = None  # assumed return type of its own recursive calls while typing
    calls: dict = field(default_factory=dict)  # pc -> callee Member
    numba_why: str = ""  # why numba cannot run it ('' if it can)
    # numba: map register (or "ret") -> (key, value) numba types when not int64 -> float64 (``nbtext``)
    dict_types: dict = field(default_factory=dict)


class Typer:
    """Types a root function and, on the way, every function it calls."""

    def __init__(self, program, maps: bool = False):
        self.program = program
        # numba members may make, pass and return number-keyed maps (typed dicts). Only a
        # function bundle asks for it: its entry handler converts maps at the VM boundary
        # (``calls``); a loop kernel calling a member keeps the scalar-only rule.
        self.maps = maps
        self.members: dict = {}  # (name, argtypes) -> Member
        self.active: list = []  # members being typed (a call back to one is recursion)

    @staticmethod
    def member_source(members: list, backend: str, limited: bool = False) -> list:
        """``member_source``, for ``emit`` (which does not import this module)."""
        return member_source(members, backend, limited)

    def member(self, name: str, argtypes: tuple) -> Member:
        key = (name, argtypes)
        m = self.members.get(key)
        if m is not None:
            if m.ret is not None:
                return m
            if m is self.active[-1] and m.guess is not None:
                return m  # a call to itself: typed under the current guess
            raise FallbackReason(f"{name} is mutually recursive (only self-recursion is compiled)")
        chunk = self.program.chunks.get(name)
        if chunk is None:
            raise FallbackReason(f"call to {name}, which is not a user function")
        if len(argtypes) != chunk.nparams:
            raise FallbackReason(f"call to {name} with {len(argtypes)} argument(s)")
        extra = {"Mt"} if self.maps else set()  # a text-valued map the caller made (``nbtext``)
        for t in argtypes:
            if t not in KERNEL_TYPES | extra or t in ("On", "nil"):
                raise FallbackReason(f"call to {name} with a {t} argument")
        if len(self.members) >= MAX_MEMBERS:
            raise FallbackReason(f"more than {MAX_MEMBERS} functions in the call tree")
        m = self.members[key] = Member(name, chunk, argtypes, f"_f{len(self.members)}")
        self.active.append(m)
        try:
            self._type(m)
        except FallbackReason:
            del self.members[key]
            raise
        finally:
            self.active.pop()
        return m

    def _type(self, m: Member) -> None:
        region = whole_region(m.chunk)
        recursive = any(ins.kind == "call" and ins.op == m.name for ins in region.code)
        last = None
        guesses = ("n", "b", "t", "Mn") if self.maps else ("n", "b", "t")
        for guess in (guesses if recursive else (None,)):
            m.guess = guess
            try:
                typed, ret = self._infer(m, region)
            except FallbackReason as why:
                last = why
                continue
            if guess is None or ret == guess:
                m.typed, m.ret = typed, ret
                m.calls = {pc: self.members[(ins.op, self._argtypes(typed, ins))]
                           for pc, ins in ((p, region.at(p)) for p in typed.states) if ins.kind == "call"}
                m.numba_why = _numba_blocker(m, self.maps)
                return
        raise last or FallbackReason(f"{m.name}: its return type could not be settled")

    @staticmethod
    def _argtypes(typed: TypedRegion, ins) -> tuple:
        return tuple(typed.type_at(ins.pc, s) for s in ins.srcs)

    def _infer(self, m: Member, region: Region):
        entry = {r: (m.argtypes[r] if r < len(m.argtypes) else "nil") for r in region.reads}
        start = {r: (t, r < len(m.argtypes)) for r, t in entry.items()}

        def reject_opaque(pc: int, ins) -> None:
            if ins.kind == "opaque":
                raise FallbackReason(f"{m.name}: {ins.name} at pc {pc} has no kernel form")

        states = flow(region, 0, start, self._call_type, reject_opaque)
        typed = TypedRegion(region, entry, states)
        extra = FN_NUMBA_TYPES if self.maps else frozenset()
        _check_reads(typed, extra)
        ret = None
        for pc in states:
            ins = region.at(pc)
            if ins.kind == "ret":
                t = typed.type_at(pc, ins.srcs[0])
                ret = t if ret is None else join(ret, t)
        if ret is None:
            raise FallbackReason(f"{m.name} never returns")
        if ret not in KERNEL_TYPES | extra or ret in ("On", "Ot"):
            raise FallbackReason(f"{m.name} returns {ret} values")
        return typed, ret

    def _call_type(self, ins, state: dict) -> str:
        argtypes = tuple(state[s][0] for s in ins.srcs)
        callee = self.member(ins.op, argtypes)
        return callee.ret if callee.ret is not None else callee.guess


def _numba_blocker(m: Member, maps: bool = False) -> str:
    """'' when numba can run ``m`` on its own (callees are checked by the bundle). With
    ``maps``, maps of numbers (``Mn``/``M?``: number or text keys, ``nbtext`` settles which),
    optional numbers (an ``mget`` result) and texts may live in registers, and maps and
    texts may be arguments and the result."""
    outer = SCALARS | MAPS | {"t"} if maps else SCALARS
    inner = outer | {"On", "Ot"} | LISTS if maps else SCALARS
    kinds = NUMBA_FN_KINDS | NUMBA_MAP_KINDS | NUMBA_LIST_KINDS if maps else NUMBA_FN_KINDS
    if any(t not in outer for t in m.argtypes):
        return "arguments that are not numbers, bools, texts or maps" if maps else "arguments that are not numbers or bools"
    if m.ret not in outer:
        return f"it returns {m.ret}"
    typed = m.typed
    for pc, state in typed.states.items():
        ins = typed.region.at(pc)
        if ins.kind not in kinds:
            return f"{ins.kind} needs the python backend"
        if ins.kind == "builtin" and builtin_form(typed, ins).numba is None and not _numba_str(typed, ins, maps):
            return f"builtin {ins.op} needs the python backend"
        if ins.kind in ("mget", "mset", "mhas", "mdel") and not _number_key(typed, ins) and not maps:
            return "a map with text keys needs the python backend"
        if ins.kind == "arith" and "t" in {typed.type_at(pc, s) for s in ins.srcs} and ins.op != "+":
            return f"'{ins.op}' on text needs the python backend"
        if ins.kind == "len" and typed.type_at(pc, ins.srcs[0]) not in MAPS | LISTS:
            return "len of text needs the python backend"
        if ins.kind == "newlist" and ins.srcs:
            return "a list literal needs the python backend"
        if ins.kind == "move" and typed.type_at(pc, ins.srcs[0]) in LISTS:
            # OWNERSHIP: two registers would append in place into one array
            return "a list is aliased inside the function"
        if ins.kind == "cmp":
            types = {typed.type_at(pc, s) for s in ins.srcs}
            if "t" in types and (types != {"t"} or ins.op not in ("=", "!=")):
                return "comparing texts other than by equality needs the python backend"
            if ins.op in ("=", "!=") and types - SCALARS and types != {"t"}:
                return "equality on non-scalars"
        for r in ins.reads:
            if state[r][0] not in inner:
                return f"r{r} holds {state[r][0]}"
        for d in ins.dsts:
            t = m.calls[pc].ret if ins.kind == "call" else _result_type(ins, state, d)
            if t not in inner:
                return f"r{d} holds {t}"
    return ""


def _numba_str(typed: TypedRegion, ins, maps: bool) -> bool:
    """``str`` of a number: numba prints whole numbers (``fnforms``); others deopt."""
    return maps and ins.op == "str" and len(ins.srcs) == 1 and typed.type_at(ins.pc, ins.srcs[0]) == "n"


def _number_key(typed: TypedRegion, ins) -> bool:
    key = ins.srcs[1]
    if isinstance(key, K):
        return type(key.value) is float
    return typed.type_at(ins.pc, key) == "n"


def _shares_containers(m: Member) -> bool:
    if any(t[0] in "LM" for t in m.argtypes):
        return True
    typed = m.typed
    for pc in typed.states:
        ins = typed.region.at(pc)
        if ins.kind == "call":
            if m.calls[pc].ret[0] in "LM" or any(typed.type_at(pc, s)[0] in "LM" for s in ins.srcs):
                return True
    return False


class _FnEmitter(NumbaContainers, _Emitter):
    """The loop emitter turned to whole functions (see the module docstring)."""

    whole_call_exits = True  # ``emit_fuse``: an exit re-runs the whole call, no register survives

    def __init__(self, m: Member, backend: str, limited: bool = False):
        self.m = m
        super().__init__(m.typed, backend, limited)
        # OWNERSHIP: a container argument stays referenced by the caller, and one passed to
        # or returned from a call may be held twice: in-place updates then test ownership
        # each time. Containers the function made itself and never shared are updated in place.
        self.aliasing = backend == "python" and (self.aliasing or _shares_containers(m))
        self.flat = self.scalar_records() if backend == "python" else set()

    def scalar_records(self) -> set:
        """NEWREC pcs whose records are only ever read by FIELD: they never exist as objects
        (a function kernel writes no register back, so nobody else can see them); each field
        lives in a local of its own, set where the record is made."""
        typed = self.m.typed
        sites = {pc for pc in typed.states if typed.region.at(pc).kind == "newrec"}
        for pc, state in typed.states.items():
            ins = typed.region.at(pc)
            for r in ins.reads:
                t = state[r][0]
                if is_record(t) and ins.kind != "field":
                    sites.discard(int(t[1:t.index(":")]))
        return sites

    def ins_newrec(self, ins):
        if ins.pc not in self.flat:
            return super().ins_newrec(ins)
        return [f"_rec{ins.pc}_{n} = {self.var(r, ins.pc)}" for n, r in zip(ins.value, ins.srcs)]

    def ins_field(self, ins):
        t = self.t.type_at(ins.pc, ins.srcs[0])
        site = int(t[1:t.index(":")])
        if site not in self.flat:
            return super().ins_field(ins)
        return [f"{self.dvar(ins)} = _rec{site}_{ins.op}"]

    def _type_after(self, ins, d=None) -> str:
        if ins.kind == "call":
            return self.m.calls[ins.pc].ret
        return super()._type_after(ins, d)

    def exit_stmt(self, resume_pc: int, state: dict) -> str:
        return "raise _Deopt"

    def deopt(self, ins) -> str:
        if ins.kind == "ret":
            return f"return {self.var(ins.srcs[0], ins.pc)}"
        return "raise _Deopt"

    def ins_call(self, ins):
        callee = self.m.calls[ins.pc]
        args = "".join(", " + self.var(s, ins.pc) for s in ins.srcs)
        st = ", _st" if self.limited else ""
        lines = [f"{self.dvar(ins)} = {callee.fname}(_d - 1{st}{args})"]
        if self.backend == "numba" and callee.ret in MAPS:
            # OWNERSHIP: the result may be one of the maps passed in
            shared = {s for s in ins.srcs if isinstance(s, int) and self.t.type_at(ins.pc, s) in MAPS}
            lines += [f"r{r}_own = False" for r in sorted(shared | {ins.dst})]
        return lines

    def function(self) -> list:
        m = self.m
        if self.backend == "python":
            params = [f"r{r}" for r in range(len(m.argtypes))]
        else:
            params = [self.nvar(r, t) if t in ("t", "Mt") else f"r{r}_{_NUM_VAR[t]}" for r, t in enumerate(m.argtypes)]
        lines = []
        if self.backend == "numba":
            lines.append("@njit(cache=True, nogil=True)")
        budget = ["_st"] if self.limited else []
        lines += [f"def {m.fname}({', '.join(['_d', *budget, *params])}):",
                  f'    """{m.name} ({", ".join(m.argtypes) or "no arguments"}) -> {m.ret}: {self.backend} kernel."""',
                  "    if _d < 0:", "        raise _Deopt"]
        if self.limited:  # BUDGET: a call is a step; none left: the VM runs the call (and stops)
            lines += ["    if _st[0] <= 0:", "        raise _Deopt", "    _st[0] -= 1"]
        if self.backend == "numba":
            lines += [f"    {v}_z = False" for v in params if v.endswith("_q")]  # a text argument is never nil
            for v in self.slot_vars:
                if v in params:
                    continue
                if v.endswith("_I"):
                    lines += [f"    {v} = np.empty(0)", f"    {v}_n = 0", f"    {v}_i = 0"]
                elif v.endswith("_s"):
                    lines.append(f'    {v} = ""')
                elif v.endswith("_q"):  # a text or nil (``fnforms.nvar``)
                    lines += [f'    {v} = ""', f"    {v}_z = True"]
                elif v.endswith("_D"):
                    lines.append(f"    {v} = {self.dict_of(int(v[1:-2]))}")
                else:
                    lines.append(f"    {v} = " + ("0" if v.endswith("_L_n") else _INITIAL[v.rpartition("_")[2]]))
            lines += [f"    r{r}_own = False" for r in sorted(self.map_regs())]
        self.ctx.append(("function", None))
        self.block(0, len(self.r.code), 1)
        self.ctx.pop()
        return lines + self.out


def _uses_maps(m: Member) -> bool:
    return any(t in MAPS for state in m.typed.states.values() for t, _w in state.values()) or \
        m.ret in MAPS or any(m.typed.region.at(pc).kind == "newmap" for pc in m.typed.states)


def boundary_maps(bundle) -> bool:
    """Does a map cross between the VM and the bundle's root (argument or result)?"""
    root = bundle.root
    return root.ret in MAPS or any(t in MAPS for t in root.argtypes)


@dataclass
class Bundle:
    source: str
    backend: str
    root: Member
    members: list
    why_not_numba: str = ""
    limited: bool = False  # kernels charge a step budget: ``_st`` follows ``_d``

    @property
    def result_dict(self):
        """numba: the (key, value) numba types of the root's typed dict result when they are
        not int64 -> float64 (boxed by ``nbmaps.items_to_python``), else None."""
        return self.root.dict_types.get("ret") if self.backend == "numba" else None


PRELUDE_DEOPT = ["from ilo.jit.deopt import Deopt as _Deopt"]


def member_source(members: list, backend: str, limited: bool = False) -> list:
    """Source lines defining every member's kernel (with the imports they need), appended to
    a loop kernel that calls them."""
    lines = ["", "", *PRELUDE_DEOPT]
    if backend == "numba":
        lines.append("from numba import njit")
    for m in members:
        lines += ["", ""] + _FnEmitter(m, backend, limited).function()
    return lines


def build(program, name: str, argtypes: tuple, backend: str | None = None, limited: bool = False) -> Bundle:
    """Type ``name`` for ``argtypes`` with everything it calls; emit the bundle's source.
    ``backend``: force "python" or "numba" ("numba" raises FallbackReason if it cannot).
    ``limited``: every kernel charges a step budget (a run with --max-steps/--timeout)."""
    typer = Typer(program, maps=True)
    root = typer.member(name, argtypes)
    members = list(typer.members.values())
    why = next((f"{m.name}: {m.numba_why}" for m in members if m.numba_why), "")
    if not why:
        why = nbtext.dict_types(members, root)
    # numba could run it, but (measured) more slowly than python: only when forced
    slower = nbtext.SLOWER if not why and nbtext.uses_text(members) else ""
    if backend is None:
        backend = "python" if why or slower else "numba"
    if backend == "numba" and why:
        raise FallbackReason(why)
    if backend == "python":
        if nbtext.text_valued(members):  # python kernels test that map values are numbers
            raise FallbackReason("a map with text values: numba kernels only (ILO_JIT_NUMBA=always)")
        for m in members:  # python kernels use the VM's dicts, whatever their keys
            m.dict_types = {}
    body = []
    for m in members:
        body += ["", ""] + _FnEmitter(m, backend, limited).function()
    if backend == "numba":
        maps = PRELUDE_MAPS if any(_uses_maps(m) for m in members) else []
        head = PRELUDE_NUMBA + ["", "from numba import njit", *maps, "", *PRELUDE_DEOPT]
    else:
        head = PRELUDE_PYTHON + PRELUDE_DEOPT
    source = "\n".join(head + body) + "\n"
    return Bundle(source, backend, root, members, why or (slower if backend == "python" else ""), limited)
