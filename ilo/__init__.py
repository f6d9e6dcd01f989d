"""ilo for Python: a fast, faithful implementation of the ilo language.

    >>> import ilo
    >>> ilo.run("dbl x:n>n;*x 2", "dbl", 21)
    42.0
    >>> prog = ilo.load("tot n:n>n;s=0;@i 0..n{s=+s i};s")
    >>> prog.tot(10)                      # functions as attributes; also prog.call("tot", 10)
    45.0

Public surface: ``run``, ``load``, ``load_file``, ``Program`` (its functions are attributes),
``IloError`` (``.diagnostics``: code, message, span) and the value classes ``Ok``, ``Err``,
``Record``, ``FnRef``. Numbers come back as ``float``; ``int`` of any size that fits a float,
numpy scalars and arrays are accepted as arguments. ``%load_ext ilo`` in IPython/Jupyter adds
the ``%%ilo`` cell magic (``ilo.magic``). Engines are imported lazily so ``import ilo`` stays
cheap and never imports numba.
"""

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.values import Err, FnRef, Ok, Record

__all__ = ["run", "load", "load_file", "Program", "Function", "IloError", "Diagnostic", "Ok", "Err",
           "Record", "FnRef"]
_LAZY = ("run", "load", "load_file", "Program", "Function")


def __getattr__(name: str):
    if name in _LAZY:
        from ilo import api

        return getattr(api, name)
    raise AttributeError(name)


def __dir__() -> list[str]:  # so help(ilo) and tab completion see the lazy names
    return sorted(set(globals()) | set(_LAZY))


def load_ipython_extension(ipython) -> None:
    """``%load_ext ilo``: adds the ``%%ilo`` cell magic (see ``ilo.magic``)."""
    from ilo.magic import load_ipython_extension as load

    load(ipython)
