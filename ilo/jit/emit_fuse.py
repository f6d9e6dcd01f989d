"""Scratch registers folded into the one instruction that reads them (python kernels).

The VM passes every intermediate value through a register: ``c=mget m w;c=c??0;d=+c 1;
m=mset m w d`` is four instructions and three scratch registers. A python kernel written
the same way stores and reloads each of them, which costs CPython about as much as the
dict operations themselves. When a register is written by one quiet instruction (it cannot
raise and has no effect but its value) and read by exactly one later instruction of the
same straight-line run, the kernel writes the value's expression into that reader instead:
``r2[r4] = ((r2.get(r4, 0.0)) + (1.0))``.

Exactness: the register then keeps its old value, which is correct only where nobody will
read it: the VM reads it at no exit of the loop (``Region.dead_at_exits``: liveness over
the whole chunk; a function kernel re-runs its whole call, so it has no such exit), the
region reads it nowhere but at the reader, nothing jumps between the writer and the reader,
and an exit inside that stretch can only be the reader's own, which is sent back to the
first folded instruction (the VM re-runs the quiet ones, then the reader reports its error
itself). Only numbers, text and bools are folded: containers keep their registers (their
reference counts decide in-place updates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ilo.jit.emit_vars import mget_default
from ilo.jit.regions import K

_CONTROL = frozenset({"branch", "cjump", "jump", "ret", "rangenext", "fornext", "rangeprep", "forprep", "call"})
_QUIET = frozenset({"const", "move", "arith", "cmp", "not", "neg"})
_EXIT = re.compile(r"\breturn \(|\braise\b")
_LITERAL = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_REGISTER = re.compile(r"\br\d+\b")


@dataclass
class _Pending:
    reg: int
    expr: str
    first: int  # the pc the VM re-runs from if the reader fails
    ind: int


def fusible_temps(typed, dead) -> dict:
    """register -> (writer pc, reader pc) for the registers that may be folded (see above)."""
    region = typed.region
    covered = set()  # ``c=c??d`` folded into an ``mget`` (``mget_default``)
    for pc in typed.states:
        ins = region.at(pc)
        if ins.kind == "mget" and mget_default(typed, ins, region.backedge + 1) is not None:
            covered.update((pc + 1, pc + 2))
    writers: dict = {}
    readers: dict = {}
    for ins in region.code:
        if ins.pc in covered:
            continue
        for d in ins.dsts:
            writers.setdefault(d, []).append(ins.pc)
        for s in ins.reads:
            readers.setdefault(s, []).append(ins.pc)
    targets = {ins.target for ins in region.code if ins.target is not None and ins.pc not in covered}
    out = {}
    for r, ws in writers.items():
        rs = readers.get(r, ())
        if len(ws) != 1 or len(rs) != 1 or r not in dead:
            continue
        a, b = ws[0], rs[0]
        if a < b and region.at(b).kind not in _CONTROL and not any(a < x <= b for x in targets):
            out[r] = (a, b)
    return out


class FusedTemps:
    """The folding as ``emit._Emitter`` does it (a mixin): ``fold`` is asked by
    ``instruction``, ``flush`` by ``emit`` and at the end of each block."""

    whole_call_exits = False  # function kernels (``fnkernels``): every exit re-runs the call
    fusible: dict = {}
    pending: list = []

    def fusion_facts(self) -> None:
        self.pending = []
        dead = self.r.dead_at_exits
        if dead is None and self.whole_call_exits:
            dead = frozenset(r for ins in self.r.code for r in (*ins.reads, *ins.dsts))
        self.fusible = fusible_temps(self.t, dead) if dead and self.backend == "python" else {}

    def flush(self) -> None:
        """Write the values still waiting for their reader (control flow or an instruction
        that cannot take them comes first)."""
        waiting, self.pending = self.pending, []
        for p in waiting:
            self.emit(f"r{p.reg} = {p.expr}", p.ind)

    def fold(self, ins, ind: int, lines: list) -> bool:
        """Handle ``ins`` (rendered as ``lines``) when values wait for it or it can wait
        itself; False: ``instruction`` emits it as usual."""
        if not self.pending and ins.dst not in self.fusible:
            return False
        taken = [p for p in self.pending if p.reg in ins.reads]
        first = None
        if taken:
            text = "\n".join(lines)
            bare = _LITERAL.sub("''", text)  # a register's name inside a text constant is text
            if ins.kind in _CONTROL or _EXIT.search(bare) or any(
                    len(re.findall(rf"\br{p.reg}\b", t)) != 1 for p in taken for t in (text, bare)):
                self.flush()
                return False
            exprs = {f"r{p.reg}": f"({p.expr})" for p in taken}
            # one pass: a substituted expression is not searched again
            lines = [_REGISTER.sub(lambda m: exprs.get(m.group(0), m.group(0)), line) for line in lines]
            first = min(p.first for p in taken)
            self.pending = [p for p in self.pending if p not in taken]
        if self._waits(ins, lines):
            head = f"r{ins.dst} = "
            self.pending.append(_Pending(ins.dst, lines[0][len(head):], ins.pc if first is None else first, ind))
            return True
        if first is None:
            self.flush()
            return False
        self.flush()  # the values nobody here reads, in their order
        if self._cannot_raise(ins):
            for line in lines:
                self.emit(line, ind, ins.pc)
        else:
            self.emit("try:", ind, ins.pc)
            for line in lines:
                self.emit(line, ind + 1, ins.pc)
            self.emit("except Exception:", ind, ins.pc)
            self.emit(self.exit_stmt(first, self.t.states[first]), ind + 1, ins.pc)
        return True

    def _waits(self, ins, lines: list) -> bool:
        """Can ``ins`` wait for its reader: a foldable register, written by one quiet line?"""
        got = self.fusible.get(ins.dst)
        if got is None or got[0] != ins.pc or len(lines) != 1 or not lines[0].startswith(f"r{ins.dst} = "):
            return False
        if self._type_after(ins) not in ("n", "t", "b", "On"):
            return False
        if ins.kind in _QUIET:
            return self._cannot_raise(ins)
        if ins.kind == "mget":  # ``m.get(k)`` of a text key cannot raise
            m, k = ins.srcs
            text_key = type(k.value) is str if isinstance(k, K) else self.t.type_at(ins.pc, k) == "t"
            return text_key and isinstance(m, int) and self.t.type_at(ins.pc, m) in ("Mn", "M?")
        return False


# ── appends to one text, fused ───────────────────────────────────────────────────────
# ``s=+s "item-";v=str i;s=+s v;s=+s ", "`` grows the text three times per iteration. When
# every append of such a run is covered by a size check of the whole iteration (or trip
# count: ``emit_vars.hoisted_text_guards``), none can fail but by running out of memory, so
# the run is one append of an f-string: ``r2 = r2 + f'item-{r4}, '`` (CPython still grows
# the sole-owned text in place). What runs between the appends must be quiet and touch
# neither the text nor what an earlier append of the run reads (a ``str`` of a counter or
# whole number, a constant, a move): it runs first. Should the append fail after all, the
# VM resumes at the run's first append and re-runs those instructions itself.


def _fstring_text(v: str) -> str:
    """``v`` as the body of a single-quoted f-string."""
    out = []
    for c in v:
        if c in "\\'":
            out.append("\\" + c)
        elif c in "{}":
            out.append(c * 2)
        elif c.isprintable():
            out.append(c)
        else:
            out.append(f"\\U{ord(c):08x}")
    return "".join(out)


class AppendRuns:
    """The fused form of a run of text appends (a mixin of ``emit._Emitter``)."""

    def _text_append(self, ins, r=None) -> bool:
        if not (ins.kind == "arith" and ins.op == "+" and ins.dst == ins.srcs[0] and ins.pc in self.unguarded):
            return False
        if (r is not None and ins.dst != r) or self.t.type_at(ins.pc, ins.dst) != "t":
            return False
        x = ins.srcs[1]
        return type(x.value) is str if isinstance(x, K) else x != ins.dst and self.t.type_at(ins.pc, x) == "t"

    def append_run(self, ins, hi: int):
        """(last pc, [(pc, quiet lines)], [operands]) of a run of two or more appends to the
        text ``ins`` appends to, inside a block ending at ``hi``; else None."""
        if self.backend != "python" or not self._text_append(ins):
            return None
        region, r = self.r, ins.dst
        quiet, parts, read, last = [], [ins.srcs[1]], {ins.srcs[1]}, ins.pc
        pc = ins.pc + 1
        while pc < hi and pc in self.t.states:
            nxt = region.at(pc)
            if self._text_append(nxt, r):
                parts.append(nxt.srcs[1])
                read.add(nxt.srcs[1])
                last = pc
            else:
                lines = self._quiet_lines(nxt)
                if lines is None or r in nxt.reads or r in nxt.dsts or read & set(nxt.dsts):
                    break
                quiet.append((pc, lines))
            pc += 1
        if len(parts) < 2 or any(ins.pc < other.target <= last for other in region.code if other.target is not None):
            return None
        return last, [q for q in quiet if q[0] < last], parts

    def _quiet_lines(self, ins):
        """The lines of an instruction that cannot fail and only writes its register, or None."""
        if ins.kind in ("const", "move") and self._type_after(ins) in ("n", "t", "b"):
            return getattr(self, f"ins_{ins.kind}")(ins)
        if ins.kind == "builtin" and ins.op == "str":
            return self.counter_str(ins) or self.whole_str(ins) or None
        return None

    def emit_append_run(self, ins, run, ind: int) -> int:
        """Emit the run found by ``append_run``; returns the pc after it."""
        last, quiet, parts = run
        for pc, lines in quiet:
            for line in lines:
                self.emit(line, ind, pc)
        body = "".join(_fstring_text(p.value) if isinstance(p, K) else "{" + self.var(p, ins.pc) + "}" for p in parts)
        r = self.var(ins.dst, ins.pc)
        self.in_place.add(ins.dst)  # CPython grows a sole-owned local text in place
        self.emit("try:", ind, ins.pc)
        self.emit(f"    {r} = {r} + f'{body}'", ind, ins.pc)
        self.emit("except Exception:", ind, ins.pc)
        self.emit("    " + self.deopt(ins), ind, ins.pc)
        return last + 1
