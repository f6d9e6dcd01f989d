"""``use "file.ilo"`` and ``use "file.ilo" [a b]``: merge imported declarations.

As the reference does it: the path is relative to the importing file; imports are
transitive; everything lands in one flat namespace, imported declarations first (so name
collisions are the verifier's duplicate-declaration errors); ``use`` in inline code or a
missing file is ILO-P017, a cycle ILO-P018, a listed name the file does not declare
ILO-P019. Each file is parsed once per import chain; problems are collected, not raised
one by one.
"""

from __future__ import annotations

from pathlib import Path

from ilo.diagnostics import Diagnostic, IloError
from ilo.source import Source
from ilo.syntax import ast


def resolve_imports(program: ast.Program, base_dir: Path | None) -> ast.Program:
    """``program`` with every ``use`` replaced by the declarations it imports."""
    if not any(isinstance(d, ast.Use) for d in program.decls):
        return program
    diagnostics: list[Diagnostic] = []
    counter = [0]
    decls = _resolve(program.decls, base_dir, set(), diagnostics, counter)
    if diagnostics:
        raise IloError(diagnostics)
    return ast.Program(decls, source_text=program.source_text)


def _decl_name(d: ast.Decl) -> str | None:
    return getattr(d, "name", None) if not isinstance(d, ast.Use) else None


def _resolve(decls, base_dir, visiting: set, diagnostics: list, counter: list) -> list:
    from ilo.syntax.parser import parse

    out: list[ast.Decl] = []
    for d in decls:
        if not isinstance(d, ast.Use):
            out.append(d)
            continue
        if base_dir is None:
            diagnostics.append(Diagnostic(
                "ILO-P017", "`use` requires a file path context — not supported in inline code", d.span))
            continue
        path = (base_dir / d.path)
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            diagnostics.append(Diagnostic("ILO-P017", f'use "{d.path}": file not found', d.span))
            continue
        if real in visiting:
            diagnostics.append(Diagnostic("ILO-P018", f'use "{d.path}": circular import', d.span))
            continue
        try:
            text = real.read_text(encoding="utf-8").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError) as e:
            diagnostics.append(Diagnostic("ILO-P017", f'use "{d.path}": {e}', d.span))
            continue
        counter[0] += 1
        try:
            imported = parse(Source(str(real), text), lambda_prefix=f"__lit_u{counter[0]}_")
        except IloError as e:
            diagnostics.extend(e.diagnostics)
            continue
        visiting.add(real)
        inner = _resolve(imported.decls, real.parent, visiting, diagnostics, counter)
        visiting.discard(real)
        if d.only is not None:
            names = {_decl_name(x) for x in inner}
            for name in d.only:
                if name not in names:
                    diagnostics.append(Diagnostic(
                        "ILO-P019", f"use \"{d.path}\": name '{name}' not found in imported file", d.span))
            # Lambdas the kept functions use come along (they are lifted functions).
            inner = [x for x in inner if _decl_name(x) in d.only
                     or (isinstance(x, ast.Function) and x.lifted)]
        out.extend(inner)
    return out


__all__ = ["resolve_imports"]
