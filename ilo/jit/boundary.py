"""VM values ↔ kernel values, and ownership at the kernel boundary.

In: the VM's register list and the registers a region reads/writes. Out: kernel arguments, and
after the kernel, the registers written back.

* ``take``: containers are *moved* out of their registers before a kernel runs, then the
  CPython reference count tells whether anyone else (another register, a caller's frame, a
  containing value) still sees them. Shared containers are copied once on entry.
  OWNERSHIP: a kernel mutates a container in place only if ``take`` reported it sole-owned.
* Numeric lists for numba kernels are float64 numpy arrays with spare capacity plus a length.
  ``ListMirror`` keeps the array made for a list alive between entries (ilo lists only ever
  grow in place, by ``LISTAPPEND``), so re-entering with the same list converts only the new
  tail, and a sole-owned list is extended in place on exit: crossing the boundary costs
  O(elements added), not O(list length), per entry.
"""

from __future__ import annotations

from ilo.runtime.ownership import sole_in_slot


def take(regs: list, base: int, registers, known=None) -> tuple[list, list[bool]]:
    """Move the values of ``registers`` out of ``regs``; report which are sole-owned.

    Every register is cleared before any refcount is read, so a container held by two of
    the taken registers is seen as shared by both. ``known(obj)`` counts references the
    caller itself holds elsewhere (the ``ListMirror``), which do not make a value shared.
    """
    taken = []
    for r in registers:
        taken.append(regs[base + r])
        regs[base + r] = None
    sole = []
    for i in range(len(taken)):
        t = type(taken[i])  # no local binding: it would add a reference
        if t is list or t is dict:
            extra = known(taken[i]) if known is not None else 0
            sole.append(sole_in_slot(taken, i, extra))
        else:
            sole.append(True)
    return taken, sole


def put_back(regs: list, base: int, registers, values) -> None:
    for r, v in zip(registers, values):
        regs[base + r] = v


# ── numeric lists as numpy arrays ────────────────────────────────────────────


def is_number_list(v) -> bool:
    """True for a list whose elements are all ilo numbers (floats, not bools)."""
    return type(v) is list and (not v or set(map(type, v)) == {float})


class ListMirror:
    """Arrays made for lists, kept alive between kernel entries (a few, most recent first)."""

    LIMIT = 8

    def __init__(self):
        self._items: list = []  # [list object, array, valid length]

    def to_array(self, lst: list):
        """Return (array, n) with array[:n] equal to ``lst``, reusing a mirror when possible,
        or None if the list holds anything but numbers. Only elements not yet mirrored are
        checked and converted."""
        import numpy as np

        for item in self._items:
            if item[0] is lst:
                arr, n = item[1], item[2]
                if len(lst) >= n:
                    tail = lst[n:]
                    if tail:
                        if not is_number_list(tail):
                            return None
                        arr = _ensure(arr, len(lst))
                        arr[n:len(lst)] = tail
                        item[1], item[2] = arr, len(lst)
                    return arr, len(lst)
        if not is_number_list(lst):
            return None
        n = len(lst)
        arr = np.empty(max(16, n * 2), dtype=np.float64)
        arr[:n] = lst
        self._remember(lst, arr, n)
        return arr, n

    def holds(self, lst) -> int:
        """References the mirror itself keeps to ``lst`` (0 or 1)."""
        for item in self._items:
            if item[0] is lst:
                return 1
        return 0

    def from_array(self, original, sole: bool, arr, n: int, appended_only: bool) -> list:
        """The ilo list for kernel result (arr, n); extends ``original`` in place if allowed."""
        if appended_only and sole and type(original) is list and len(original) <= n:
            # OWNERSHIP: ``original`` was sole-owned at entry and the kernel only appended
            if n > len(original):
                original.extend(arr[len(original):n].tolist())
            lst = original
        else:
            lst = arr[:n].tolist()
        self._remember(lst, arr, n)
        return lst

    def _remember(self, lst, arr, n) -> None:
        # an array mirrors one list: a kernel may append to it in place beyond n, which
        # would corrupt any other list still claiming it
        self._items = [it for it in self._items if it[0] is not lst and it[1] is not arr]
        self._items.insert(0, [lst, arr, n])
        del self._items[self.LIMIT:]


def _ensure(arr, need: int):
    import numpy as np

    if need <= arr.shape[0]:
        return arr
    bigger = np.empty(max(need, arr.shape[0] * 2), dtype=np.float64)
    bigger[: arr.shape[0]] = arr
    return bigger
