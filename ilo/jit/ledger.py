"""Seconds python kernels have spent, summed over processes, so numba can be paid for once.

A command-line run is one process: a loop that takes 0.1 s in a python kernel never repays
numba's compile (~1 s) within it, so every run would stay on python however often the
same program runs. The cost model's account (``costs.py``: build numba once the python
time spent has reached what numba costs) is therefore kept on disk too: at exit a process
adds the seconds its python kernels spent to ``<CACHE_DIR>/kernels/s_<key>.spent``, and a
later process counts them as spent already. Once the total reaches numba's cost, one run
compiles the kernel (and ``native`` stores its machine code); every run after that loads it
in milliseconds. The key is what identifies a kernel across processes: a loop's region
fingerprint and entry types, or a function bundle's numba source.

Lost updates between processes exiting at once only delay the switch; a missing or
unreadable file counts as nothing spent. Never raises.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import tempfile

from ilo.jit import cache

_PENDING: dict = {}  # key -> (seconds credited at start, callable giving this process's seconds)
_REGISTERED: list = []


def _path(key: str):
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return cache.cache_dir() / "kernels" / f"s_{digest}.spent"


def credit(key: str) -> float:
    """Seconds earlier processes spent in python kernels for ``key``."""
    try:
        return max(0.0, float(_path(key).read_text()))
    except (OSError, ValueError):
        return 0.0


def track(key: str, spent) -> float:
    """Add ``spent()`` (seconds this process's python kernels spent for ``key``) to the
    file at exit; returns the credit already there."""
    before = credit(key)
    if key not in _PENDING:
        _PENDING[key] = (before, spent, cache.cache_dir())
        if not _REGISTERED:
            _REGISTERED.append(True)
            atexit.register(flush)
    return before


def flush() -> None:
    """Write every tracked account (at exit; tests call it directly)."""
    for key, (_before, spent, folder) in list(_PENDING.items()):
        try:
            seconds = float(spent())
            if seconds <= 0.0:
                continue
            path = folder / "kernels" / _path(key).name
            try:
                total = max(0.0, float(path.read_text())) + seconds
            except (OSError, ValueError):
                total = seconds
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                f.write(repr(total))
            os.replace(tmp, path)
        except Exception:  # noqa: BLE001 - an account that cannot be kept only delays numba
            continue
    _PENDING.clear()


__all__ = ["credit", "flush", "track"]
