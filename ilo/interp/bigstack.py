"""Run a function on a thread with a big C stack, reusing idle threads.

The tree interpreter recurses in Python for every nested ilo call, so it runs on a thread
whose C stack fits ``ILO_MAX_DEPTH`` nested calls. Starting a thread per call costs
~100 us, more than a small ilo function takes, so finished threads wait for the next run
instead (a few at most; runs on several threads at once, or a run inside a run, take
another one). Their stacks are reserved address space: only the pages a deep recursion
touches are ever used.
"""

from __future__ import annotations

import queue
import threading

KEEP = 4  # idle threads kept for later runs

_IDLE: list = []  # [_Worker], most recently used last
_LOCK = threading.Lock()
_STACK_LOCK = threading.Lock()  # threading.stack_size is process-wide


class _Worker(threading.Thread):
    def __init__(self, stack: int):
        super().__init__(name="ilo-interp", daemon=True)
        self.stack = stack
        self.inbox: queue.SimpleQueue = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            job = self.inbox.get()
            if job is None:
                return
            fn, box, done = job
            del job
            try:
                box.append((True, fn()))
            except BaseException as e:  # noqa: BLE001 - re-raised in the calling thread
                box.append((False, e))
            finally:
                del fn
                done.release()


def _take(stack: int) -> _Worker:
    with _LOCK:
        for i in range(len(_IDLE) - 1, -1, -1):
            if _IDLE[i].stack >= stack:
                return _IDLE.pop(i)
    with _STACK_LOCK:
        old = threading.stack_size(stack)
        try:
            worker = _Worker(stack)
            worker.start()
        finally:
            threading.stack_size(old)
    return worker


def run(fn, stack: int):
    """``fn()`` on a thread with at least ``stack`` bytes of C stack: its value, or its
    exception raised here."""
    worker = _take(stack)
    box: list = []
    done = threading.Lock()
    done.acquire()
    worker.inbox.put((fn, box, done))
    done.acquire()  # an interrupt here leaves the worker to finish alone (never reused)
    with _LOCK:
        if len(_IDLE) < KEEP:
            _IDLE.append(worker)
        else:
            worker.inbox.put(None)  # more idle threads than kept: this one ends
    ok, value = box[0]
    if ok:
        return value
    raise value
