"""TypedRegion → kernel Python source (readable; ``--dump=kernel`` prints it).

In: a ``TypedRegion``. Out: ``KernelCode``: the source of a module defining
``kernel(*args) -> (exit_id, *slots)``, the argument registers, and per exit the pc the VM
resumes at plus which slot goes back into which register.

The loop's bytecode is turned back into structured Python (``while True`` / ``if`` /
``else``), because both numba and CPython run structured code much faster than a pc
dispatch loop. Each self-rebind instruction is specialised at compile time: ``a == b``
gives the in-place form (``m[k] = v``, ``xs.append(v)``, in-place array append), anything
else the copy form. Any instruction a kernel cannot finish (division by zero, an index out
of range, an element of an unexpected type) exits the kernel *before* the instruction, so
the VM executes it itself and reports exactly what it would have reported. Where a fact
makes a check redundant (``emit_vars.PythonForms``), python kernels leave it out: bounded text
appends share one size check at the top of each iteration, and so on. Python kernels also
let CPython count counted loops (``emit_loops``: ``for _i in range``), fold scratch
registers into their one reader and runs of text appends into one (``emit_fuse``).

Two flavours share the structuring: ``numba`` (registers are typed variables ``r3_n``,
number lists are float64 arrays with a length ``r3_L_n``) and ``python`` (registers are
plain locals; an instruction that can raise sits in a ``try`` whose handler leaves the
kernel through an ordinary exit before it, so the happy path carries no bookkeeping and the
VM reports the error).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ilo.jit.emit_fuse import AppendRuns, FusedTemps
from ilo.jit.emit_loops import CountedLoops
from ilo.jit.emit_maps import _NEW_DICT, MapForms
from ilo.jit.emit_vars import (
    _CANNOT_RAISE,
    PythonForms,
    _aliases_containers,
    _companions,
    _literal,
    _optional_registers,
    _truthy,
    mget_default,
)
from ilo.jit.infer import TypedRegion
from ilo.jit.regions import FallbackReason, K
from ilo.runtime import sizes

# numba variable suffix per type letter: a number list is an array ``_L`` plus its length
# ``_L_n``; a map a typed dict ``_D``; an optional number (``On``) a float ``_o`` plus its nil
# flag ``_o_z``. A register that is ``On`` anywhere in the region lives in ``_o`` wherever
# it holds a number, so the edges where it becomes a plain number need no copy.
_NUM_VAR = {"n": "n", "b": "b", "Ln": "L", "L?": "L", "Mn": "D", "M?": "D", "On": "o"}


@dataclass
class KernelCode:
    source: str
    backend: str
    args: list  # [(register, var)] in argument order (numba lists: array var; length derived)
    slots: list  # return slot variables, in order
    exits: list = field(default_factory=list)  # exit id -> (resume pc, [(register, slot index, type)])
    in_place: set = field(default_factory=set)  # registers mutated in place (need sole ownership)
    reassigned: set = field(default_factory=set)  # registers given a new value other than in place
    depth: bool = False  # numba: the kernel takes the calls the depth limit allows as a last argument
    limited: bool = False  # the kernel charges a step budget: its last argument is the countdown

    @property
    def maps(self) -> bool:
        """numba: does the kernel take typed dicts?"""
        return any(var.endswith("_D") for _r, var in self.args)


class _Emitter(CountedLoops, FusedTemps, AppendRuns, PythonForms, MapForms):
    def __init__(self, typed: TypedRegion, backend: str, limited: bool = False):
        self.t = typed
        # BUDGET: a run with --max-steps/--timeout. ``_st`` is the budget's countdown (a
        # one-element list, or int64 array for numba): each taken back-edge and each function
        # kernel entry takes one step, as the VM charges them, and the kernel leaves (at the
        # back-edge, before it runs) when none is left, so the VM charges that step itself.
        self.limited = limited
        self.r = typed.region
        self.backend = backend
        self.optional = _optional_registers(typed)
        self.out: list[str] = []
        self.exits: list = []
        self.exit_ids: dict = {}
        self.in_place: set = set()
        self.ctx: list = []  # ("once", test) or ("loop", test, exit), innermost last
        self.slot_vars = self._slot_vars()
        self.aliasing = backend == "python" and _aliases_containers(typed)
        self.slot_index = {v: i for i, v in enumerate(self.slot_vars)}
        # what lets a python kernel leave checks out (emit_vars.PythonForms)
        self.python_facts(typed, backend)
        self.fusion_facts()  # scratch registers folded into their reader (``emit_fuse``)

    # ── variables ──────────────────────────────────────────────────────────
    def var(self, r, pc: int) -> str:
        if isinstance(r, K):
            return _literal(r.value)
        if self.backend == "python":
            return f"r{r}"
        return self.nvar(r, self.t.type_at(pc, r))

    def nvar(self, r: int, t: str) -> str:
        """The numba variable of register ``r`` holding a ``t``."""
        if r in self.optional and t in ("n", "On"):
            return f"r{r}_o"
        return f"r{r}_{_NUM_VAR[t]}"

    def dvar(self, ins, d=None) -> str:
        """The variable register ``d`` (default: the destination) lives in after ``ins``."""
        d = ins.dst if d is None else d
        if self.backend == "python":
            return f"r{d}"
        return self.nvar(d, self._type_after(ins, d))

    def _type_after(self, ins, d=None) -> str:
        from ilo.jit.infer import _result_type

        if ins.kind == "call":
            return self.t.calls[ins.pc].ret
        return _result_type(ins, self.t.states[ins.pc], d)

    def _slot_vars(self) -> list:
        """Every variable an exit may hand back: the arguments plus each destination."""
        regs = sorted(set(self.r.reads) | set(self.r.writes))
        if self.backend == "python":
            return [f"r{r}" for r in regs]
        seen = [self.nvar(r, self.t.entry[r]) for r in regs if self.t.entry[r] in _NUM_VAR]
        for ins in self.r.code:
            for d in ins.dsts:
                if ins.pc in self.t.states:
                    v = self.nvar(d, self._type_after(ins, d))
                    if v not in seen:
                        seen.append(v)
        out = []
        for v in sorted(seen, key=lambda s: (int(s[1:].split("_")[0]), s)):
            out.append(v)
            out += _companions(v)
        return out

    # ── exits ──────────────────────────────────────────────────────────────
    def exit_stmt(self, resume_pc: int, state: dict) -> str:
        key = (resume_pc, tuple(sorted(state.items())))
        eid = self.exit_ids.get(key)
        if eid is None:
            eid = self.exit_ids[key] = len(self.exits)
            back = []
            for r, (t, written) in sorted(state.items()):
                if self.backend == "python" or t == "any":
                    back.append((r, self.slot_index[f"r{r}"], t))
                elif written is not False or r in self.r.reads:
                    if t not in _NUM_VAR:
                        raise FallbackReason(f"r{r} holds {t} at an exit")
                    back.append((r, self.slot_index[self.nvar(r, t)], t))
            self.exits.append((resume_pc, back))
        return f"return ({eid}, {', '.join(self.slot_vars)},)"

    def deopt(self, ins) -> str:
        return self.exit_stmt(ins.pc, self.t.states[ins.pc])

    # ── structure ──────────────────────────────────────────────────────────
    # The VM compiles loops inverted: [prep; jump test] body test back-edge. Kernels use the
    # rotated form, ``while True: test; if not cond: leave; step; body``, so ``cnt`` (a jump
    # to the test) is ``continue`` and ``brk`` (a jump to the exit) is ``break``. The
    # kernel's own loop is entered at the body: its first body runs in a one-shot wrapper
    # where ``cnt`` is ``break``.

    def emit(self, line: str, ind: int, pc: int | None = None) -> None:
        """One source line (``pc``: the instruction it belongs to, for readers)."""
        if self.pending:  # values waiting for a reader come first (``emit_fuse``)
            self.flush()
        self.out.append("    " * ind + line)

    def kernel_loop(self, ind: int) -> None:
        r = self.r
        self.emit("while True:", ind)
        self.ctx.append(("once", r.test))
        self.block(r.header, r.test, ind + 1)
        self.ctx.pop()
        self.emit("break", ind + 1)
        back = r.at(r.backedge)
        if self.backend == "python" and back.kind == "fornext" and r.test == r.backedge and not self.limited:
            # CPython runs `for` over the VM's own iterator much faster than next() calls;
            # the iterator advances exactly as the VM's FORNEXT would
            self.emit(f"for {self.dvar(back)} in {self.var(back.srcs[0], back.pc)}:", ind, back.pc)
            self.ctx.append(("loop", r.test, r.exit))
            for line in self.step(back)[1:]:
                self.emit(line, ind + 1, back.pc)
            self.block(r.header, r.test, ind + 1)
            self.ctx.pop()
            self.emit(self.exit_stmt(r.exit, self.t.states[back.pc]), ind)
            return
        ind = self.counted_loop(r.header, r.test, r.backedge, ind, own=True)  # ``emit_loops``
        self.emit("while True:", ind)
        self.ctx.append(("loop", r.test, r.exit))
        self.rotated(r.header, r.test, r.backedge, ind + 1)
        self.ctx.pop()

    def rotated(self, body: int, test: int, backedge: int, ind: int) -> None:
        self.block(test, backedge, ind)
        ins = self.r.at(backedge)
        if self.limited:  # BUDGET: no step left for this back-edge: the VM takes it (and charges it)
            self.emit("if _st[0] <= 0:", ind, backedge)
            self.emit("    " + self.deopt(ins), ind, backedge)
        self.emit(f"if not ({self.test(ins)}):", ind, backedge)
        self.transfer(ins, backedge + 1, ind + 1, taken=False)
        if self.limited:
            self.emit("_st[0] -= 1", ind, backedge)
        for line in self.step(ins):
            self.emit(line, ind, backedge)
        self.block(body, test, ind)

    def block(self, lo: int, hi: int, ind: int) -> None:
        pc = lo
        start = len(self.out)
        for line in self.iteration_guards(lo):  # ``lo`` may start a loop iteration
            self.emit(line, ind, lo)
        while pc < hi:
            ins = self.r.at(pc)
            if pc not in self.t.states:
                pc += 1  # unreachable (e.g. after a `brk`): nothing to run
                continue
            inner = self.r.inner.get(ins.target) if ins.kind in ("jump", "rangeprep", "forprep") else None
            if inner is not None and inner[0] == pc + 1:
                body, test, back = inner
                for line in self.prep(ins):
                    self.emit(line, ind, pc)
                bins = self.r.at(back)
                if self.backend == "python" and bins.kind == "fornext" and test == back and not self.limited:
                    # as in ``kernel_body``: CPython's `for` over the VM's own iterator
                    self.emit(f"for {self.dvar(bins)} in {self.var(bins.srcs[0], bins.pc)}:", ind, back)
                    self.ctx.append(("loop", test, back + 1))
                    for line in self.step(bins)[1:]:
                        self.emit(line, ind + 1, back)
                    self.block(body, test, ind + 1)
                    self.ctx.pop()
                    pc = back + 1
                    continue
                at = self.counted_loop(body, test, back, ind, own=False)
                self.emit("while True:", at)
                self.ctx.append(("loop", test, back + 1))
                self.rotated(body, test, back, at + 1)
                self.ctx.pop()
                pc = back + 1
                continue
            if ins.kind in ("branch", "cjump"):
                pc = self.branch(ins, hi, ind)
                continue
            if ins.kind == "jump":
                if not (ins.target == hi and pc == hi - 1):
                    self.transfer(ins, ins.target, ind)
                pc += 1
                continue
            if ins.kind == "ret":
                self.emit(self.deopt(ins), ind)
                pc += 1
                continue
            if ins.target is not None:
                raise FallbackReason(f"pc {pc}: {ins.name} outside a loop shape the JIT knows")
            run = self.append_run(ins, hi)  # appends to one text as one (``emit_fuse``)
            if run is not None:
                pc = self.emit_append_run(ins, run, ind)
                continue
            default = mget_default(self.t, ins, hi) if self.backend == "python" else None
            if default is not None:
                self.instruction(ins, ind, self.mget_or(ins, default))
                pc += 3  # ``c=mget m k;c=c??d`` as one ``get``
                continue
            self.instruction(ins, ind)
            pc += 1
        self.flush()
        if len(self.out) == start:
            self.emit("pass", ind)

    def branch(self, ins, hi: int, ind: int) -> int:
        t = ins.target
        cond = self.test(ins)
        if ins.pc < t <= hi:
            last = self.r.at(t - 1)
            self.emit(f"if not ({cond}):", ind, ins.pc)
            if t - 1 > ins.pc and last.kind == "jump" and t < last.target <= hi:
                self.block(ins.pc + 1, t - 1, ind + 1)
                self.emit("else:", ind)
                self.block(t, last.target, ind + 1)
                return last.target
            self.block(ins.pc + 1, t, ind + 1)
            return t
        self.emit(f"if {cond}:", ind, ins.pc)
        self.transfer(ins, t, ind + 1)
        return ins.pc + 1

    def transfer(self, ins, target: int, ind: int, taken: bool = True) -> None:
        """A jump from ``ins`` to ``target`` as structured control flow."""
        if not self.r.contains(target):
            state = self.t.states[ins.pc]
            self.emit(self.exit_stmt(target, state), ind)
            return
        ctx = self.ctx[-1]
        if ctx[0] == "once" and target == ctx[1]:
            self.emit("break", ind)
        elif ctx[0] == "loop" and target == ctx[1]:
            self.emit("continue", ind)
        elif ctx[0] == "loop" and target == ctx[2]:
            self.emit("break", ind)
        else:
            raise FallbackReason(f"unstructured jump from pc {ins.pc} to {target}")

    def test(self, ins) -> str:
        """The condition under which ``ins`` jumps."""
        if ins.kind == "cjump":
            a, b = (self.var(s, ins.pc) for s in ins.srcs)
            neg = ins.op.startswith("not ")
            op = ins.op[4:] if neg else ins.op
            op = {"=": "=="}.get(op, op)
            return f"{'not ' if neg else ''}({a} {op} {b})"
        if ins.kind == "rangenext":
            a, b = (self.var(s, ins.pc) for s in ins.srcs)
            return f"{a} < {b}"
        if ins.kind == "fornext":
            it = self.var(ins.srcs[0], ins.pc)
            return f"(_v := next({it}, _END)) is not _END"
        r = ins.srcs[0]
        v = self.var(r, ins.pc)
        if ins.op in ("nil", "notnil") and v.endswith("_o"):
            return f"{v}_z" if ins.op == "nil" else f"not {v}_z"
        if ins.op == "nil":
            return f"{v} is None"
        if ins.op == "notnil":
            return f"{v} is not None"
        truth = _truthy(self.t.type_at(ins.pc, r), v, self.backend)
        return truth if ins.op == "truthy" else f"not ({truth})"

    # ── instructions ───────────────────────────────────────────────────────
    def instruction(self, ins, ind: int, lines=None) -> None:
        if lines is None:
            handler = getattr(self, f"ins_{ins.kind}", None)
            if handler is None:
                raise FallbackReason(f"pc {ins.pc}: no kernel form for {ins.kind}")
            lines = handler(ins)
        if self.backend == "python" and self.fold(ins, ind, lines):
            return
        if self.backend == "python" and lines and not self._cannot_raise(ins):
            # an instruction that raises leaves the kernel before it, through an ordinary
            # exit, so the VM runs it and reports the error itself (a ``try`` costs nothing
            # in CPython 3.11+ until something raises)
            self.emit("try:", ind, ins.pc)
            for line in lines:
                self.emit(line, ind + 1, ins.pc)
            self.emit("except Exception:", ind, ins.pc)
            self.emit(self.deopt(ins), ind + 1, ins.pc)
            return
        for line in lines:
            self.emit(line, ind, ins.pc)
        if self.backend == "numba" and ins.kind != "mget":
            for d in ins.dsts:  # an optional register that now holds a number is not nil
                v = self.dvar(ins, d)
                if v.endswith("_o"):
                    if self._type_after(ins, d) == "On":  # a move of an optional number
                        self.emit(f"{v}_z = {self.var(ins.srcs[0], ins.pc)}_z", ind, ins.pc)
                    else:
                        self.emit(f"{v}_z = False", ind, ins.pc)

    def _cannot_raise(self, ins) -> bool:
        if ins.kind in _CANNOT_RAISE:
            return True
        types = {self.t.type_at(ins.pc, s) for s in ins.srcs}
        if ins.kind == "arith" and ins.op in ("+", "-", "*"):
            return types == {"n"}  # float arithmetic overflows to inf, it never raises
        return ins.kind == "cmp" and len(types) == 1 and types <= {"n", "t", "b"}

    def ins_nop(self, ins):
        return []

    def ins_call(self, ins):
        """A call to a user function's kernel (``fnkernels``), defined in the same module.
        ``_d``: the nested calls the VM's depth limit allows from this frame. A callee that
        gives up (``Deopt``) leaves the loop before the call, and the VM runs the call."""
        callee = self.t.calls[ins.pc]
        args = "".join(", " + self.var(s, ins.pc) for s in ins.srcs)
        if not self.limited:
            call = f"{self.dvar(ins)} = {callee.fname}(_d - 1{args})"
            if self.backend == "python":
                return [call]  # an exception here is mapped to this pc by the line table
            return ["try:", "    " + call, "except Exception:", "    " + self.deopt(ins)]
        # BUDGET: a callee that gives up is run again by the VM from its start, so the steps
        # it took are given back (``_sv``; the tier restores it for python kernels)
        call = f"{self.dvar(ins)} = {callee.fname}(_d - 1, _st{args})"
        if self.backend == "python":
            # ``instruction`` wraps it: an exception leaves the loop here, with the steps the
            # callee took given back first
            return ["_sv = _st[0]", "try:", "    " + call, "except Exception:", "    _st[0] = _sv", "    raise"]
        return ["_sv = _st[0]", "try:", "    " + call, "except Exception:", "    _st[0] = _sv",
                "    " + self.deopt(ins)]

    def ins_newlist(self, ins):
        items = ", ".join(self.var(s, ins.pc) for s in ins.srcs)
        if self.backend == "numba":
            return [f"{self.dvar(ins)} = np.empty(16)", f"{self.dvar(ins)}_n = 0"]
        return [f"{self.dvar(ins)} = [{items}]"]

    def ins_const(self, ins):
        return [f"{self.dvar(ins)} = {_literal(ins.value)}"]

    def ins_move(self, ins):
        src = self.var(ins.srcs[0], ins.pc)
        d = self.dvar(ins)
        lines = [f"{d} = {src}"]
        if d.endswith("_L"):
            lines.append(f"{d}_n = {src}_n")
        return lines

    def ins_arith(self, ins):
        a, b = (self.var(s, ins.pc) for s in ins.srcs)
        d = self.dvar(ins)
        ta = self.t.type_at(ins.pc, ins.srcs[0])
        # A text or list that would pass the size limit is the VM's to refuse (ILO-R018 at
        # this instruction, old value kept): the kernel leaves before allocating.
        size_guard = []
        if ins.op == "+" and ta in ("t", "Ln", "Lt", "L?") and self.backend == "python" and ins.pc not in self.unguarded:
            limit = sizes.MAX_TEXT if ta == "t" else sizes.MAX_LIST
            rhs = ins.srcs[1]
            test = (f"len({a}) > {limit - len(rhs.value)}" if isinstance(rhs, K) and isinstance(rhs.value, str)
                    else f"len({a}) + len({b}) > {limit}")
            size_guard = [f"if {test}:", "    " + self.deopt(ins)]
        if ins.op == "+" and ta in ("Ln", "Lt", "L?") and self.backend == "python":
            return size_guard + [f"{d} = {a} + {b}"]  # list concatenation always makes a new list
        if ins.op in ("/", "mod") and self.backend == "numba":
            guard = [f"if {b} == 0.0:", "    " + self.deopt(ins)]
            expr = f"{a} / {b}" if ins.op == "/" else f"math.nan if math.isinf({a}) else np.fmod({a}, {b})"
            return guard + [f"{d} = {expr}"]
        if ins.op == "mod":
            return [f"{d} = _B['mod']({a}, {b})"]
        if ins.op == "+" and ta == "t" and ins.dst == ins.srcs[0]:
            self.in_place.add(ins.dst)  # CPython grows a sole-owned local string in place
        return size_guard + [f"{d} = {a} {ins.op} {b}"]

    def ins_cmp(self, ins):
        a, b = (self.var(s, ins.pc) for s in ins.srcs)
        ta, tb = (self.t.type_at(ins.pc, s) for s in ins.srcs)
        op = {"=": "==", "!=": "!="}.get(ins.op, ins.op)
        if ins.op in ("=", "!=") and (ta != tb or ta not in ("n", "t", "b")):
            neg = "not " if ins.op == "!=" else ""
            return [f"{self.dvar(ins)} = {neg}_eq({a}, {b})"]
        return [f"{self.dvar(ins)} = {a} {op} {b}"]

    def ins_not(self, ins):
        v = self.var(ins.srcs[0], ins.pc)
        return [f"{self.dvar(ins)} = not ({_truthy(self.t.type_at(ins.pc, ins.srcs[0]), v, self.backend)})"]

    def ins_neg(self, ins):
        return [f"{self.dvar(ins)} = -{self.var(ins.srcs[0], ins.pc)}"]

    def ins_len(self, ins):
        v = self.var(ins.srcs[0], ins.pc)
        if self.backend == "numba" and v.endswith("_D"):
            return [f"{self.dvar(ins)} = float(len({v}))"]
        if self.backend == "numba":
            return [f"{self.dvar(ins)} = float({v}_n)"]
        return [f"{self.dvar(ins)} = _B['len']({v})"]

    def ins_index(self, ins):
        lst, i = (self.var(s, ins.pc) for s in ins.srcs)
        d = self.dvar(ins)
        n = f"{lst}_n" if self.backend == "numba" else f"len({lst})"
        want = "float" if self.t.type_at(ins.pc, ins.srcs[0]) == "Ln" else "str"
        lines = [f"if not (0.0 <= {i} < {n} and {i} == int({i})):", "    " + self.deopt(ins),
                 f"{d} = {lst}[int({i})]"]
        if self.backend == "python":
            lines += [f"if type({d}) is not {want}:", "    " + self.deopt(ins)]
        return lines

    def ins_listappend(self, ins):
        lst, item = (self.var(s, ins.pc) for s in ins.srcs)
        d = self.dvar(ins)
        same = ins.dst == ins.srcs[0]
        if self.backend == "python":
            if same:
                self.in_place.add(ins.dst)
                if self.aliasing:
                    # OWNERSHIP: the loop copies containers between registers: test each time
                    return [f"if _rc({lst}) == _SOLE:", f"    {lst}.append({item})",
                            "else:", f"    {lst} = {lst} + [{item}]"]
                return [f"{lst}.append({item})"]  # OWNERSHIP: sole-owned on entry (boundary.take)
            return [f"{d} = {lst} + [{item}]"]
        if same:
            self.in_place.add(ins.dst)
            return [f"if {lst}_n == {lst}.shape[0]:",
                    f"    _g = np.empty({lst}_n * 2 + 16)",
                    f"    _g[:{lst}_n] = {lst}[:{lst}_n]",
                    f"    {lst} = _g",
                    f"{lst}[{lst}_n] = {item}",
                    f"{lst}_n += 1"]
        return [f"_g = np.empty({lst}_n * 2 + 16)",
                f"_g[:{lst}_n] = {lst}[:{lst}_n]",
                f"_g[{lst}_n] = {item}",
                f"{d}_n = {lst}_n + 1",
                f"{d} = _g"]

    def ins_builtin(self, ins):
        """Render the registry's kernel form for this call (see ``registry.KernelForm``)."""
        from ilo.jit.infer import builtin_form

        plain = self.whole_str(ins) if self.backend == "python" else None
        if plain:
            return plain
        form = builtin_form(self.t, ins)
        args = [self.var(s, ins.pc) for s in ins.srcs]
        d = self.dvar(ins)
        template = form.numba if self.backend == "numba" else form.python
        if template is None:
            if self.backend == "numba":
                raise FallbackReason(f"builtin {ins.op} has no numba form")
            return [f"{d} = _B[{ins.op!r}]({', '.join(args)})"]
        fields = {"d": d, "tmp": f"_t{ins.pc}_", "exit": self.deopt(ins)}
        for i, a in enumerate(args):
            fields[f"a{i}"] = a
            fields[f"n{i}"] = f"{a}_n" if self.backend == "numba" else f"len({a})"
        return [line.format(**fields) for line in template]


PRELUDE_NUMBA = ["import math", "", "import numpy as np"]
PRELUDE_MAPS = ["from numba import types as _nt", "from numba.typed import Dict as _Dict"]
PRELUDE_PYTHON = ["import math", "", "from ilo.jit.pyhelpers import END as _END", "from ilo.jit.pyhelpers import BUILTINS as _B", "from ilo.jit.pyhelpers import SOLE as _SOLE",
                  "from ilo.jit.pyhelpers import all_text as _alltext",
                  "from ilo.jit.pyhelpers import refcount as _rc", "from ilo.jit.pyhelpers import values_equal as _eq",
                  "from ilo.runtime.values import Record as _Record"]


# a numba variable's value before the kernel writes it, by suffix (a list length ``_L_n``: 0)
_INITIAL = {"n": "0.0", "L": "np.empty(16)", "b": "False", "z": "True", "D": _NEW_DICT, "o": "0.0"}


def generate(typed: TypedRegion, backend: str | None = None, limited: bool = False) -> KernelCode:
    """``limited``: the kernel charges a step budget (see ``_Emitter``); its countdown is
    the last argument (python: the last item of the argument list)."""
    backend = backend or typed.backend
    e = _Emitter(typed, backend, limited)
    region = typed.region
    args = []
    for r in sorted(set(region.reads) | set(region.writes)):
        t = typed.entry[r]
        if backend == "python":
            args.append((r, f"r{r}"))
        elif t in _NUM_VAR:
            args.append((r, e.nvar(r, t)))
    e.kernel_body(1)
    params = []
    for _, v in args:
        params.append(v)
        params += _companions(v)
    calls = bool(typed.calls)
    if calls and backend == "numba":
        params.append("_d")
    if limited:
        params.append("_st")
    doc = f'    """{region.function} loop at pc {region.header}: {backend} kernel."""'
    if backend == "numba":
        maps = any(v.endswith("_D") for v in e.slot_vars)
        head = PRELUDE_NUMBA + (PRELUDE_MAPS if maps else []) + ["", "", f"def kernel({', '.join(params)}):", doc]
    else:
        # one list argument, emptied at once: the kernel's locals are then the only
        # references the caller handed over, so refcount tests inside stay exact
        head = PRELUDE_PYTHON + ["", "", "def kernel(_a):", doc,
                                 f"    {', '.join(params)}, = _a" if params else "    pass", "    _a.clear()"]
        if calls:
            head[:0] = ["from ilo.vm.machine import DEPTH as _DEPTH"]
            head.append("    _d = _DEPTH[1] - _DEPTH[0]")
    inits = []
    if backend == "numba":
        passed = set(params)
        for v in e.slot_vars:
            if v not in passed:
                inits.append(f"    {v} = " + ("0" if v.endswith("_L_n") else _INITIAL[v.rpartition("_")[2]]))
    text_lines = head + inits
    tail = []
    if calls:  # the called functions' kernels, after the loop kernel (written by their typer)
        tail = typed.typer.member_source(typed.members, backend, limited)
    source = "\n".join(text_lines + e.out + tail) + "\n"
    reassigned = {d for ins in region.code for d in ins.dsts
                  if not (ins.kind in ("listappend", "mset") and ins.dst == ins.srcs[0])}
    return KernelCode(source, backend, args, e.slot_vars, e.exits, e.in_place, reassigned, calls, limited)
