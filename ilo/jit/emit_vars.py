"""Small facts the kernel emitter (``emit.py``) reads: how a type letter tests truthy, how a
constant is written, which numba variables travel together, which registers are optional
numbers, and which instructions can neither raise nor alias a container."""

from __future__ import annotations

from ilo.jit.infer import TypedRegion


def _aliases_containers(typed: TypedRegion) -> bool:
    """True if the loop may put one container in two places (a move, or storing it as a value)."""
    for ins in typed.region.code:
        if ins.pc not in typed.states:
            continue
        held = [s for s in ins.srcs if isinstance(s, int)]
        if ins.kind in ("listappend", "mset"):
            held = held[-1:]
        elif ins.kind != "move":
            continue
        if any(typed.type_at(ins.pc, r)[0] in "LM" for r in held):
            return True
    return False


# instructions whose python form cannot raise (no call, no operator on unknown values)
_CANNOT_RAISE = frozenset({"nop", "const", "move", "newmap", "newlist", "not", "mhas", "index"})


def _optional_registers(typed: TypedRegion) -> set:
    """Registers that hold an optional number (``On``) somewhere in the region."""
    return {r for state in typed.states.values() for r, (t, _w) in state.items() if t == "On"}


def _companions(var: str) -> list:
    """The numba variables travelling with ``var``: a list's length, an optional's nil flag."""
    if var.endswith("_L"):
        return [var + "_n"]
    if var.endswith("_o"):
        return [var + "_z"]
    return []


def _truthy(t: str, v: str, backend: str) -> str:
    if backend == "numba" and v.endswith("_o"):
        return f"(not {v}_z and {v} != 0.0)"
    if t in ("Ln", "L?", "Lt", "La"):
        return f"{v}_n > 0" if backend == "numba" else f"len({v}) > 0"
    return {
        "n": f"{v} != 0.0", "b": f"{v}", "t": f"len({v}) > 0",
        "On": f"({v} is not None and {v} != 0.0)", "nil": "False",
    }.get(t, "True")


def _literal(v) -> str:
    if isinstance(v, float):
        if v != v:
            return "math.nan"
        if v in (float("inf"), float("-inf")):
            return "math.inf" if v > 0 else "-math.inf"
    return repr(v)
