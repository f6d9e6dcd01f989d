"""The helpers translated functions call, as Python text placed after the carried runtime.

Operators, builtins, pattern matching, value classes, truthiness and formatting come from
the carried runtime itself (the same definitions every engine uses). What is here is the
glue the tree interpreter does inline: field and index access, record construction and
``with``, loop collections and range bounds, calls through function values, tools, and the
entry point that converts Python arguments and reports errors. Each helper gives the same
codes and messages as ``ilo/interp/exprs.py`` / ``calls.py`` / ``interpreter.py``
(``tests/test_emit_python.py`` runs every example program both ways).
"""

PRELUDE = r'''
# ── what the translated functions call ──
import sys as _sys
import threading as _threading

_values = _rt("runtime.values")
Ok, Err, Record, FnRef = _values.Ok, _values.Err, _values.Record, _values.FnRef
_truthy, _type_name, _from_python = _values.truthy, _values.type_name, _values.from_python
IloRuntimeError = _rt("runtime.errors").IloRuntimeError
_panic_error = _rt("runtime.errors").panic_error
_rt("runtime.builtins")  # registers every builtin
_registry = _rt("runtime.builtins.registry")
_ops = _rt("interp.operators")
_BIN, _unary = _ops.BINARY, _ops.unary
_vops = _rt("runtime.operators")
_calls = _rt("runtime.calls")
_match = _rt("interp.exprs").match_pattern
_own = _rt("runtime.ownership")
_mismatch = _rt("runtime.typecheck").mismatch
_ast = _rt("syntax.ast")
_types = _rt("types")
format_value = _rt("runtime.format").format_value


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    def __init__(self, value):
        self.value = value


class _Continue(Exception):
    pass


class _Node:  # operators take the node for its span; an emitted module has no spans
    span = None


_N = _Node()
_MISSING = object()


def _and(a, right):
    return right() if _truthy(a) else a


def _or(a, right):
    return a if _truthy(a) else right()


def _coalesce(v, default):
    return default() if v is None else v


def _field(obj, name, safe):
    if safe:  # `.?`: nil for nil, a non-record, or a missing field
        return obj.fields.get(name) if type(obj) is Record else None
    if type(obj) is Record:
        try:
            return obj.fields[name]
        except KeyError:
            raise IloRuntimeError("ILO-R005", f"no field '{name}' on record") from None
    raise IloRuntimeError("ILO-R005", f"cannot access field '{name}' on {_type_name(obj)} (not a record)")


def _index(obj, i, safe):
    if obj is None and safe:
        return None
    if type(obj) is list:
        if 0 <= i < len(obj):
            return obj[i]
        raise IloRuntimeError("ILO-R006", f"list index {i} out of bounds (len {len(obj)})")
    raise IloRuntimeError("ILO-R006", f"index access on {_type_name(obj)} (not a list)")


def _record(type_name, given):
    given = dict(given)
    order = _RECORDS.get(type_name)
    if order is None:
        return Record(type_name, given)
    fields = {name: given.pop(name) for name in order if name in given}
    fields.update(given)
    return Record(type_name, fields)


def _with(obj, updates):
    if type(obj) is not Record:
        raise IloRuntimeError("ILO-R008", f"'with' needs a record, got {_type_name(obj)}")
    fields = dict(obj.fields)
    fields.update(updates)
    return Record(obj.type_name, fields)


def _destructure(value, names):
    if type(value) is not Record:
        raise IloRuntimeError("ILO-R005", f"destructuring needs a record, got {_type_name(value)}")
    for name in names:
        if name not in value.fields:
            raise IloRuntimeError("ILO-R005", f"no field '{name}' on record")
    return tuple(value.fields[n] for n in names)


def _foreach_items(items):
    if type(items) is not list:
        raise IloRuntimeError("ILO-R007", f"foreach needs a list, got {_type_name(items)}")
    return items


def _range_bound(v, which):
    return int(_vops.range_bound(v, which))


_CALLERS = {}


def _builtin(name):
    caller = _CALLERS.get(name)
    if caller is None:
        spec = _registry.get(name)
        impl = spec.impl
        if spec.needs_call:
            def caller(*args, _impl=impl):
                return _impl(_call_value, *args)
        else:
            caller = impl
        _CALLERS[name] = caller
    return caller


def _function_value(name):
    if name in _FUNCS or name in _TOOLS:
        return FnRef(name)
    canonical = _registry.canonical(name)
    if canonical is None:
        raise IloRuntimeError("ILO-R001", f"undefined variable: {name}")
    return FnRef(canonical)


# Calls decided at run time go through the engines' shared machinery (runtime.calls); the
# function table is made at the end of the module, so the machinery is built on first use.
_CALLS = []


def _shared_calls():
    if not _CALLS:
        _CALLS.append(_calls.Calls(_FUNCS, _TOOLS, lambda fn: fn.__code__.co_argcount, lambda fn, args: fn(*args)))
    return _CALLS[0]


def _call_named(name, args):
    return _shared_calls().call_named(name, args)


def _call_value(fn, args):
    """The callback higher-order builtins call function values through."""
    return _shared_calls().call_value(fn, args)


def _call_local(value, name, args):
    calls = _shared_calls()
    if value is _MISSING:
        return calls.call_named(name, args)
    if type(value) is FnRef and value.captures:
        args = args + list(value.captures)
    return calls.call_named(calls.resolve_local(value, name), args)


_tool = _calls.call_tool


def _entry(name, args):
    """Call ilo function ``name`` with Python values, on a thread with room for deep
    recursion; errors raise ``IloRuntimeError`` (``.code``, ``.message``)."""
    fn = _FUNCS[name]
    params = _PARAMS[name]
    if len(args) != len(params):
        raise IloRuntimeError("ILO-T006", f"'{name}' takes {len(params)} argument(s), {len(args)} given")
    values = []
    for (pname, ty), arg in zip(params, args):  # the checks Program.call makes (ILO-R016)
        try:
            value = _from_python(arg)
        except TypeError as e:
            raise IloRuntimeError("ILO-R016", f"argument '{pname}' of '{name}': {e}") from None
        why = _mismatch(value, ty, _TYPEDEFS, _ALIASES)
        if why is not None:
            raise IloRuntimeError("ILO-R016", f"argument '{pname}' of '{name}' expects {ty}, {why}")
        values.append(value)
    outcome = {}

    def work():
        try:
            outcome["value"] = fn(*values)
        except RecursionError:
            outcome["error"] = IloRuntimeError("ILO-R014", "call depth exceeded (recursion too deep)")
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = e

    old_limit = _sys.getrecursionlimit()
    _sys.setrecursionlimit(max(old_limit, 60_000))
    old_stack = _threading.stack_size(512 * 1024 * 1024)
    try:
        t = _threading.Thread(target=work, daemon=True)
        t.start()
    finally:
        _threading.stack_size(old_stack)
    t.join()
    _sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _main(argv):
    """``python MODULE.py [FUNC] [ARGS...]``: each argument is read as JSON when it parses
    (``5``, ``[1,2]``, ``true``), else taken as text; the result is printed as ilo prints it."""
    import json as _json

    if argv and argv[0] in _FUNCS:
        name, argv = argv[0], argv[1:]
    else:
        name = next(iter(_FUNCS))
    args = []
    for word in argv:
        try:
            args.append(_json.loads(word))
        except ValueError:
            args.append(word)
    try:
        print(format_value(_entry(name, args)))
    except IloRuntimeError as e:
        print(f"error[{e.code}]: {e.message}", file=_sys.stderr)
        return 1
    return 0
'''
