"""Control-flow signals of the tree interpreter, as exception classes.

They mirror the reference interpreter's body results: a body either completes with a
value (a normal Python return) or ends with one of these. Raised by the statement
handlers in ``interpreter.py`` and caught only there; nothing outside ``ilo.interp`` ever
sees them.

- ``ReturnSignal``: ``ret e``, a braceless guard that fires, a match statement that is the
  last statement of its body, or a ``f! x`` that met an ``Err`` (after conversion).
- ``BreakSignal``: ``brk`` / ``brk e``; the loop's value becomes ``value``.
- ``ContinueSignal``: ``cnt``.
- ``PropagateSignal``: raised by ``f! x`` when ``f`` returned ``^e``. The innermost body
  being executed turns it into a ``ReturnSignal`` carrying the ``Err`` (the reference does
  exactly this), so it is never seen outside a body.
"""

from __future__ import annotations


class Signal(Exception):  # noqa: N818 - a signal, not an error
    """Base class; never raised itself. A signal carries only its value."""

    __slots__ = ("value",)

    def __init__(self, value=None):
        self.value = value


class ReturnSignal(Signal):
    __slots__ = ()


class BreakSignal(Signal):
    __slots__ = ()


class ContinueSignal(Signal):
    __slots__ = ()


class PropagateSignal(Signal):
    """``value`` is the ``Err`` being propagated by ``f!``."""

    __slots__ = ()
