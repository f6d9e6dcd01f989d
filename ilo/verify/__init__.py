"""Verifier: AST → VerifiedProgram, or IloError carrying every diagnostic at once.

``verify(program, source)`` is the one entry point; see ``verifier.py`` for what it checks.
"""

from ilo.verify.program import CallTarget, VerifiedProgram
from ilo.verify.verifier import verify

__all__ = ["verify", "VerifiedProgram", "CallTarget"]
