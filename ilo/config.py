"""Every ILO_* tuning knob, read in one place.

| variable            | default          | meaning                                              |
|---------------------|------------------|------------------------------------------------------|
| ILO_ENGINE          | (unset)          | default engine for the CLI and API: tree, vm or jit  |
| ILO_JIT_THRESHOLD   | 1000             | loop back-edges before the JIT compiles a loop       |
| ILO_CACHE_DIR       | ~/.cache/ilo     | where compiled JIT kernels are cached on disk        |
| ILO_NO_JIT          | (unset)          | set to 1 to make the JIT tier decline every loop     |
| ILO_JIT_NUMBA       | auto             | auto / always / never: when hot loops use numba      |
| ILO_MAX_DEPTH       | 10000            | ilo call frames allowed before ILO-R014 (all engines)|
| ILO_DEBUG           | (unset)          | set: an internal error shows its Python traceback    |
| ILO_HISTORY         | ~/.ilo_history   | the REPL's history file                              |

ILO_CACHE_DIR, ILO_DEBUG and ILO_HISTORY are read at each use (``cache_dir()``, ``debug()``,
``history_file()``), so a test, a REPL session or a subprocess can change them after import;
the others are read once, when ilo is imported.
"""

from __future__ import annotations

import os
from pathlib import Path


def _readenv(name: str, default, convert=str):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return convert(raw)
    except ValueError:
        return default


ENGINE: str | None = _readenv("ILO_ENGINE", None)
JIT_THRESHOLD: int = _readenv("ILO_JIT_THRESHOLD", 1000, int)
CACHE_DIR: Path = Path(_readenv("ILO_CACHE_DIR", str(Path.home() / ".cache" / "ilo")))
JIT_NUMBA: str = _readenv("ILO_JIT_NUMBA", "auto")
NO_JIT: bool = _readenv("ILO_NO_JIT", "0") not in ("0", "", "false")
MAX_DEPTH: int = _readenv("ILO_MAX_DEPTH", 10000, int)


def cache_dir() -> Path:
    """Where JIT kernels are cached on disk (ILO_CACHE_DIR, read now)."""
    raw = os.environ.get("ILO_CACHE_DIR")
    return Path(raw) if raw else CACHE_DIR


def debug() -> bool:
    """ILO_DEBUG: re-raise internal errors with their traceback instead of ILO-R013."""
    return bool(os.environ.get("ILO_DEBUG"))


def history_file() -> Path:
    """The REPL's history file (ILO_HISTORY, read now)."""
    return Path(os.environ.get("ILO_HISTORY") or Path.home() / ".ilo_history")
