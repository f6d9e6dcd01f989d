"""The one differential oracle every engine test uses.

``outcome(program, func, args, engine)`` says what one run gave, in a form that compares
across engines: ``("ok", printed value, Python type name)`` or ``("error", code, message,
(span start, span end), function)``. ``assert_same(src, func, *args)`` runs ``src`` on every
engine (tree, vm, jit), asserts every outcome is identical, and returns the tree engine's
result: the value itself, or the error tuple. Errors come back rather than raise, so a test
can assert on them (``assert_same(...)[:2] == ("error", "ILO-R004")``).
"""

from __future__ import annotations

import ilo
from ilo.runtime.format import format_value


def error_outcome(e: ilo.IloError) -> tuple:
    d = e.diagnostics[0]
    span = (d.span.start, d.span.end) if d.span is not None else None
    return ("error", d.code, d.message, span, d.function)


def outcome(program, func, args, engine: str, **options) -> tuple:
    """What one call gave, comparable across engines (see the module doc)."""
    try:
        value = program.call(func, *args, engine=engine, **options)
    except ilo.IloError as e:
        return error_outcome(e)
    return ("ok", format_value(value), type(value).__name__)


def assert_same(src, func: str | None, *args, engines=None, **options):
    """Every engine gives the same value and type, or the same error code, message, position
    and function. Returns the tree engine's value (or its error tuple). ``src`` may be
    source text or a loaded program."""
    from conftest import ENGINES

    engines = engines or ENGINES
    program = ilo.load(src) if isinstance(src, str) else src
    results = {eng: outcome(program, func, args, eng, **options) for eng in engines}
    first = results[engines[0]]
    assert all(r == first for r in results.values()), f"engines disagree on {src!r} {func} {args}: {results}"
    if first[0] == "error":
        return first
    return program.call(func, *args, engine=engines[0], **options)


def jit_agrees(src: str, func: str, args: tuple, calls: int = 3) -> tuple:
    """Tree and VM agree on ``src``; then ``calls`` JIT calls on one loaded program, at
    threshold 2 (loops compile at once, functions on their second entry, so later calls run
    the kernels), agree with them too. Returns (that program, the outcome): tests then read
    ``program.last_jit_stats`` to show the kernel they mean really ran."""
    want = outcome(ilo.load(src), func, args, "tree")
    assert outcome(ilo.load(src), func, args, "vm") == want, src
    program = ilo.load(src)
    for _ in range(calls):
        assert outcome(program, func, args, "jit", jit_threshold=2) == want, src
    return program, want


def function_kernel(stats, name: str):
    """The one compiled function ``name`` in a call's JIT stats (a test fails if there is none)."""
    (fk,) = [k for k in stats.functions if k.name == name]
    return fk
