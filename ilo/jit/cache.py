"""Kernels in memory and on disk, keyed by (region fingerprint, live-in types).

In: kernel module source text (from ``emit.py``) and a backend name ("numba" or "python").
Out: the callable kernel.

On disk the source is written once, content-addressed, as ``<CACHE_DIR>/kernels/k_<hash>.py``
and imported from there. Because the function then lives in a real, unchanging file, numba's
``cache=True`` stores its machine code beside it (``__pycache__``) and a second process loads
it instead of compiling. The file is never rewritten when it already holds the same text:
a new mtime would invalidate numba's cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

from ilo import config

# (fingerprint, types) -> Kernel ; shared by every JitTier in the process (one per program
# and threshold), so two programs with the same loop, or a program loaded twice, build once.
_MEMORY: dict = {}


class Kernel:
    """A compiled loop kernel and how it was obtained."""

    __slots__ = ("func", "backend", "source", "path", "load_seconds", "origin", "first_call_seconds")

    def __init__(self, func, backend: str, source: str, path: Path, load_seconds: float):
        self.func = func
        self.backend = backend
        self.source = source
        self.path = path
        self.load_seconds = load_seconds
        # set after the first call: "compiled" or "cache" (numba), "python"; "native" for a
        # numba kernel's machine code loaded without numba (``native``)
        self.origin = "new"
        self.first_call_seconds = None


def cache_dir() -> Path:
    return config.cache_dir()  # read at each use: tests point a subprocess at a fresh directory


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]


def write_module(source: str) -> Path:
    """Write ``source`` to the kernel directory unless an identical file is already there."""
    kdir = cache_dir() / "kernels"
    kdir.mkdir(parents=True, exist_ok=True)
    path = kdir / f"k_{source_hash(source)}.py"
    try:
        if path.read_text(encoding="utf-8") == source:
            return path
    except OSError:
        pass
    # atomic replace, so a concurrent process never imports a half-written file
    fd, tmp = tempfile.mkstemp(dir=kdir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(source)
    os.replace(tmp, path)
    return path


def import_module(path: Path):
    name = f"ilo_kernel_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def numba_cached(source: str) -> bool:
    """True when numba's on-disk cache already holds machine code for this kernel source."""
    path = cache_dir() / "kernels" / f"k_{source_hash(source)}.py"
    if not path.exists():
        return False
    return any((path.parent / "__pycache__").glob(f"{path.stem}.*.nbi"))


def lookup(key):
    return _MEMORY.get(key)


def remember(key, kernel: Kernel) -> Kernel:
    """Keep ``kernel`` (built elsewhere: ``native``) for ``key``; the first one stays."""
    return _MEMORY.setdefault(key, kernel)


def load(key, source: str, backend: str, func_name: str = "kernel") -> Kernel:
    """Return the kernel for ``key``, building it from ``source`` if this process has not yet."""
    found = _MEMORY.get(key)
    if found is not None:
        return found
    t0 = time.perf_counter()
    path = write_module(source)
    func = getattr(import_module(path), func_name)
    if backend == "numba":
        from ilo.jit import backend as nb

        func = nb.njit(func)
    kernel = Kernel(func, backend, source, path, time.perf_counter() - t0)
    _MEMORY[key] = kernel
    return kernel
