"""The VM's counted mode (``ilo.vm.hotloops``): when loops are offered to a counting tier.

A recording tier answers each offer with a fixed value and counts the offers, so each test
states exactly how many Python calls into the tier a loop costs.
"""

from __future__ import annotations

import ilo
from ilo import vm
from ilo.jit.hook import JitHook

RANGE = "f n:n>n;s=0;@i 0..n{s=+s i};s"
FOREACH = "f xs:L n>n;s=0;@x xs{s=+s x};s"
WHILE = "f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s"
HALVING = "f n:n>n;c=0;wh >n 1{n=/n 2;c=+c 1};c"
FLAG = "f n:n>n;s=0;b=true;wh b{s=+s 1;b=<s n};s"  # a JMPT back-edge: counted

NEVER, LATER = object(), object()


class Recorder:
    """A counting-protocol tier that only records offers."""

    NEVER = NEVER
    LATER = LATER

    def __init__(self, answer=None, threshold=100, min_trips=8):
        self.answer = answer
        self.threshold = threshold
        self.min_trips = min_trips
        self.offers = 0

    def on_hot(self, chunk, header, regs):
        self.offers += 1
        return self.answer


def compiled(src):
    return ilo.load(src).compiled()


def watch(cp):
    """The VM's watch over the only loop of ``f``."""
    (w,) = cp.chunks["f"].decoded["watches"].values()
    return w


def test_a_cold_loop_is_never_offered_and_keeps_its_plain_back_edge():
    for src, arg in ((RANGE, 99.0), (FOREACH, [1.0] * 99), (WHILE, 99.0)):
        cp = compiled(src)
        tier = Recorder(LATER)
        assert vm.run(cp, "f", [arg], hooks=tier) == vm.run(cp, "f", [arg])
        assert tier.offers == 0
        w = watch(cp)
        # the back-edge ran as the plain handler: no per-iteration cost at all
        assert cp.chunks["f"].decoded["counted"][w.bpc] is w.plain


def test_a_hot_entry_is_offered_once_when_the_tier_says_later():
    for src, arg in ((RANGE, 150.0), (FOREACH, [1.0] * 150), (WHILE, 150.0)):
        cp = compiled(src)
        tier = Recorder(LATER)
        expected = vm.run(cp, "f", [arg])
        assert vm.run(cp, "f", [arg], hooks=tier) == expected
        assert tier.offers == 1, src  # offered once: ranges at once, wh after iteration one
        assert vm.run(cp, "f", [arg], hooks=tier) == expected
        assert tier.offers == 2  # and again on the next entry


def test_none_asks_again_at_every_back_edge_and_never_stops_for_good():
    cp = compiled(RANGE)
    asking = Recorder(None)
    assert vm.run(cp, "f", [150.0], hooks=asking) == 11175.0
    assert asking.offers == 150  # every jump to the body
    cp = compiled(RANGE)
    done = Recorder(NEVER)
    for _ in range(3):
        assert vm.run(cp, "f", [150.0], hooks=done) == 11175.0
    assert done.offers == 1
    w = watch(cp)
    code = cp.chunks["f"].decoded["counted"]
    assert code[w.epc] is w.plain_entry and code[w.bpc] is w.plain  # nothing counts any more


def test_short_entries_add_up_but_entries_below_min_trips_are_never_offered():
    cp = compiled(RANGE)
    tier = Recorder(LATER, threshold=100, min_trips=8)
    for _ in range(12):  # 12 entries of 10 trips: the 10th reaches 100 in all
        vm.run(cp, "f", [10.0], hooks=tier)
    assert tier.offers == 3
    cp = compiled(RANGE)
    tier = Recorder(LATER, threshold=100, min_trips=8)
    for _ in range(50):
        vm.run(cp, "f", [5.0], hooks=tier)
    assert tier.offers == 0


def test_a_while_loop_whose_estimate_is_too_high_is_not_offered():
    cp = compiled(HALVING)
    tier = Recorder(LATER, threshold=100)
    assert vm.run(cp, "f", [1e9], hooks=tier) == vm.run(cp, "f", [1e9]) == 30.0
    assert tier.offers == 0  # gap 1e9 at entry, but the first iteration halves it


def test_a_while_loop_without_a_numeric_test_is_counted_per_entry():
    cp = compiled(FLAG)
    tier = Recorder(LATER, threshold=100)
    assert vm.run(cp, "f", [250.0], hooks=tier) == 250.0
    assert tier.offers == 1  # at the 100th jump to the body; LATER: not again in this entry
    assert vm.run(cp, "f", [250.0], hooks=tier) == 250.0
    assert tier.offers == 2  # hot now: offered after min_trips (8) iterations of the entry
    cp = compiled(FLAG)
    tier = Recorder(LATER, threshold=100, min_trips=8)
    for _ in range(100):  # entries of 5 iterations add up, but are too short to offer
        assert vm.run(cp, "f", [5.0], hooks=tier) == 5.0
    assert tier.offers == 0


def test_a_resuming_tier_gives_the_vm_the_exit_pc():
    cp = compiled(RANGE)
    loop = cp.chunks["f"].loops[0]

    class Finish(Recorder):
        def on_hot(self, chunk, header, regs):
            self.offers += 1
            regs[2] = 1000.0  # pretend a kernel ran the rest of the loop: s = 1000
            return loop.exit

    tier = Finish(threshold=10)
    assert vm.run(cp, "f", [50.0], hooks=tier) == 1000.0
    assert tier.offers == 1


def test_the_jit_hook_builds_nothing_for_a_loop_that_would_not_repay_it():
    program = ilo.load(RANGE)
    call = program.call  # the default threshold (the tests' ILO_JIT_THRESHOLD is eager)
    assert call("f", 3000, engine="jit", jit_threshold=1000) == call("f", 3000, engine="vm")
    assert not program.last_jit_stats.compiled  # 3000 short iterations: not worth a build
    for _ in range(40):  # called again and again, the loop earns its kernel
        call("f", 3000, engine="jit", jit_threshold=1000)
    assert program.last_jit_stats.ran()


def test_the_jit_hook_is_light_and_shares_the_tiers_answers():
    from ilo.jit.tier import JitTier

    hook = JitHook()
    assert hook.NEVER is JitTier.NEVER and hook.LATER is JitTier.LATER
    assert hook.stats.report() == "jit: no loop or function got hot enough to compile"
