"""The tree-walking interpreter: ``run(verified_program, func, args)`` → value.

The reference semantics for every other engine. See ``interpreter.py``.
"""

from ilo.interp.interpreter import DEFAULT_MAX_DEPTH, Interpreter, run

__all__ = ["run", "Interpreter", "DEFAULT_MAX_DEPTH"]
