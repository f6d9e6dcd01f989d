"""The one place that knows the VM's instruction encoding: ``Chunk`` → list of ``Ins``.

In: a ``Chunk`` (``ilo.vm.chunk``) whose instructions are ``(op, a, b, c)`` tuples numbered
by ``ilo.vm.opcodes``. Out: normalised ``Ins`` (see ``regions.py``), one per pc. Opcodes
and builtins this table does not know decode to kind ``opaque``; a loop containing one
stays on the VM, with the opcode (or builtin) named in the fallback reason. Which builtin
calls decode to kernel instructions comes from the builtin registry's kernel forms.
"""

from __future__ import annotations

from ilo.jit.regions import Ins, K
from ilo.runtime.builtins import registry
from ilo.vm import opcodes

_ARITH = {"ADD": "+", "SUB": "-", "MUL": "*", "DIV": "/"}
_CMP = {"EQ": "=", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
_BRANCH = {"JMPF": "falsy", "JMPT": "truthy", "JMPNIL": "nil", "JMPNN": "notnil"}


def decode(chunk) -> list:
    """Normalise every instruction of ``chunk`` (cached on the chunk's ``decoded`` dict)."""
    cached = chunk.decoded.get("jit")
    if cached is None:
        cached = chunk.decoded["jit"] = [_one(chunk, pc, ins) for pc, ins in enumerate(chunk.code)]
    return cached


def _one(chunk, pc: int, ins: tuple) -> Ins:
    op, a, b, c = ins
    name = opcodes.name_of(op)
    K_ = chunk.constants
    base = name.split("_")[0]
    if name == "NOP":
        return Ins(pc, "nop", name=name)
    if name == "LOADK":
        v = K_[b]
        if isinstance(v, (float, str, bool)) or v is None:
            return Ins(pc, "const", a, value=v, name=name)
    elif name == "LOADNIL":
        return Ins(pc, "const", a, value=None, name=name)
    elif name == "MOVE":
        return Ins(pc, "move", a, (b,), name=name)
    elif base in ("ADDK", "SUBK", "MULK", "DIVK"):
        return Ins(pc, "arith", a, (b, K(K_[c])), _ARITH[base[:-1]], name=name)
    elif base in _ARITH:
        return Ins(pc, "arith", a, (b, c), _ARITH[base], name=name)
    elif name in ("NEG", "NOT"):
        return Ins(pc, name.lower(), a, (b,), name=name)
    elif base in _CMP:
        return Ins(pc, "cmp", a, (b, c), _CMP[base], name=name)
    elif name == "JMP":
        return Ins(pc, "jump", target=a, name=name)
    elif name in _BRANCH:
        return Ins(pc, "branch", None, (a,), _BRANCH[name], target=b, name=name)
    elif name.startswith("J") and (name.endswith("_NN") or name.endswith("_NK")):
        neg = name.startswith("JN") and name[2:4] in _CMP
        cmp = _CMP[name[2:4] if neg else name[1:3]]
        rhs = K(K_[b]) if name.endswith("_NK") else b
        return Ins(pc, "cjump", None, (a, rhs), ("not " if neg else "") + cmp, target=c, name=name)
    elif name == "RANGEPREP":
        return Ins(pc, "rangeprep", a, tuple(b), target=c, dst2=a + 1, name=name)
    elif name == "RANGENEXT":
        return Ins(pc, "rangenext", a, (b, b + 1), target=c, dst2=b, name=name)
    elif name == "FORPREP":
        return Ins(pc, "forprep", a, (b,), target=c, name=name)
    elif name == "FORNEXT":
        return Ins(pc, "fornext", a, (b,), target=c, name=name)
    elif name == "RET":
        return Ins(pc, "ret", None, (a,), name=name)
    elif name == "NEWLIST":
        return Ins(pc, "newlist", a, tuple(c), name=name)
    elif name == "LISTAPPEND":
        return Ins(pc, "listappend", a, (b, c), name=name)
    elif name == "INDEX":
        return Ins(pc, "index", a, (b, K(float(c))), name=name)
    elif name == "MSET":
        return Ins(pc, "mset", a, (b, *c), name=name)
    elif name == "CALL_BUILTIN":
        bname = K_[b]
        # the registry's kernel forms say which calls a kernel can run, and as what kind
        kind = registry.kernel_ops().get(bname)
        if kind is not None:
            return Ins(pc, kind, a, tuple(c), bname, name=name)
        return Ins(pc, "opaque", a, tuple(c), name=f"builtin {bname}")
    return Ins(pc, "opaque", name=name)
