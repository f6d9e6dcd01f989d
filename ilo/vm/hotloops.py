"""Loop watching for the counting HotLoop protocol (``hooks.py``): the VM's ``counted`` mode.

In: a chunk, its freshly decoded plain handler list and the list object the machine will
run (``machine.decoded``). Out: the same handler list with each loop's *entry* and
*back-edge* handlers replaced by watching variants. The active run's hooks are read at run
time from ``HOOKS[0]`` (set by ``machine.run``; it has every attribute of the counting
protocol, see ``complete``), so one decoded chunk serves every tier.

Why entry-time decisions: an extra Python call (or even a counter) per iteration costs
10-100% of a tight loop, and a loop too cold to compile must cost (almost) nothing. So:

- ``@i a..b`` and ``@x xs`` know their trip count when they start. Their prep handler adds
  it to the loop's cumulative count; only when the loop is hot (count >= threshold) and this
  entry is long enough (trips >= ``min_trips``) does it *arm* the back-edge, by storing an
  offering handler into the running code list. Otherwise the plain back-edge runs: zero
  per-iteration cost.
- ``wh`` loops whose test is a single numeric compare-and-jump (``wh <i n``) are estimated
  the same way from the compare's gap ``|b - a|`` at entry. An armed entry checks the
  estimate against the progress the first iteration made (a loop that halves its counter
  runs far fewer trips) before offering.
- Other ``wh`` loops count taken back-edges: a countdown folded into the back-edge
  handler (compare-and-jumps, JMPT/JMPF; one decrement per iteration, no extra call) and
  opened at each entry, so an entry is offered only after ``min_trips`` iterations of its
  own once the loop has run ``threshold`` in total.

An armed back-edge offers the loop through ``hooks.on_hot`` when it jumps to the header (for
ranges and foreach already the jump that starts iteration one: a kernel then runs every
iteration; for estimated ``wh`` loops from iteration two, after the progress check, until a
kernel has run the loop once). It puts the plain handler back as soon as the answer is not
``None`` ("ask again at the next back-edge"); ``hooks.NEVER`` disarms the loop for good. Swapping handlers in the shared code list is safe under
recursion: offering a loop is always correct, skipping an offer only costs speed.
"""

from __future__ import annotations

from ilo.runtime.operators import range_bound
from ilo.vm.opcodes import OPCODES, jump_target

# [the innermost active run's hooks]: one slot, so starting a run costs one store.
HOOKS: list = [None]
# [the innermost active hooked run's CompiledProgram]: a tier compiling a loop that calls
# user functions reads their chunks from it (set and restored with HOOKS by ``machine.run``).
PROGRAM: list = [None]
# hooks types that declare the whole counting protocol themselves (the JIT's)
COMPLETE: set = set()
_PROTOCOL = ("threshold", "min_trips", "on_hot", "NEVER", "LATER")


def complete(hooks):
    """``hooks`` if it speaks the whole counting protocol (every attribute of ``_PROTOCOL``),
    else None (the machine then uses the basic protocol). Cheap for the JIT: a type that
    declares them all itself is remembered once seen."""
    t = type(hooks)
    if t in COMPLETE:
        return hooks
    if all(hasattr(t, name) for name in _PROTOCOL):
        COMPLETE.add(t)
        return hooks
    return hooks if all(hasattr(hooks, name) for name in _PROTOCOL) else None


def _ordered(info) -> bool:
    """A numeric compare-and-jump on an ordering (``<``/``<=``/``>``/``>=``): a gap to estimate."""
    return info.family == "cjump" and info.operator in ("<", "<=", ">", ">=")


class _Watch:
    """One loop of one decoded chunk: its cumulative trip count and whether to stop."""

    __slots__ = ("chunk", "header", "first", "last", "code", "bpc", "plain", "armed", "count", "never",
                 "gap", "epc", "plain_entry", "trusted")

    def __init__(self, chunk, loop, code, plain):
        self.chunk = chunk
        self.header = loop.body
        self.first, self.last = loop.body, loop.back_edge  # a resume pc inside: a deopt
        self.code = code
        self.bpc = loop.back_edge
        self.plain = plain
        self.armed = None
        self.count = 0.0
        self.never = False
        self.gap = 0.0  # while loops: the compare's gap at entry
        self.epc = None  # pc of a watched entry, whose plain handler NEVER puts back
        self.plain_entry = None
        self.trusted = False  # a kernel has run this loop (wh: no more estimate checks)

    def give_up(self) -> None:
        """NEVER: plain handlers back at the entry and the back-edge; nothing counts."""
        self.never = True
        self.code[self.bpc] = self.plain
        if self.epc is not None:
            self.code[self.epc] = self.plain_entry

    def offer(self, R, nxt):
        """The back-edge to ``header`` is taken: offer the loop; the pc to continue at."""
        hooks = HOOKS[0]
        resume = hooks.on_hot(self.chunk, self.header, R)
        if resume is None:
            return nxt  # stay armed: ask again at the next back-edge
        self.code[self.bpc] = self.plain
        if resume is hooks.NEVER:
            self.give_up()
            return nxt
        if type(resume) is int:
            self.trusted = True
            return resume
        return nxt  # LATER: not during this entry

    def opening(self, consumed) -> int:
        """Counted loops, at entry: close the last countdown (``consumed`` iterations) and
        open this entry's. An entry is offered only after ``min_trips`` iterations of its
        own, and only once the loop has run ``threshold`` in total. (Inlined in the entry
        handlers; a NEVER loop's entry handler is gone.)"""
        self.count = count = self.count + consumed
        hooks = HOOKS[0]
        rest = hooks.threshold - count
        least = hooks.min_trips or 1
        return rest if rest > least else least

    def counted(self, R, target, consumed):
        """Counted loops: the countdown of ``consumed`` iterations ran out at a taken jump
        to ``target``. Returns (next countdown, pc)."""
        self.count += consumed
        if self.never:
            return _HUGE, target
        hooks = HOOKS[0]
        threshold = hooks.threshold
        if self.count < threshold:
            return max(1, int(threshold - self.count)), target
        resume = hooks.on_hot(self.chunk, self.header, R)
        if resume is None:
            return 1, target
        if resume is hooks.NEVER:
            self.give_up()
            return _HUGE, target
        # a kernel ran (or LATER): no more offers in this entry; without a watched entry,
        # offer again after another threshold of iterations
        rest = _HUGE if self.epc is not None else max(1, int(threshold))
        return rest, (resume if type(resume) is int else target)


_HUGE = 1 << 60  # a countdown that does not run out


def watch_loops(chunk, code: list, handlers: list, env) -> None:
    """Replace the entry and back-edge handlers of every loop of ``chunk`` in ``handlers``
    (which the machine then moves into ``code``, the list that runs)."""
    watches = chunk.decoded["watches"] = {}  # header -> _Watch, for tests and listings
    for loop in chunk.loops:
        back = chunk.code[loop.back_edge]
        if jump_target(back) != loop.body:
            continue
        w = watches[loop.body] = _Watch(chunk, loop, code, handlers[loop.back_edge])
        w.armed = armed = _armed(w)
        epc = loop.body - 1
        entry = chunk.code[epc] if epc >= 0 else None
        ename = OPCODES[entry[0]].name if entry is not None else None
        w.epc, w.plain_entry = epc, handlers[epc] if entry is not None else None
        if ename in ("RANGEPREP", "FORPREP") and jump_target(entry) == loop.test:
            make = _range_entry if ename == "RANGEPREP" else _foreach_entry
            handlers[epc] = make(handlers[epc], w, entry)
            continue
        binfo = OPCODES[back[0]]
        jmp_entry = ename == "JMP" and entry[1] == loop.test
        if loop.kind == "while" and jmp_entry and loop.test == loop.back_edge and _ordered(binfo):
            w.armed = _skip_once(w, _while_armed(w, back, env, armed))
            handlers[epc] = _while_entry(w, back, env, armed)
            continue
        if not jmp_entry:
            w.epc = None  # no entry to watch: counts run across entries
        entry_h, handlers[loop.back_edge] = _counting(w, back, loop.back_edge, env, loop.test)
        if jmp_entry:
            handlers[epc] = entry_h


def _range_entry(prep, w: _Watch, ins):
    """RANGEPREP that also counts the entry's trips. RANGEPREP's work is inlined (this runs
    at every entry of every loop: one call, the count's, instead of two). Entries shorter
    than ``min_trips`` can never be offered, so they are not counted either."""
    _op, a, (lo, hi), c = ins
    end = a + 1
    offer = _trip_counter(w, c)

    def h(R):
        # NEVER swaps this handler back to ``prep``, so it needs no check of its own
        start = R[a] = range_bound(R[lo], "start")
        stop = R[end] = range_bound(R[hi], "end")
        return offer(stop - start)

    return h


def _foreach_entry(prep, w: _Watch, ins):
    """FORPREP that also counts the entry's trips (FORPREP's work inlined, as above)."""
    _op, a, coll, c = ins
    offer = _trip_counter(w, c)

    def h(R):
        xs = R[coll]
        if type(xs) is not list:
            return prep(R)  # raises FORPREP's error
        # OWNERSHIP: as FORPREP, the iterator keeps a reference to the list for the loop
        R[a] = iter(xs)
        return offer(len(xs))

    return h


def _trip_counter(w: _Watch, c: int):
    """The count a counted loop entry keeps: ``offer(trips)`` adds an entry's trips (entries
    shorter than ``min_trips`` never count), arms the back-edge once the total reaches the
    threshold, and returns the body's pc ``c``."""
    H, code, bpc, plain, armed = HOOKS, w.code, w.bpc, w.plain, w.armed
    count = 0.0

    def offer(trips):
        nonlocal count
        hooks = H[0]
        if trips >= hooks.min_trips and trips > 0:
            count += trips
            if count >= hooks.threshold:
                code[bpc] = armed
                return c
        code[bpc] = plain
        return c

    return offer


def _gap_reader(back, env):
    """A function R -> |b - a| for the compare of ``back``, or None when not both numbers."""
    _op, a, b, _c = back
    if OPCODES[back[0]].operand_types == "NK":
        k = env.K[b]

        def gap(R):
            x = R[a]
            if type(x) is float and type(k) is float:
                return abs(k - x)
            return None

        return gap

    def gap(R):
        x = R[a]
        y = R[b]
        if type(x) is float and type(y) is float:
            return abs(y - x)
        return None

    return gap


def _while_entry(w: _Watch, back, env, armed):
    """``JMP test`` of a ``wh`` loop whose test is one numeric compare: estimate the trips
    from the compare's gap (as the range entry; NEVER puts the plain JMP back)."""
    _op, a, b, _c = back
    H, code, bpc, plain, test = HOOKS, w.code, w.bpc, w.plain, w.bpc
    if OPCODES[back[0]].operand_types == "NK":
        k = env.K[b]
        operands = lambda R: (R[a], k)  # noqa: E731 - one tiny closure per form
    else:
        operands = None

    def h(R):
        if operands is None:
            x = R[a]
            y = R[b]
        else:
            x, y = operands(R)
        if type(x) is float is type(y):
            gap = y - x if y > x else x - y
            hooks = H[0]
            if gap >= hooks.min_trips and gap:
                w.gap = gap
                count = w.count = w.count + gap
                if count >= hooks.threshold:
                    # once a kernel ran this loop the estimate has proved itself: offer at once
                    code[bpc] = armed if w.trusted else w.armed
                    return test
            code[bpc] = plain
            return test
        code[bpc] = plain  # not numbers (a `_` value): this entry stays on the VM
        return test

    return h


def _while_armed(w: _Watch, back, env, armed):
    """First taken back-edge of an armed ``wh`` entry: was the entry estimate sound?"""
    inner, header = w.plain, w.header
    gap_of = _gap_reader(back, env)

    def h(R):
        nxt = inner(R)
        if nxt != header:
            return nxt
        gap = gap_of(R)
        progress = None if gap is None else w.gap - gap
        if not progress or progress < 0:  # no progress towards the bound: no estimate,
            w.code[w.bpc] = w.plain  # this entry stays on the VM
            return nxt
        left = gap / progress
        if left < HOOKS[0].min_trips:
            w.count -= max(0.0, w.gap - left - 1)  # the entry estimate was too high
            w.code[w.bpc] = w.plain
            return nxt
        w.code[w.bpc] = armed  # sound: later back-edges of this entry skip the check
        return w.offer(R, nxt)

    return h


def _skip_once(w: _Watch, then):
    """What arming a ``wh`` entry installs. Loops enter at their test, so the back-edge's
    first jump to the header starts iteration one; ``then`` runs from the next one, when the
    first iteration's progress can be measured."""
    inner, header, code, bpc = w.plain, w.header, w.code, w.bpc

    def h(R):
        nxt = inner(R)
        if nxt == header:
            code[bpc] = then
        return nxt

    return h


def _armed(w: _Watch):
    inner, header, offer = w.plain, w.header, w.offer

    def h(R):
        nxt = inner(R)
        if nxt != header:
            return nxt
        return offer(R, nxt)

    return h


# ── counted back-edges ──────────────────────────────────────────────────────

_COUNT_TEMPLATE = """
def make(a, b, c, pc, env, w, test_pc, target):
    nxt = pc + 1
    {kdef}
    counted, H = w.counted, HOOKS
    left = start = 1

    def entry(R):
        # _Watch.opening inlined (this runs at every entry); NEVER puts the plain JMP back
        nonlocal left, start
        count = w.count = w.count + start - left
        hooks = H[0]
        rest = hooks.threshold - count
        least = hooks.min_trips or 1
        left = start = rest if rest > least else least
        return test_pc

    def h(R):
        nonlocal left, start
        if {test}:
            left -= 1
            if left:
                return target
            left, to = counted(R, target, start)
            start = left
            return to
        return nxt

    return entry, h
"""


def _count_factory(test: str, const: bool):
    namespace: dict = {"HOOKS": HOOKS}
    exec(_COUNT_TEMPLATE.format(kdef="k = env.K[b]" if const else "", test=test), namespace)  # noqa: S102
    return namespace["make"]


def _countable(info):
    """(test expression, constant operand, jump operand index) for a compare-and-jump or
    JMPF back-edge (``info``: its ``OpInfo``), whose countdown is folded in from
    ``_COUNT_TEMPLATE``, or None."""
    if info.name in ("JMPT", "JMPF"):  # ilo truth: maps are always true
        truth = "(v := R[a]) or type(v) is dict"
        return (truth if info.name == "JMPT" else f"not ({truth})"), False, 1
    if info.family == "cjump":
        const = info.operand_types == "NK"
        sym = {"=": "=="}.get(info.operator, info.operator)
        cond = f"R[a] {sym} {'k' if const else 'R[b]'}"
        return (f"not ({cond})" if info.negated else cond), const, 2
    return None


# opcode name -> factory, generated on first use (each costs ~0.2 ms to compile)
_COUNT_FACTORIES: dict = {}


def _counting(w: _Watch, back, pc: int, env, test_pc: int):
    """(entry handler, back-edge handler) counting the loop's iterations: the countdown is
    folded into the back-edge for compare-and-jumps and JMPT/JMPF, a wrapper otherwise. The
    entry handler (the loop's ``JMP test``) opens each entry's countdown; it shares the
    countdown with the back-edge as closure cells, so counting costs one decrement."""
    info = OPCODES[back[0]]
    name = info.name
    _op, a, b, c = back
    form = _countable(info)
    w.count = 0  # counted loops count in ints: the countdowns are ints
    if form is not None:
        make = _COUNT_FACTORIES.get(name)
        if make is None:
            make = _COUNT_FACTORIES[name] = _count_factory(form[0], form[1])
        return make(a, b, c, pc, env, w, test_pc, back[1 + form[2]])
    inner, header, counted, opening = w.plain, w.header, w.counted, w.opening
    left = start = 1

    def entry(R):
        nonlocal left, start
        left = start = opening(start - left)
        return test_pc

    def h(R):
        nonlocal left, start
        nxt = inner(R)
        if nxt != header:
            return nxt
        left -= 1
        if left:
            return nxt
        left, to = counted(R, nxt, start)
        start = left
        return to

    return entry, h


