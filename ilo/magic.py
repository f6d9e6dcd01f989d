"""The IPython / Jupyter cell magic: ``%load_ext ilo``, then a cell

    %%ilo dbl 21
    dbl x:n>n;*x 2

loads the cell as an ilo program and calls ``dbl 21``; the cell's value is the result, as a
Python value (Jupyter displays it). The line is ``[options] [FUNC [ARGS...]]``: arguments are
command-line words converted by the parameter types, as ``ilo PROGRAM FUNC ARGS`` does (IPython
has already expanded ``$name`` and ``{expr}`` in it). Options: ``--engine tree|vm|jit``,
``--name VAR`` (also bind the loaded ``ilo.Program`` to ``VAR`` in the notebook, so later cells
can call ``VAR.dbl(5)``), ``--max-steps N``, ``--timeout SECONDS``. With no FUNC the cell's
value is the ``Program`` itself. An ilo error prints its diagnostic (with the caret under the
cell's source) instead of a Python traceback, and the cell's value is None.

``ilo_cell(line, cell, namespace)`` is the magic itself, callable without IPython; the
extension hook ``load_ipython_extension`` only registers it.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from ilo.diagnostics.diagnostic import Diagnostic, IloError

USAGE = "usage: %%ilo [--engine tree|vm|jit] [--name VAR] [--max-steps N] [--timeout S] [FUNC [ARGS...]]"


def ilo_cell(line: str, cell: str, namespace: dict | None = None) -> Any:
    """Run one ``%%ilo`` cell: ``line`` is the text after ``%%ilo``, ``cell`` the program."""
    from ilo import api

    try:
        opts, words = _options(line)
    except ValueError as e:
        print(f"%%ilo: {e}\n{USAGE}", file=sys.stderr)
        return None
    program = None
    try:
        program = api.load(cell, "<cell>")
        if opts.get("name"):
            if namespace is None:
                raise ValueError("--name needs a namespace to bind in")
            namespace[opts["name"]] = program
        if not words:
            return program
        func, rest = words[0], words[1:]
        if func not in program.function_names:
            func, rest = None, words  # `%%ilo 5`: arguments for the first function
        name = program.resolve_function(func)
        args = api.coerce_cli_args(program, name, rest)
        return program.call(name, *args, engine=opts.get("engine"), max_steps=opts.get("max_steps"),
                            timeout=opts.get("timeout"))
    except IloError as e:
        _report(e.diagnostics, program.source if program is not None else getattr(e, "source", None))
        return None
    except ValueError as e:
        print(f"%%ilo: {e}", file=sys.stderr)
        return None


def _options(line: str) -> tuple[dict, list[str]]:
    words = shlex.split(line)
    opts: dict = {}
    keys = {"--engine": ("engine", str), "--name": ("name", str), "--max-steps": ("max_steps", int),
            "--timeout": ("timeout", float)}
    rest: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        key, eq, inline = w.partition("=")
        if key in keys and not rest:
            if not eq:
                if i + 1 >= len(words):
                    raise ValueError(f"{key} requires a value")
                i += 1
                inline = words[i]
            field, conv = keys[key]
            try:
                opts[field] = conv(inline)
            except ValueError:
                raise ValueError(f"{key}: not a number: {inline!r}") from None
        else:
            rest.append(w)
        i += 1
    engine = opts.get("engine")
    if engine is not None and engine not in ("tree", "vm", "jit"):
        raise ValueError(f"unknown engine {engine!r}")
    name = opts.get("name")
    if name is not None and not name.isidentifier():
        raise ValueError(f"--name {name!r} is not a Python identifier")
    return opts, rest


def _report(diags: list[Diagnostic], source) -> None:
    from ilo.diagnostics.render import render_human

    for d in diags:
        print(render_human(d, source), file=sys.stderr)


def load_ipython_extension(ipython) -> None:
    """``%load_ext ilo``: register the ``%%ilo`` cell magic."""

    def ilo(line: str, cell: str):
        return ilo_cell(line, cell, ipython.user_ns)

    ilo.__doc__ = __doc__
    ipython.register_magic_function(ilo, magic_kind="cell", magic_name="ilo")
