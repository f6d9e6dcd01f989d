"""Diagnostics: the error-code registry, the Diagnostic value and its renderers."""

from ilo.diagnostics.diagnostic import Diagnostic, IloError

__all__ = ["Diagnostic", "IloError"]
