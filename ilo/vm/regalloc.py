"""Registers of one function being compiled: named variables in nested scopes, and temps.

In: the compiler's requests (define a name, look one up, take or release a temp). Out:
register numbers, and the high-water mark that becomes ``Chunk.nregs``.

Scopes mirror the tree interpreter's environments exactly (``ilo.interp.frames``): the
function scope holds the parameters; guard bodies, match arms and each ``@`` iteration open a
scope; ``wh`` bodies do not. ``x=v`` rebinds ``x`` in the innermost scope that has it, else
creates it in the current scope. A name's register is freed when its scope closes, so the
same register may later serve another name; the compiler never relies on a dead register's
contents.
"""

from __future__ import annotations


class Registers:
    def __init__(self, params: list[str]):
        self.scopes: list[dict[str, int]] = [{name: i for i, name in enumerate(params)}]
        self.free: list[int] = []
        self.nregs = len(params)
        self.names: dict[int, str] = {i: name for i, name in enumerate(params)}
        self.var_regs: set[int] = set(range(len(params)))

    # ── temps ────────────────────────────────────────────────────────────
    def alloc(self) -> int:
        if self.free:
            # lowest free register first keeps frames small and listings readable
            self.free.sort(reverse=True)
            return self.free.pop()
        r = self.nregs
        self.nregs += 1
        return r

    def alloc_pair(self) -> int:
        """Two consecutive fresh registers (range loops keep counter and end side by side)."""
        r = self.nregs
        self.nregs += 2
        return r

    def release(self, reg: int | None) -> None:
        if reg is not None and reg not in self.var_regs and reg not in self.free and reg < self.nregs:
            self.free.append(reg)

    def is_var(self, reg: int) -> bool:
        return reg in self.var_regs

    # ── names ────────────────────────────────────────────────────────────
    def lookup(self, name: str) -> int | None:
        for scope in reversed(self.scopes):
            reg = scope.get(name)
            if reg is not None:
                return reg
        return None

    def define(self, name: str, reg: int | None = None) -> int:
        """A fresh binding of ``name`` in the innermost scope (loop variables, patterns, new lets)."""
        if reg is None:
            reg = self.alloc()
        self.scopes[-1][name] = reg
        self.var_regs.add(reg)
        self.names.setdefault(reg, name)
        return reg

    def push(self) -> None:
        self.scopes.append({})

    def pop(self) -> None:
        scope = self.scopes.pop()
        for reg in scope.values():
            self.var_regs.discard(reg)
            self.release(reg)
