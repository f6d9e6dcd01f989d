"""Register types over a loop region → ``TypedRegion``, or a ``FallbackReason``.

In: a ``Region`` and the values its registers hold when the loop got hot (the VM's live
registers at the back-edge). Out: the type of every register at every pc of the region, the
backend that can run it (``numba`` for numbers, bools and number lists; ``python`` — a
generated CPython kernel — for text, text lists and text→number maps), and the in-place /
copy choice of each self-rebind instruction.

Type letters: n b t nil, On (number or nil, e.g. an ``mget`` result), L? (empty list),
Ln Lt, M? (empty map), Mn (text → number map), and ``mixed``/``other`` which no kernel
handles. Numba function kernels also hold ``Mt`` (a map of texts the kernel made) and
``Ot`` (text or nil, its ``mget``): ``FN_NUMBA_TYPES``, which loop kernels never take.
Container element types come from the first element at entry plus what the loop
itself stores; elements read back are guarded in the kernel, so a wrong guess exits the
kernel (the VM resumes there) rather than computing a wrong value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ilo.jit.regions import FallbackReason, K, Region
from ilo.runtime.builtins import registry
from ilo.runtime.typecheck import PATTERN_PYTYPES

# On (number or nil) is a float plus a nil flag in numba; maps are ``numba.typed.Dict``
# (int64 -> float64), so only maps whose keys are numbers (``M n n``) reach numba.
NUMBA_TYPES = frozenset({"n", "b", "Ln", "L?", "On", "Mn", "M?"})
# every value letter a python kernel holds as the real runtime value, plus list iterators
KERNEL_TYPES = registry.WHOLE_VALUES | {"ILn", "ILt"}
# numba function kernels only (``fnkernels.Typer(maps=True)`` passes them to ``_check_reads``):
# ``Mt`` a map the kernel made whose values are texts, ``Ot`` a text or nil (its ``mget``)
FN_NUMBA_TYPES = frozenset({"Mt", "Ot"})
# ``La``: a list whose elements the kernel never reads (records, lists, mixed values): python
# kernels append to it and take its length; reading an element leaves it to the VM
_LISTS = frozenset({"L?", "Ln", "Lt", "La"})
NUMBA_KINDS = frozenset({"const", "move", "arith", "cmp", "not", "neg", "jump", "branch", "cjump", "ret",
                         "len", "index", "listappend", "builtin", "nop", "rangeprep", "rangenext",
                         "mget", "mset", "mhas", "newmap"})
MAP_KINDS = frozenset({"mget", "mset", "mhas"})


# The scalar letters are the type-pattern letters of the values' run-time classes.
_SCALAR_LETTERS = {py: letter for letter, py in PATTERN_PYTYPES.items() if py is not list}


def runtime_type(v) -> str:
    t = type(v)
    letter = _SCALAR_LETTERS.get(t)
    if letter is not None:
        return letter
    if v is None:
        return "nil"
    if t is list:
        if not v:
            return "L?"
        e = type(v[0])
        return "Ln" if e is float else "Lt" if e is str else "La"
    if t is dict:
        if not v:
            return "M?"
        e = type(next(iter(v.values())))
        return "Mn" if e is float else "M*"
    if t is _LIST_ITER:
        inner = runtime_type(v.__reduce__()[1][0])
        return "I" + ("Ln" if inner == "L?" else inner)
    return "other"


_LIST_ITER = type(iter([]))


def join(a: str, b: str) -> str:
    if a == b:
        return a
    pair = {a, b}
    if pair <= {"n", "nil", "On"}:
        return "On"
    if pair <= {"t", "nil", "Ot"}:
        return "Ot"
    if pair <= _LISTS:
        return "La" if "L?" not in pair else (pair - {"L?"}).pop()
    for fam in ("L", "M"):
        if f"{fam}?" in pair:
            other = (pair - {f"{fam}?"}).pop()
            if other.startswith(fam):
                return other
    return "mixed"


@dataclass
class TypedRegion:
    region: Region
    entry: dict  # register -> type at the header on entry
    states: dict  # pc -> {register: (type, written)} before the instruction runs
    backend: str = "python"
    choices: list = field(default_factory=list)
    why_not_numba: str = ""
    calls: dict = field(default_factory=dict)  # pc of a user-function call -> fnkernels.Member
    members: list = field(default_factory=list)  # every function kernel the loop calls (transitively)
    typer: object = None  # the ``fnkernels.Typer`` that typed them (it writes their source)

    def type_at(self, pc: int, r) -> str:
        if isinstance(r, K):
            return runtime_type(r.value)
        return self.states[pc][r][0]

    def signature(self) -> tuple:
        return tuple(sorted(self.entry.items()))


def infer(region: Region, values: dict, typer=None) -> TypedRegion:
    """Type the region given the entry ``values`` of its registers (register -> value).
    ``typer`` (a ``fnkernels.Typer``) types the user functions the loop calls."""
    registers = set(region.reads) | set(region.writes)
    entry = {r: runtime_type(values.get(r)) for r in registers}
    for r in region.reads:
        if entry[r] == "M*":
            raise FallbackReason(f"r{r} is a map whose values are not numbers (text/list/map values stay on the VM)")
    start = {r: (entry[r], False) for r in registers}

    def call_type(ins, state: dict) -> str:
        if typer is None:
            raise FallbackReason(f"pc {ins.pc}: a call to {ins.op} outside a compiled program")
        return typer.member(ins.op, tuple(state[s][0] for s in ins.srcs)).ret

    states = flow(region, region.header, start, call_type)
    typed = TypedRegion(region, entry, states)
    if typer is not None:
        typed.calls = {pc: typer.members[(region.at(pc).op, tuple(typed.type_at(pc, s) for s in region.at(pc).srcs))]
                       for pc in states if region.at(pc).kind == "call"}
        typed.members = list(typer.members.values()) if typed.calls else []
        typed.typer = typer
    _check_reads(typed)
    typed.choices = [c for c in _choices(region) if c[1] != "ADD" or
                     typed.type_at(c[0], region.at(c[0]).srcs[0]) in ("t", "Ln", "Lt", "L?")]
    typed.why_not_numba = _numba_blocker(typed, registers)
    typed.backend = "numba" if not typed.why_not_numba else "python"
    return typed


def flow(region: Region, start_pc: int, start: dict, call_type, visit=None) -> dict:
    """Forward type propagation to a fixed point: pc -> {register: (type, written here)}.

    Shared by loop regions (``infer``) and whole functions (``fnkernels``). ``call_type(ins,
    state)`` types a user call's result; ``visit(pc, ins)`` may reject an instruction by
    raising ``FallbackReason``."""
    states: dict = {}
    work = [(start_pc, start)]
    while work:
        pc, state = work.pop()
        old = states.get(pc)
        if old is not None:
            merged = {r: _join_slot(old[r], state[r]) for r in old}
            if merged == old:
                continue
            state = merged
        states[pc] = state
        ins = region.at(pc)
        if visit is not None:
            visit(pc, ins)
        after = dict(state)
        for d in ins.dsts:
            after[d] = (call_type(ins, state) if ins.kind == "call" else _result_type(ins, state, d), True)
        effects_when_taken = ins.kind in ("rangenext", "fornext")
        for succ, taken in _successors(region, ins):
            out = after if (taken or not effects_when_taken) else state
            if ins.kind == "branch" and ins.op in ("nil", "notnil") and (taken == (ins.op == "notnil")):
                r = ins.srcs[0]
                if out[r][0] in ("On", "Ot"):  # this edge knows the value is not nil
                    out = {**out, r: (out[r][0][1], out[r][1])}
            work.append((succ, out))
    return states


def _join_slot(a: tuple, b: tuple) -> tuple:
    written = a[1] if a[1] == b[1] else "maybe"
    return (join(a[0], b[0]), written)


UNCONDITIONAL = frozenset({"jump", "rangeprep", "forprep"})


def _successors(region: Region, ins) -> list:
    """[(pc, taken)] inside the region; ``taken`` marks the jump edge."""
    if ins.kind == "ret":
        return []
    out = []
    if ins.kind not in UNCONDITIONAL and ins.pc + 1 <= region.backedge:
        out.append((ins.pc + 1, False))
    if ins.target is not None and region.contains(ins.target):
        out.append((ins.target, True))
    return out


def _ty(state: dict, s) -> str:
    return runtime_type(s.value) if isinstance(s, K) else state[s][0]


def _result_type(ins, state: dict, dst=None) -> str:
    ts = [_ty(state, s) for s in ins.srcs]
    kind = ins.kind
    if kind == "newrec":
        return record_type(ins, state)
    if kind == "field":
        return field_type(ins, state)
    if kind in ("rangeprep", "rangenext"):
        if all(t == "n" for t in ts):
            return "n"
        raise FallbackReason(f"pc {ins.pc}: range bounds {ts}")
    if kind == "fornext" and ts[0] in ("ILn", "ILt"):
        return ts[0][2]
    if kind == "forprep" and ts[0] in ("Ln", "Lt"):
        return "I" + ts[0]
    if kind == "newlist" and not ts:
        return "L?"
    if kind == "newmap":
        return "M?"
    if kind == "const":
        return runtime_type(ins.value)
    if kind == "move":
        return ts[0]
    if kind == "arith":
        if ins.op == "+" and ts[0] == ts[1] and ts[0] in ("n", "t", "Ln", "Lt"):
            return ts[0]
        if ts == ["n", "n"]:
            return "n"
        raise FallbackReason(f"pc {ins.pc}: '{ins.op}' on {ts[0]} and {ts[1]}")
    if kind == "mhas" and ts[1] not in ("t", "n"):
        raise FallbackReason(f"pc {ins.pc}: mhas with a {ts[1]} key")
    if kind in ("cmp", "not", "mhas"):
        return "b"
    if kind == "neg" and ts[0] == "n":
        return "n"
    if kind == "len" and ts[0] in ("t", "Ln", "Lt", "La", "L?", "Mn", "M?", "Mt"):
        return "n"
    if kind == "index" and ts[0] in ("Ln", "Lt"):
        return ts[0][1]
    if kind == "listappend":
        lst, item = ts
        if lst == "L?" and item in ("n", "t"):
            return "L" + item
        if lst in ("Ln", "Lt") and lst[1] == item:
            return lst
        if lst in _LISTS and item != "mixed":
            return "La"  # python kernels only: its elements are never read back in the loop
        raise FallbackReason(f"pc {ins.pc}: appending {item} to {lst}")
    if kind == "mset":
        m, key, val = ts
        if m in ("M?", "Mn") and key in ("t", "n") and val == "n":
            return "Mn"
        if m in ("M?", "Mt") and key in ("t", "n") and val == "t":
            return "Mt"  # numba function kernels only (FN_NUMBA_TYPES)
        raise FallbackReason(f"pc {ins.pc}: mset of a {val} value into {m} (maps with text/list values stay on the VM)")
    if kind == "mget" and ts[0] in ("Mn", "M?") and ts[1] in ("t", "n"):
        return "On"
    if kind == "mget" and ts[0] == "Mt" and ts[1] in ("t", "n"):
        return "Ot"
    # function kernels only (``fnkernels.decode``): mkeys of a map with a text key leaves the kernel
    if kind == "mdel" and ts[0] in ("Mn", "M?", "Mt") and ts[1] in ("t", "n"):
        return ts[0]
    if kind in ("mkeys", "mvals") and ts[0] in ("Mn", "M?"):
        return "Ln" if ts[0] == "Mn" else "L?"
    if kind == "builtin":
        # typed by the builtin's kernel forms in the registry (argument letters -> result)
        form = registry.kernel_form(ins.op, tuple(ts))
        if form is not None:
            return form.ret
        raise FallbackReason(f"pc {ins.pc}: builtin {ins.op} on {', '.join(ts)} has no kernel form")
    raise FallbackReason(f"pc {ins.pc}: {ins.name or kind} on {', '.join(ts) or 'nothing'}")


def builtin_form(typed: TypedRegion, ins):
    """The registry's kernel form for a generic builtin instruction at its argument types."""
    types = tuple(_ty(typed.states[ins.pc], s) for s in ins.srcs)
    return registry.kernel_form(ins.op, types)


# Records made inside a kernel: the type letter is ``R<pc>:<field types>`` (``NEWREC`` at
# that pc, in field order), so a field read knows its type and two records made at different
# places (or from values of other types) never merge into one type.


def record_type(ins, state: dict) -> str:
    """The type of the record ``NEWREC`` (kind ``newrec``: ``value`` holds the field names,
    ``srcs`` their registers) makes from ``state``: ``R<pc>:name=type,...``."""
    return f"R{ins.pc}:" + ",".join(f"{n}={_ty(state, s)}" for n, s in zip(ins.value, ins.srcs))


def is_record(t: str) -> bool:
    return t[:1] == "R" and ":" in t


def field_type(ins, state: dict) -> str:
    """The type of ``FIELD`` (kind ``field``) reading field ``ins.op`` of a kernel-made record."""
    t = _ty(state, ins.srcs[0])
    if not is_record(t):
        raise FallbackReason(f"pc {ins.pc}: field '{ins.op}' of {t} (only records made in the kernel)")
    for item in t.split(":", 1)[1].split(","):
        name, _, ft = item.partition("=")
        if name == ins.op:
            return ft
    raise FallbackReason(f"pc {ins.pc}: field '{ins.op}' is not one the record was made with")


def _check_reads(typed: TypedRegion, extra: frozenset = frozenset()) -> None:
    """Raise FallbackReason for a read of a value no kernel holds (``extra``: the types the
    caller's kernels hold besides ``KERNEL_TYPES``) or of a value that may be nil."""
    allowed = KERNEL_TYPES | extra
    for pc, state in typed.states.items():
        ins = typed.region.at(pc)
        for r in ins.reads:
            t = state[r][0]
            # a record made in the kernel may be read by its fields, moved, or appended to a
            # list (it then exists as a real record: the list is the VM's to read)
            stored = ins.kind == "listappend" and r == ins.srcs[1] and r != ins.srcs[0]
            if t not in allowed and not (is_record(t) and (ins.kind in ("field", "move") or stored)):
                raise FallbackReason(f"pc {pc}: r{r} holds {t} values")
            if t == "Ot" and ins.kind == "branch" and ins.op not in ("nil", "notnil"):
                # the kernels' truth tests know an optional number, not an optional text
                raise FallbackReason(f"pc {pc}: the truth of r{r}, a text that may be nil")
            if ins.kind in ("branch", "ret") or (ins.kind == "cmp" and ins.op in ("=", "!=")):
                continue
            if t in ("On", "Ot", "nil") and ins.kind not in ("move", "cmp", "ret"):
                raise FallbackReason(f"pc {pc}: r{r} may be nil here")


def _choices(region: Region) -> list:
    out = []
    for ins in region.code:
        if ins.kind in ("mset", "listappend") or (ins.kind == "arith" and ins.op == "+"):
            if not ins.srcs or not isinstance(ins.srcs[0], int):
                continue
            same = ins.dst == ins.srcs[0]
            label = {"mset": "MSET", "listappend": "LISTAPPEND"}.get(ins.kind, "ADD")
            out.append((ins.pc, label, "in place" if same else "copy"))
    return out


def _number_key(typed: TypedRegion, ins) -> bool:
    key = ins.srcs[1]
    if isinstance(key, K):
        return type(key.value) is float
    return typed.type_at(ins.pc, key) == "n"


def _numba_blocker(typed: TypedRegion, registers) -> str:
    for m in typed.members:
        if m.numba_why:
            return f"called function {m.name}: {m.numba_why}"
    for ins in typed.region.code:
        if ins.kind == "call":
            continue
        if ins.kind not in NUMBA_KINDS:
            return f"{ins.kind} needs the python backend"
        if ins.kind == "builtin" and builtin_form(typed, ins).numba is None:
            return f"builtin {ins.op} needs the python backend"
        if ins.kind == "move" and typed.type_at(ins.pc, ins.srcs[0]) in ("Ln", "L?"):
            return "a list is aliased inside the loop"
        if ins.kind == "move" and typed.type_at(ins.pc, ins.srcs[0]) in ("Mn", "M?"):
            return "a map is aliased inside the loop"
        if ins.kind in MAP_KINDS and not _number_key(typed, ins):
            return "a map with text keys needs the python backend"
        if ins.kind == "cmp" and ins.op in ("=", "!="):
            if {typed.type_at(ins.pc, s) for s in ins.srcs} - {"n", "b"}:
                return "equality on non-scalars"
    held = {t for state in typed.states.values() for t, _w in state.values()}
    if held & {"Mn", "M?"} and held & {"Ln", "L?"}:
        return "number lists and maps together need the python backend"
    for state in typed.states.values():
        for r in registers:
            t, written = state[r]
            if written is False and typed.entry[r] not in NUMBA_TYPES and r not in typed.region.reads:
                continue  # not live yet: never passed in, never written back from here
            if t not in NUMBA_TYPES:
                return f"r{r} holds {t}"
    return ""
