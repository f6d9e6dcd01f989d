"""The one place that knows the VM's instruction encoding: ``Chunk`` → list of ``Ins``.

In: a ``Chunk`` (``ilo.vm.chunk``) whose instructions are ``(op, a, b, c)`` tuples numbered
by ``ilo.vm.opcodes``. Out: normalised ``Ins`` (see ``regions.py``), one per pc. Opcodes
and builtins this table does not know decode to kind ``opaque``; a loop containing one
stays on the VM, with the opcode (or builtin) named in the fallback reason. Which builtin
calls decode to kernel instructions comes from the builtin registry's kernel forms.
"""

from __future__ import annotations

from ilo.jit import state
from ilo.jit.regions import Ins, K
from ilo.runtime.builtins import registry
from ilo.vm import opcodes


def decode(chunk) -> list:
    """Normalise every instruction of ``chunk`` (kept in the JIT's side table, ``state``)."""
    st = state.of(chunk)
    cached = st.ins
    if cached is None:
        cached = st.ins = [_one(chunk, pc, ins) for pc, ins in enumerate(chunk.code)]
    return cached


def _one(chunk, pc: int, ins: tuple) -> Ins:
    """One instruction, decoded from its opcode's ``family``/``operator``/``operand_types``
    fields (``ilo.vm.opcodes``), never from its name."""
    op, a, b, c = ins
    info = opcodes.OPCODES[op]
    fam, name, K_ = info.family, info.name, chunk.constants
    if not info.jit_ok:
        return Ins(pc, "opaque", name=name)
    if fam == "nop":
        return Ins(pc, "nop", name=name)
    if fam == "const":
        v = K_[b] if info.operands[1] == "k" else None
        if isinstance(v, (float, str, bool)) or v is None:
            return Ins(pc, "const", a, value=v, name=name)
    elif fam == "move":
        return Ins(pc, "move", a, (b,), name=name)
    elif fam == "arithk":
        return Ins(pc, "arith", a, (b, K(K_[c])), info.operator, name=name)
    elif fam == "arith":
        return Ins(pc, "arith", a, (b, c), info.operator, name=name)
    elif fam in ("neg", "not"):
        return Ins(pc, fam, a, (b,), name=name)
    elif fam == "compare":
        return Ins(pc, "cmp", a, (b, c), info.operator, name=name)
    elif fam == "jump":
        return Ins(pc, "jump", target=a, name=name)
    elif fam == "branch":
        return Ins(pc, "branch", None, (a,), info.operator, target=b, name=name)
    elif fam == "cjump":
        rhs = K(K_[b]) if info.operand_types == "NK" else b
        return Ins(pc, "cjump", None, (a, rhs), ("not " if info.negated else "") + info.operator, target=c, name=name)
    elif name == "RANGEPREP":
        return Ins(pc, "rangeprep", a, tuple(b), target=c, dst2=a + 1, name=name)
    elif name == "RANGENEXT":
        return Ins(pc, "rangenext", a, (b, b + 1), target=c, dst2=b, name=name)
    elif name == "FORPREP":
        return Ins(pc, "forprep", a, (b,), target=c, name=name)
    elif name == "FORNEXT":
        return Ins(pc, "fornext", a, (b,), target=c, name=name)
    elif fam == "ret":
        return Ins(pc, "ret", None, (a,), name=name)
    elif fam == "newlist":
        return Ins(pc, "newlist", a, tuple(c), name=name)
    elif fam == "listappend":
        return Ins(pc, "listappend", a, (b, c), name=name)
    elif fam == "index":
        return Ins(pc, "index", a, (b, K(float(c))), name=name)
    elif fam == "mset":
        return Ins(pc, "mset", a, (b, *c), name=name)
    elif fam == "builtin":
        bname = K_[b]
        # the registry's kernel forms say which calls a kernel can run, and as what kind
        kind = registry.kernel_ops().get(bname)
        if kind is not None:
            return Ins(pc, kind, a, tuple(c), bname, name=name)
        return Ins(pc, "opaque", a, tuple(c), name=f"builtin {bname}")
    # calls and records: ``fnkernels.decode`` turns these into its own kinds
    return Ins(pc, "opaque", name=name)
