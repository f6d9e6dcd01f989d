"""The answers of the VM's counting protocol (``ilo.vm.hooks``) and the entry limits, shared
by the light hook (``hook.py``), the loop tier (``tier.py``) and the function side
(``calls.py``). A module of its own so that none of those imports another for them."""

from __future__ import annotations

from ilo import config

NEVER = object()  # this loop (or function) will never get a kernel: the VM stops offering it
LATER = object()  # not during this entry: the VM runs it and offers again when hot
# Entering a kernel (taking registers, checking types, writing back) costs about as much as
# a few dozen VM iterations: an entry with fewer iterations ahead stays on the VM.
MIN_TRIPS = 32


def entry_limits(threshold: int | None) -> tuple[int, int]:
    """(threshold, min_trips) for a tier asked for ``threshold`` (None: ILO_JIT_THRESHOLD).
    A threshold below MIN_TRIPS asks for eager compilation (tests): short entries count too."""
    threshold = config.JIT_THRESHOLD if threshold is None else threshold
    threshold = threshold if threshold > 1 else 1
    return threshold, (MIN_TRIPS if threshold > MIN_TRIPS else threshold)
