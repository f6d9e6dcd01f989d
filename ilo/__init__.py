"""ilo for Python: a fast, faithful implementation of the ilo language.

Public surface: ``run``, ``load``, ``Program``, ``IloError`` and the value classes. Engines
are imported lazily so ``import ilo`` stays cheap and never imports numba.
"""

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.values import Err, FnRef, Ok, Record

__all__ = ["run", "load", "Program", "IloError", "Diagnostic", "Ok", "Err", "Record", "FnRef"]


def __getattr__(name: str):
    if name in ("run", "load", "load_file", "Program"):
        from ilo import api

        return getattr(api, name)
    raise AttributeError(name)
