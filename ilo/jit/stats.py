"""What the JIT did during one run: loops compiled, their types and choices, and fallbacks.

In: events recorded by ``tier.py``. Out: ``JitStats.report()`` — the text ``ilo --jit-stats``
prints — and plain attributes tests can assert on (``compiled``, ``fallbacks``, ``entries``).
"""

from __future__ import annotations


class LoopStats:
    """One loop (a chunk's loop header) that the tier looked at."""

    __slots__ = ("function", "header", "backend", "types", "choices", "entries", "deopts",
                 "compile_seconds", "origin", "fallback", "estimate", "seconds", "trips", "alternative_entries")

    def __init__(self, function: str, header: int):
        self.function = function
        self.header = header
        self.backend = None  # "numba" or "python" once compiled
        self.types: dict = {}  # register name -> type text
        self.choices: list[str] = []  # e.g. "MSET r3 in place", "LISTAPPEND r2 -> r5 copy"
        self.entries = 0  # kernel runs
        self.deopts = 0  # kernel runs that handed an instruction back to the VM mid-loop
        self.compile_seconds = 0.0
        self.origin = None  # "compiled", "cache" (numba on-disk cache), "native" (ilo.jit.native) or "python"
        self.fallback = None  # reason the loop stays on the VM
        self.estimate = None  # the cost model's seconds per iteration for the chosen backend
        self.seconds = 0.0  # measured inside the kernel, over entries whose trip count was known
        self.trips = 0.0  # iterations those entries had ahead at entry
        self.alternative_entries = 0  # numba map kernels: entries run on the python kernel instead

    @property
    def label(self) -> str:
        return f"{self.function}@{self.header}"


class JitStats:
    def __init__(self):
        self.loops: dict = {}  # (function, header) -> LoopStats
        self.calls = None  # the hook's ``calls.Calls`` (function kernels), set when read

    @property
    def functions(self) -> list:
        """Function kernels entered in this call (``calls.FnKernel``; ``entries`` counts
        every entry since the kernel was built)."""
        return self.calls.ran() if self.calls is not None else []

    def loop(self, function: str, header: int) -> LoopStats:
        key = (function, header)
        found = self.loops.get(key)
        if found is None:
            found = self.loops[key] = LoopStats(function, header)
        return found

    @property
    def compiled(self) -> list[LoopStats]:
        return [s for s in self.loops.values() if s.backend is not None]

    @property
    def fallbacks(self) -> list[LoopStats]:
        return [s for s in self.loops.values() if s.fallback is not None]

    @property
    def entries(self) -> int:
        return sum(s.entries for s in self.loops.values())

    def ran(self, backend: str | None = None) -> bool:
        """True if some kernel (of ``backend``, if given) actually ran."""
        return any(s.entries > 0 and (backend is None or s.backend == backend)
                   for s in [*self.loops.values(), *self.functions])

    def report(self) -> str:
        fn_lines = self.calls.report() if self.calls is not None else []
        if not self.loops and not fn_lines:
            return "jit: no loop or function got hot enough to compile"
        lines = [f"jit: {len(self.compiled)} loop(s) compiled, {len(self.fallbacks)} left on the VM; "
                 f"{len(self.functions)} function(s) compiled"]
        lines += fn_lines
        for s in self.loops.values():
            if s.backend is not None:
                types = ", ".join(f"{k}:{v}" for k, v in s.types.items()) or "-"
                lines.append(
                    f"  compiled {s.label} [{s.backend}, {s.origin}, {s.compile_seconds * 1000:.1f} ms] "
                    f"entries={s.entries} deopts={s.deopts} types: {types}"
                )
                if s.alternative_entries:
                    lines.append(f"    {s.alternative_entries} entries ran the python kernel (maps numba "
                                 "could not hold, or too costly to convert)")
                for c in s.choices:
                    lines.append(f"    {c}")
                if s.estimate is not None:
                    measured = (f", measured {s.seconds / s.trips * 1e9:.1f} ns over {s.trips:.0f} iterations"
                                if s.trips else "")
                    lines.append(f"    cost model: ~{s.estimate * 1e9:.1f} ns per iteration estimated{measured}")
            if s.fallback is not None:
                lines.append(f"  fallback {s.label}: {s.fallback}")
        return "\n".join(lines)
