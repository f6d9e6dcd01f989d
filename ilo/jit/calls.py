"""Hot functions: the JIT's answer to ``hooks.on_hot_call`` (``ilo.vm.hotcalls``).

In: an offered function (its program, chunk, running handler list, plain pc-0 handler and
the registers of the entry that made it hot). Out: an entry handler the VM stores at pc 0,
or ``LATER``/``NEVER``.

The handler checks the argument types the kernel was built for, calls the kernel with the
depth the VM still allows, puts the value in the return slot and returns ``RETURN_SIGNAL``
(the run loop then pops the frame as after a ``RET``). When the kernel raises (``Deopt``,
or any error of an instruction it ran) or the types differ, the plain handler runs the call
on the VM from its first instruction: kernels are pure (``fnkernels``), so that is a
consistent point and the VM reports any error exactly as without the JIT.

Cost model (``costs.py``): a function is built once its calls would have saved a python
build (estimated per call from its size); a python bundle that numba could run is timed
while it runs and moved to numba once its measured time reaches numba's cost (load from
the disk cache, or compile, plus the first use in the process), unless its entries are so
quick that numba's dispatcher call would eat the gain (``costs.numba_min_entry``). When the
root takes or returns a map, the keys crossing are counted too, and only the python time
beyond what converting them would cost numba (``costs.map_boxing``) counts as repaying it.
``ILO_JIT_NUMBA=always`` builds numba at once, ``never`` keeps python.

Maps (numba): the root's map arguments become typed dicts and a map result is boxed back,
both in bulk (``_map_boundary``); inside the bundle maps stay typed dicts. A map argument
with text keys is declined when the bundle is built (``nbtext.TEXT_ARGUMENT``: converting it
costs more than the python kernel spends); a result with text keys or values is boxed by
``nbmaps.items_to_python``.
"""

from __future__ import annotations

import time

from ilo.jit import budget, cache, costs, state
from ilo.jit.deopt import Deopt
from ilo.jit.protocol import LATER, NEVER
from ilo.jit.regions import FallbackReason
from ilo.vm.machine import DEPTH, PENDING

_RETURN = -2  # handlers.RETURN_SIGNAL: the run loop pops the frame with PENDING[0]
_PY = {"n": float, "b": bool, "t": str, "nil": type(None)}
# after this many entries the kernel could not finish, and more than half of all entries,
# the function goes back to the VM for good
DEOPT_LIMIT = 64
_MODULES: dict = {}  # bundle source -> its root kernel (shared by every tier of the process)


def _pytype(t: str):
    if t in _PY:
        return _PY[t]
    return list if t[0] == "L" else dict if t[0] == "M" else None


class FnKernel:
    """One function compiled for one tuple of argument types, as the VM runs it."""

    __slots__ = ("name", "argtypes", "backend", "entries", "deopts", "spent", "build_seconds", "origin",
                 "callees", "estimate", "promote_at", "why_not_numba", "fallback", "plain", "code", "program",
                 "chunk", "numba_source", "func", "tier", "limited", "crossing", "boxing")

    def __init__(self, name: str, argtypes: tuple):
        self.name, self.argtypes = name, argtypes
        self.backend = None
        self.entries = self.deopts = 0
        self.spent = 0.0  # seconds measured inside a python kernel that numba could run
        self.build_seconds = 0.0
        self.origin = None
        self.callees: list[str] = []  # other functions compiled into the same kernel module
        self.estimate = 0.0  # seconds per call the cost model expected to save
        self.promote_at = None  # python kernels numba could run: the numba cost to repay
        self.why_not_numba = ""
        self.fallback = None
        self.plain = self.code = self.program = self.chunk = None
        self.numba_source = None
        self.func = None
        self.tier = None  # the Calls that promotes it to numba
        self.limited = False  # built for runs with a step budget (their own handler lists)
        self.crossing = False  # timed, and a map crosses between the VM and its root
        self.boxing = 0.0  # seconds numba would have spent converting the maps that crossed

    def describe(self) -> str:
        types = ", ".join(self.argtypes) or "-"
        head = f"  compiled function {self.name}({types}) [{self.backend}, {self.origin}, " \
               f"{self.build_seconds * 1000:.1f} ms] entries={self.entries} deopts={self.deopts}"
        lines = [head]
        if self.callees:
            lines.append(f"    calls compiled in: {', '.join(self.callees)}")
        measured = f", measured {self.spent * 1e6 / self.entries:.2f} us per entry" if self.spent and self.entries else ""
        lines.append(f"    cost model: saves ~{self.estimate * 1e6:.2f} us per call on the VM{measured}")
        if self.promote_at is not None:
            boxing = f", less {self.boxing:.3f} s converting maps" if self.crossing else ""
            lines.append(f"    numba once python time reaches {self.promote_at:.2f} s (spent {self.spent:.3f} s{boxing})")
        if self.why_not_numba:
            lines.append(f"    python backend: {self.why_not_numba}")
        return "\n".join(lines)


class Calls:
    """The function side of a ``JitHook``: offers, builds, and the kernels it installed."""

    def __init__(self, threshold: int, eager: bool, numba: str):
        self.threshold = threshold
        self.eager = eager  # a test threshold below MIN_TRIPS: build at the first offer
        self.numba = numba
        self.kernels: list[FnKernel] = []  # installed through this hook (``--jit-stats``)
        self.fallbacks: dict = {}  # function name -> why it stays on the VM
        self.base: dict = {}  # id(FnKernel) -> its entries when the current call started

    def new_call(self) -> None:
        """The API starts a call: stats from here describe it (kernels stay)."""
        self.base = {id(fk): fk.entries for fk in self.kernels}

    def ran(self) -> list:
        """Kernels entered during the current call (those built in it included)."""
        return [fk for fk in self.kernels if fk.entries > self.base.get(id(fk), 0)]

    def offer(self, program, chunk, code, plain, R):
        from ilo.jit.infer import runtime_type

        types = tuple(runtime_type(R[i]) for i in range(chunk.nparams))
        # kept per chunk (ids of freed chunks are reused): types -> why declined, and the
        # seconds its calls would have saved so far
        st = state.of(chunk)
        declined = st.fn_declined
        key = types
        if key in declined:
            self.fallbacks[chunk.name] = declined[key]
            return NEVER
        if not self.eager:
            st.fn_saved += self.threshold * costs.call_saving(len(chunk.code))
            if st.fn_saved < costs.python_build_cost():
                return LATER
        from ilo.jit.fnkernels import decode

        straight = not chunk.loops and not any(ins.kind == "call" for ins in decode(chunk))
        saving = costs.entry_saving(len(chunk.code), straight)
        if saving is not None and saving <= 0:
            why = (f"{len(chunk.code)} instructions cost the VM less than entering a kernel "
                   "(loop kernels calling it still compile it in)")
            declined[key] = self.fallbacks[chunk.name] = why
            return NEVER
        if any(_pytype(t) is None for t in types):
            why = f"arguments of types {', '.join(types)}"
            declined[key] = self.fallbacks[chunk.name] = why
            return NEVER
        fk = FnKernel(chunk.name, types)
        fk.plain, fk.code, fk.program, fk.chunk = plain, code, program, chunk
        # a run with a budget decodes its own handler lists (``limited_hot``): what is
        # installed there is only ever run under a budget
        fk.limited = budget.active()
        try:
            self._build(fk, self.numba == "always")
        except FallbackReason as why:
            declined[key] = self.fallbacks[chunk.name] = str(why)
            return NEVER
        except Exception as e:  # noqa: BLE001 - a JIT bug must cost speed, never the program
            declined[key] = self.fallbacks[chunk.name] = f"the JIT failed to build it ({type(e).__name__}: {e})"
            return NEVER
        self.kernels.append(fk)
        fk.tier = self
        return _install(fk)

    def _build(self, fk: FnKernel, want_numba: bool) -> None:
        from ilo.jit import fnkernels

        t0 = time.perf_counter()
        program, name, types, limited = fk.program, fk.name, fk.argtypes, fk.limited
        bundle = None
        if want_numba:
            try:
                bundle = fnkernels.build(program, name, types, "numba", limited)
                why = budget.numba_too_slow(bundle.source)
                if why:
                    raise FallbackReason(why)
                fk.func, fk.origin = _load(bundle)
            except FallbackReason as why:
                fk.why_not_numba, bundle = str(why), None
        elif self.numba == "never":
            fk.why_not_numba = "numba disabled (ILO_JIT_NUMBA=never)"
        if bundle is None:
            bundle = fnkernels.build(program, name, types, "python", limited)
            fk.func, fk.origin = _load(bundle)
            # under a budget a python bundle is not timed for promotion (one entry handler)
            if not want_numba and not bundle.why_not_numba and self.numba == "auto" and not limited:
                # a map crossing the boundary costs numba its conversion: the timed entries
                # count the keys crossing, and only python time beyond that repays numba
                fk.crossing = fnkernels.boundary_maps(bundle)
                numba_bundle = fnkernels.build(program, name, types, "numba")
                fk.numba_source = numba_bundle.source
                from ilo.jit import backend, native

                if native.function_eligible(numba_bundle) and native.usable(numba_bundle.source):
                    fk.promote_at = costs.native_cost()  # its machine code is stored: a load
                else:  # typed dicts compile about as slowly as array loops
                    fk.promote_at = costs.numba_cost(cache.numba_cached(numba_bundle.source), backend.warmed_up(),
                                                     "_Dict" in numba_bundle.source)
                # the python seconds earlier processes spent in this function count too
                from ilo.jit import ledger

                start = fk.spent = ledger.track(f"function {numba_bundle.source}", lambda: fk.spent - start)
            elif bundle.why_not_numba and not fk.why_not_numba:
                fk.why_not_numba = bundle.why_not_numba
        fk.backend = bundle.backend
        fk.callees = sorted({m.name for m in bundle.members if m is not bundle.root})
        fk.estimate = costs.call_saving(len(fk.chunk.code))
        fk.build_seconds = time.perf_counter() - t0
        costs.BUILT[0] = True

    def promote(self, fk: FnKernel) -> None:
        """A timed python kernel has repaid numba: switch its entry handler to numba."""
        fk.promote_at = None
        try:
            self._build(fk, True)
        except Exception as why:  # noqa: BLE001 - numba cannot run it after all: keep python, untimed
            fk.why_not_numba = str(why)
        fk.code[0] = _install(fk)

    def report(self) -> list[str]:
        lines = [fk.describe() for fk in self.ran()]
        lines += [f"  function {name} stays on the VM: {why}" for name, why in self.fallbacks.items()]
        return lines


def _load(bundle):
    """The root kernel of ``bundle`` (compiled now for numba) and its origin."""
    found = _MODULES.get(bundle.source)
    if found is not None:
        return found
    if bundle.backend == "numba":
        from ilo.jit import native

        stored = native.load_function(bundle)  # machine code stored earlier: numba is not needed
        if stored is not None:
            _MODULES[bundle.source] = (stored, "native")
            return stored, "native"
    module = cache.import_module(cache.write_module(bundle.source))
    func = getattr(module, bundle.root.fname)
    origin = "python"
    if bundle.backend == "numba":
        from ilo.jit import backend
        from ilo.jit.fnkernels import boundary_maps

        crossing = boundary_maps(bundle)
        if crossing:
            from ilo.jit import nbmaps

            nbmaps.warm(bundle.result_dict)
        samples = [0] + ([budget.sample()] if bundle.limited else []) + \
            [_sample(t) for t in bundle.root.argtypes]
        try:
            _seconds, origin = backend.prepare(func, samples)
        except Exception as e:  # noqa: BLE001 - a bundle numba rejects stays on python
            raise FallbackReason(f"numba could not compile it ({type(e).__name__})") from None
        func.disable_compile()  # other argument types are the entry handler's to refuse
        from ilo.jit import native

        if native.function_eligible(bundle):  # for the next process: it need not load numba
            native.save_function(bundle, func)
        if crossing:
            func = _map_boundary(func, bundle.root, 2 if bundle.limited else 1, bundle.result_dict is not None)
    _MODULES[bundle.source] = (func, origin)
    return func, origin


def _sample(t: str):
    """A value of kernel type ``t`` for compiling a numba root ahead of its first call."""
    if t[0] == "M":
        from ilo.jit import nbmaps

        return nbmaps.to_typed({})
    return False if t == "b" else "" if t == "t" else 0.0


def _map_boundary(func, root, skip: int, items: bool = False):
    """``func`` (a numba root kernel) as the VM calls it: each map argument converted to a
    typed dict (a map numba cannot hold, e.g. one with a text key, raises ``Deopt``: the VM
    runs the call), and a map result boxed back into a VM dict, in bulk (``nbmaps``; one
    with text keys or values with ``items``). The typed dicts are the kernel's own: the VM's
    dicts are never changed."""
    from ilo.jit import nbmaps

    maps = [skip + i for i, t in enumerate(root.argtypes) if t[0] == "M"]
    box = root.ret[0] == "M"
    to_typed = nbmaps.to_typed
    to_python = nbmaps.items_to_python if items else nbmaps.to_python

    def crossing(*args):
        if maps:
            args = list(args)
            for i in maps:
                d = to_typed(args[i])
                if d is None:
                    raise Deopt
                args[i] = d
        v = func(*args)
        return to_python(v) if box else v

    return crossing


def _giving_up(fk: FnKernel):
    """The handler for an entry the kernel could not finish: the VM runs the call."""
    plain, code = fk.plain, fk.code

    def gave_up(R):
        fk.deopts += 1
        if fk.deopts >= DEOPT_LIMIT and fk.deopts * 2 > fk.entries and code[0] is not plain:
            code[0] = plain  # it rarely finishes: the VM is cheaper than trying each time
        return plain(R)

    return gave_up


def _install(fk: FnKernel):
    """The pc-0 handler that runs ``fk``'s kernel (see the module docstring)."""
    func, code, n = fk.func, fk.code, len(fk.argtypes)
    D, P = DEPTH, PENDING
    types = tuple(_pytype(t) for t in fk.argtypes)
    timed = fk.promote_at is not None
    tier = fk.tier
    if fk.limited:
        return _limited_entry(fk)

    gave_up = _giving_up(fk)

    if timed:
        clock = time.perf_counter
        min_entry = costs.numba_min_entry()
        crossing, key_cost = fk.crossing, costs.map_boxing(1.0)
        map_args = [i for i, t in enumerate(fk.argtypes) if t[0] == "M"]

        def entry_timed(R):
            fk.entries += 1
            for i in range(n):
                if type(R[i]) is not types[i]:
                    return gave_up(R)
            t0 = clock()
            try:
                P[0] = func(D[1] - D[0], *R[:n])
            except Exception:  # noqa: BLE001 - Deopt or an instruction's error: the VM runs the call
                return gave_up(R)
            finally:
                fk.spent += clock() - t0
            if crossing:  # what numba would pay to convert these maps in and out
                v = P[0]
                keys = sum(len(R[i]) for i in map_args) + (len(v) if type(v) is dict else 0)
                fk.boxing += keys * key_cost
            gain = fk.spent - fk.boxing
            if fk.entries >= costs.TIMED_PROBE and gain < fk.entries * min_entry:
                fk.promote_at = None  # too quick per entry for numba to win: stop timing
                per = gain / fk.entries * 1e6
                fk.why_not_numba = (f"{per:.1f} us per entry (python time less converting its maps) is too little "
                                    "for numba" if crossing else f"{per:.1f} us per entry is too little for numba")
                code[0] = _install(fk)
            elif gain >= fk.promote_at and tier is not None:
                tier.promote(fk)
            return _RETURN

        return entry_timed
    if n == 1:
        (t0,) = types

        def entry1(R):
            fk.entries += 1
            x = R[0]
            if type(x) is t0:
                try:
                    P[0] = func(D[1] - D[0], x)
                    return _RETURN
                except Exception:  # noqa: BLE001 - Deopt or an instruction's error: the VM runs the call
                    pass
            return gave_up(R)

        return entry1

    def entry(R):
        fk.entries += 1
        for i in range(n):
            if type(R[i]) is not types[i]:
                return gave_up(R)
        try:
            P[0] = func(D[1] - D[0], *R[:n])
            return _RETURN
        except Exception:  # noqa: BLE001 - Deopt or an instruction's error: the VM runs the call
            return gave_up(R)

    return entry


def _limited_entry(fk: FnKernel):
    """The pc-0 handler of a kernel built to charge a step budget (``ilo.jit.budget``): the
    kernel takes a step per call and per loop iteration, as the VM would; when it gives up,
    the steps it took go back before the VM runs the call from its start, so the VM stops
    at exactly the step it would have stopped at without the JIT."""
    func, n = fk.func, len(fk.argtypes)
    D, P = DEPTH, PENDING
    types = tuple(_pytype(t) for t in fk.argtypes)
    numba = fk.backend == "numba"

    gave_up = _giving_up(fk)

    def entry(R):
        fk.entries += 1
        for i in range(n):
            if type(R[i]) is not types[i]:
                return gave_up(R)
        counter = budget.enter(numba)
        steps = counter[0]
        try:
            P[0] = func(D[1] - D[0], counter, *R[:n])
        except Exception:  # noqa: BLE001 - Deopt or an instruction's error: the VM runs the call
            budget.restore(counter, steps)
            return gave_up(R)
        budget.leave(counter)
        return _RETURN

    return entry


__all__ = ["Calls", "Deopt", "FnKernel"]
