"""Syntax stage: source text → tokens (``lexer.lex``) → AST (``parser.parse``).

``parse(source)`` is the stage's one door; it raises ``IloError`` with ``ILO-L``/``ILO-P``
diagnostics for malformed programs.
"""

from ilo.syntax.parser import parse

__all__ = ["parse"]
