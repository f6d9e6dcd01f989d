"""Call watching for the counting HotLoop protocol (``hooks.py``): hot *functions*.

In: a chunk and its decoded ``counted``-mode handler list (``machine.decoded``). Out: the
same list with the handler at pc 0 (every entry of the function, whether from a CALL, a
leaf call run inside the caller's handler, or the run's first frame) replaced by a counter.

Once the function has been entered ``threshold`` times in total (over all runs of the same
compiled program), the counter offers it to ``hooks.on_hot_call(program, chunk, code, plain, R)``
(``program``: the ``CompiledProgram``, for the functions it calls; ``R``: this entry's
registers, arguments first), where ``code`` is the running handler list and ``plain`` the
original pc-0 handler. The hook answers:

- a handler ``entry(R)``: it is stored at ``code[0]`` and runs every later entry of the
  function (a compiled kernel writes the result into the return slot and returns
  ``RETURN_SIGNAL``, or hands the entry to ``plain`` when it cannot finish it). The hook
  may later put ``plain`` back into ``code[0]`` itself;
- ``hooks.LATER``: count another ``threshold`` entries before offering again;
- ``hooks.NEVER`` (or a hook without ``on_hot_call``): ``plain`` goes back for good.

Why pc 0: it is the one place every entry passes, and nothing jumps back to it (a chunk
with a jump to pc 0, or with a loop entry at pc 0, is not watched). A function that is
never hot pays one counter per call until it reaches ``threshold``, then nothing.
"""

from __future__ import annotations

import weakref

from ilo.vm.hotloops import HOOKS
from ilo.vm.opcodes import jump_target

# chunk -> [entries counted]: one count per function, shared by its handler lists (modes)
_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watch_calls(program, chunk, code: list, handlers: list) -> None:
    """Wrap ``handlers[0]`` (``code`` is the list the machine will run)."""
    if not handlers:
        return
    for ins in chunk.code:
        if jump_target(ins) == 0:
            return
    for loop in chunk.loops:
        if loop.body - 1 <= 0:
            return  # the loop watcher swaps the handler at pc 0 itself
    handlers[0] = _counting(program, chunk, code, handlers[0])


def offer_soon(chunk) -> None:
    """Offer ``chunk``'s function at its next entry, however few calls it had: the hook
    found one of its loops hot, so a single call is already worth compiling whole (a
    function called a few times, each call a long loop)."""
    seen = _SEEN.get(chunk)
    hooks = HOOKS[0]
    if seen is not None and hooks is not None:
        seen[0] = max(seen[0], hooks.threshold - 1)


def _counting(program, chunk, code: list, plain):
    H = HOOKS
    seen = _SEEN.setdefault(chunk, [0])

    def counting(R):
        n = seen[0] + 1
        seen[0] = n
        hooks = H[0]
        if n < hooks.threshold:
            return plain(R)
        offer = getattr(hooks, "on_hot_call", None)
        answer = hooks.NEVER if offer is None else offer(program, chunk, code, plain, R)
        if answer is hooks.LATER or answer is None:
            seen[0] = 0
            return plain(R)
        if answer is hooks.NEVER:
            if code[0] is counting:
                code[0] = plain
            return plain(R)
        code[0] = answer
        return answer(R)

    return counting
