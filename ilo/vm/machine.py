"""The run loop of the register VM.

In: a ``CompiledProgram``, a function name, runtime values and optional ``hooks`` (a
``HotLoop``, see ``hooks.py``). Out: the function's value (``ilo.runtime.values``), or
``IloRuntimeError`` carrying the code, the span of the failing instruction and the ilo
function name. Entry point: ``run``; called through ``ilo.vm.run``.

Dispatch: each chunk is decoded once (per mode) into a list of handler closures built by the
factories in ``handlers``/``handlers_data`` (derived from ``opcodes.py``), so the loop is
``pc = code[pc](R)``. User-function calls do not recurse in Python: a CALL handler leaves
the new frame in ``PENDING`` and returns ``CALL_SIGNAL``; the loop pushes the caller on an
explicit frame stack (depth limit ``ILO_MAX_DEPTH``, then ``ILO-R014``). Only higher-order
builtins re-enter the loop, through ``call_value``.

Hooks (``hooks.py``) choose the decode mode: ``counted`` for a tier with ``threshold`` and
``on_hot`` (loops are watched at entry, see ``hotloops``: a cold loop costs next to
nothing), ``hooked`` for the basic protocol (every taken back-edge calls
``hooks.on_backedge(chunk, header_pc, R)``). In plain mode back-edges cost nothing extra.
"""

from __future__ import annotations

import threading

from ilo import config
from ilo.runtime import sizes
from ilo.runtime.calls import Calls, arity_error, undefined_function
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.gcpause import gc_paused
from ilo.runtime.opmsg import division_by_zero, operand_error
from ilo.vm import handlers_data  # noqa: F401  (registers the data and call families' factories)
from ilo.vm.chunk import Chunk, CompiledProgram
from ilo.vm.handlers import CALL_SIGNAL, FACTORIES
from ilo.vm.hotcalls import watch_calls
from ilo.vm.hotloops import COMPLETE, HOOKS, PROGRAM, complete, watch_loops
from ilo.vm.opcodes import OPCODES, jump_target

assert CALL_SIGNAL == -1  # the run loop tests for the literal

# The payload of a CALL_SIGNAL (callee code, registers, dst, return pc, chunk) or of a
# RETURN_SIGNAL (the value). Consumed by the run loop right after the handler returns, so
# one module-level slot serves nested runs too.
PENDING: list = [None]
# [the innermost active run's hooks] (see ``hotloops``); back-edge wrappers read it.
_HOOKS: list = HOOKS
# [ilo frames active in all runs (outer runs wait in higher-order builtins), the limit].
DEPTH: list = [0, config.MAX_DEPTH]
# The innermost run's step/time budget (``runtime.limits.Budget``; None for a run without
# limits), read by the ``limited`` modes and by JIT kernels, which charge it themselves.
BUDGET: list = [None]
_RUN_LOCK = threading.RLock()


class Env:
    """What a handler factory may use while decoding one chunk."""

    def __init__(self, program: CompiledProgram, mode: str, chunk: Chunk):
        self.program = program
        self.mode = mode
        self.chunk = chunk
        self.K = chunk.constants
        self.pending = PENDING
        calls = program_calls(program, mode)
        self.callback = calls.call_value
        self.call_named = calls.call_named
        self.resolve_local = calls.resolve_local
        self.depth = DEPTH
        self.as_runtime_error = as_runtime_error
        self.depth_error = depth_error

    @staticmethod
    def is_leaf(chunk: Chunk) -> bool:
        """True if ``chunk`` calls no user function, so a call to it can run its code to the
        end inside the caller's CALL handler (one Python level, no frame push)."""
        return not any(OPCODES[op].name in ("CALL", "CALL_DYN") for op, *_ in chunk.code)

    def code_of(self, chunk: Chunk) -> list:
        return decoded(self.program, chunk, self.mode)


def decoded(program: CompiledProgram, chunk: Chunk, mode: str) -> list:
    """The chunk's handler list for ``mode``, decoding it on first use. The (empty) list is
    cached before decoding, so recursive functions can refer to their own code."""
    code = chunk.decoded.get(mode)
    if code is None:
        with gc_paused():  # a closure per instruction: linear time on long bodies
            code = _decode(program, chunk, mode)
    return code


def _decode(program: CompiledProgram, chunk: Chunk, mode: str) -> list:
    code = chunk.decoded[mode] = []  # cached first: recursive functions refer to their own code
    env = Env(program, mode, chunk)
    handlers = []
    for pc, (op, a, b, c) in enumerate(chunk.code):
        handler = FACTORIES[OPCODES[op].name](a, b, c, pc, env)
        if mode == "hooked":
            target = jump_target((op, a, b, c))
            if target is not None and target <= pc:
                handler = _back_edge(handler, chunk, target)
        elif pc == 0 and mode in ("limited", "limited_hot"):
            handler = _charged_entry(handler)
        handlers.append(handler)
    if mode == "counted":
        watch_loops(chunk, code, handlers, env)
    elif mode in ("limited", "limited_hot"):
        _charge_back_edges(chunk, handlers, mode == "limited_hot")
    if mode in ("counted", "limited_hot"):
        watch_calls(program, chunk, code, handlers)
    code.extend(handlers)
    return code


def _back_edge(inner, chunk: Chunk, header: int):
    """Wrap a backward jump (``hooked`` mode): when it is taken, offer the loop to
    ``hooks.on_backedge`` first (the basic protocol of ``hooks.py``)."""
    H = _HOOKS

    def h(R):
        nxt = inner(R)
        if nxt != header:
            return nxt
        resume = H[0].on_backedge(chunk, header, R)
        return nxt if resume is None else resume

    return h


def _loop_span(chunk: Chunk, header: int):
    """Where a step limit stops the loop whose body starts at ``header``: the whole loop
    statement, as on the tree. A ``wh`` loop's back-edge is its test (spanning only the
    condition), so its statement span is read from the entry jump; ``@`` loops' back-edges
    span the statement themselves (None: keep it)."""
    for loop in chunk.loops:
        if loop.body == header and loop.kind == "while" and 0 < header <= len(chunk.spans):
            return chunk.spans[header - 1]
    return None


def _exhausted(budget, span) -> None:
    try:
        budget.exhausted()
    except IloRuntimeError as err:
        if span is not None:
            err.span = span
        raise


def _charged_entry(inner):
    """Wrap a function's entry (pc 0): each call is one step of the budget, as the tree
    counts it (``limited`` modes only, so plain runs pay nothing)."""
    B = BUDGET

    def entry(R):
        budget = B[0]
        left = budget.left
        left[0] -= 1
        if left[0] < 0:
            try:
                budget.exhausted()
            except IloRuntimeError as err:
                err.at_call = True  # located at the caller's call, as on the tree (``execute``)
                raise
        return inner(R)

    return entry


def _charge_back_edges(chunk: Chunk, handlers: list, hot: bool) -> None:
    """Each *taken* back-edge (one loop iteration) is one step of the budget, as the tree
    counts it. ``hot`` (``limited_hot``): loops are also offered to the tier."""
    loops = {lp.back_edge: lp for lp in chunk.loops}
    for pc, ins in enumerate(chunk.code):
        target = jump_target(ins)
        if target is None or target > pc:
            continue
        span = _loop_span(chunk, target)
        loop = loops.get(pc)
        if hot and loop is not None and loop.body == target:
            entry, handlers[pc] = _hot_pair(handlers[pc], chunk, loop, span)
            epc = loop.body - 1
            if 0 <= epc != pc:
                handlers[epc] = entry(handlers[epc])
        else:
            handlers[pc] = _charged_back_edge(handlers[pc], target, span)


def _hot_pair(inner, chunk: Chunk, loop, span):
    """(entry wrapper factory, back-edge handler) of one loop in ``limited_hot`` mode.

    Budgets need a Python wrapper at every back-edge anyway, so loops are counted there
    rather than by ``hotloops``' entry watching: once a loop has taken ``threshold``
    back-edges in total, each entry is offered to ``hooks.on_hot`` at its first back-edge
    (the wrapped entry instruction marks a new entry), as in ``counted`` mode. The tier's
    kernels charge the budget themselves."""
    B, H = BUDGET, _HOOKS
    header, first, last = loop.body, loop.body, loop.back_edge
    count = 0  # back-edges taken so far (all entries, all runs of this decoded chunk)
    wait = 0  # back-edges of this entry before the next offer
    never = False

    def entered(prep):
        def h(R):
            nonlocal wait
            wait = 0
            return prep(R)

        return h

    def back_edge(R):
        nonlocal count, wait, never
        nxt = inner(R)
        if nxt != header:
            return nxt
        budget = B[0]
        steps = budget.left
        steps[0] -= 1
        if steps[0] < 0:
            _exhausted(budget, span)
        if never:
            return nxt
        count += 1
        if wait:
            wait -= 1
            return nxt
        hooks = H[0]
        if count < hooks.threshold:
            return nxt
        resume = hooks.on_hot(chunk, header, R, 0)
        if resume is None:
            return nxt  # ask again at the next back-edge
        if resume is hooks.NEVER:
            never = True
            return nxt
        if type(resume) is int:
            # a kernel ran; it stopped inside the loop (a deopt, or its slice of the budget
            # under a timeout): offer again a few iterations later
            if first <= resume <= last:
                wait = hooks.min_trips or 1
            return resume
        wait = hooks.threshold  # LATER: again after another threshold back-edges, or at the next entry
        return nxt

    return entered, back_edge


def _charged_back_edge(inner, header: int, span):
    B = BUDGET

    def back_edge(R):
        nxt = inner(R)
        if nxt == header:
            budget = B[0]
            left = budget.left
            left[0] -= 1
            if left[0] < 0:
                _exhausted(budget, span)
        return nxt

    return back_edge


# ── calls that leave the run loop ───────────────────────────────────────────


def program_calls(program: CompiledProgram, mode: str) -> Calls:
    """The shared call machinery (``runtime.calls``) over ``program``'s chunks: a user
    function called by name or through a value runs to completion in a nested run loop of
    the same decode ``mode`` (only higher-order builtins and dynamic calls to tools or
    builtins get here; CALL and CALL_DYN to a user function push a frame instead)."""
    return Calls(program.chunks, program.tools, _nparams, lambda chunk, args: execute(program, chunk, args, mode))


def _nparams(chunk: Chunk) -> int:
    return chunk.nparams


# ── the run loop ────────────────────────────────────────────────────────────


def depth_error(name: str) -> IloRuntimeError:
    return IloRuntimeError("ILO-R014", f"call depth exceeded: more than {DEPTH[1]} nested calls (in '{name}')")


def execute(program: CompiledProgram, chunk: Chunk, args: list, mode: str = "plain"):
    """Run ``chunk`` with ``args`` to completion (including every call it makes)."""
    D = DEPTH
    entry_depth = D[0]
    if entry_depth >= D[1]:
        raise depth_error(chunk.name)
    code = decoded(program, chunk, mode)
    R = list(args) + [None] * (chunk.nregs - len(args))
    stack: list = []
    P = PENDING
    pc = 0
    D[0] = entry_depth + 1
    try:
        while True:
            while pc >= 0:
                pc = code[pc](R)
            if pc == -1:  # CALL_SIGNAL (a literal: no global lookup in the hot loop)
                ncode, nregs, dst, ret, callee = P[0]
                if D[0] >= D[1]:
                    pc = ret - 1
                    raise depth_error(callee.name)
                D[0] += 1
                stack.append((code, R, ret, dst, chunk))
                code, R, chunk = ncode, nregs, callee
                pc = 0
            else:
                value = P[0]
                P[0] = None  # OWNERSHIP: the slot must not keep the returned value alive
                if not stack:
                    return value
                D[0] -= 1
                code, R, pc, dst, chunk = stack.pop()
                R[dst] = value
    except Exception as e:  # noqa: BLE001 - the boundary: no Python exception reaches the user
        if getattr(e, "at_call", False):
            # a step limit at a function's entry is the caller's: its call instruction, or
            # (no caller in this run) whatever called this run, as the tree reports it
            e.at_call = False
            if not stack:
                raise
            code, R, ret, _dst, chunk = stack.pop()
            pc = ret - 1
        raise as_runtime_error(e, chunk, pc, R) from (None if isinstance(e, IloRuntimeError) else e)
    finally:
        D[0] = entry_depth


# Typed instructions trust the verifier and let Python raise on operands of other types
# (a `_` value can reach them). Their operator symbol, for the tree interpreter's message.
_TYPED_SYMBOLS = {"ADD": "+", "SUB": "-", "MUL": "*", "DIV": "/", "LT": "<", "LE": "<=", "GT": ">",
                  "GE": ">=", "EQ": "=", "NE": "!="}


def _operands(chunk: Chunk, pc: int, R) -> tuple[str, object, object] | None:
    """(operator, left, right) of the arithmetic or comparison instruction at ``pc``."""
    if R is None or not 0 <= pc < len(chunk.code):
        return None
    op, a, b, c = chunk.code[pc]
    name = OPCODES[op].name
    if name.startswith("JN"):
        base = name[2:].split("_")[0]
    elif name.startswith("J"):
        base = name[1:].split("_")[0]
    else:
        base = name.split("_")[0]
    sym = _TYPED_SYMBOLS.get(base.removesuffix("K"))
    if sym is None:
        return None
    try:
        if name.startswith("J"):  # fused compare-and-jump: operands a, b
            return sym, R[a], (chunk.constants[b] if name.endswith("_NK") else R[b])
        return sym, R[b], (chunk.constants[c] if "K_" in name else R[c])
    except (IndexError, TypeError):
        return None


def as_runtime_error(e: Exception, chunk: Chunk, pc: int, R=None) -> IloRuntimeError:
    """``e`` as an ``IloRuntimeError`` located at instruction ``pc`` of ``chunk`` (whose
    registers are ``R``, to name the operands of a failed typed instruction)."""
    if isinstance(e, IloRuntimeError):
        err = e
    elif isinstance(e, ZeroDivisionError):
        err = division_by_zero()
    elif isinstance(e, TypeError):
        found = _operands(chunk, pc, R)
        if found is not None:
            err = operand_error(*found)
        else:
            err = IloRuntimeError("ILO-R004", f"runtime type error: {e}")
    elif isinstance(e, RecursionError):
        err = IloRuntimeError("ILO-R014", "call depth exceeded (the Python stack ran out)")
    elif isinstance(e, (MemoryError, OverflowError)):  # a value too big to build
        err = sizes.out_of_memory()
    else:
        err = IloRuntimeError("ILO-R013", f"internal VM error: {type(e).__name__}: {e}")
    _locate(err, chunk, pc)
    return err


def _locate(err: IloRuntimeError, chunk: Chunk, pc: int) -> None:
    if err.span is None and 0 <= pc < len(chunk.spans):
        err.span = chunk.spans[pc]
    if err.function is None:
        err.function = chunk.name


def run(program: CompiledProgram, func: str, args: list, hooks=None, budget=None):
    """Call ilo function ``func`` with runtime values ``args``; return its value.

    ``budget``: a ``runtime.limits.Budget``; when it is active the run is decoded in
    ``limited`` mode, charging one step per function entry and loop back-edge; with a
    counting tier (the JIT) in ``limited_hot`` mode, where hot loops and functions are
    offered to it and its kernels charge the same steps themselves (``BUDGET[0]``)."""
    limited = budget is not None and budget.active
    if limited and hooks is not None and complete(hooks) is None:
        hooks = None  # basic-protocol hooks cannot charge a budget
    chunk = program.chunks.get(func)
    if chunk is None:
        raise undefined_function(func)
    if len(args) != chunk.nparams:
        raise arity_error(func, chunk.nparams, len(args), function=func)
    # The run state below (hooks, depth, budget, call payload) lives in module-level slots so
    # the hot loop reads them without attribute lookups; the lock keeps runs from several
    # threads from sharing them (under the GIL they could not run in parallel anyway). It is
    # re-entrant: a run may start another run on the same thread.
    with _RUN_LOCK:
        saved, saved_limit, saved_program = _HOOKS[0], DEPTH[1], PROGRAM[0]
        mode = "plain"
        if hooks is not None:
            PROGRAM[0] = program
            counting = hooks if type(hooks) in COMPLETE else complete(hooks)
            mode = "hooked" if counting is None else "counted"
            _HOOKS[0] = hooks if counting is None else counting
        DEPTH[1] = config.MAX_DEPTH  # read per run, so a changed ILO_MAX_DEPTH setting applies
        saved_budget = BUDGET[0]
        BUDGET[0] = budget if limited else None
        if limited:
            mode = "limited" if hooks is None else "limited_hot"
        try:
            return execute(program, chunk, list(args), mode)
        finally:
            _HOOKS[0] = saved
            PROGRAM[0] = saved_program
            DEPTH[1] = saved_limit
            BUDGET[0] = saved_budget
