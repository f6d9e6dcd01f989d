"""Native loop kernels (``ilo.jit.native``): a numba loop kernel over scalars is stored as
machine code the first time numba builds it, and a later process runs that code without
importing numba; every result, exit and error is the one the tree gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import ilo
from ilo import vm
from ilo.jit import cache, native
from ilo.jit.tier import JitTier
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import from_python

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parents[1]

# scalar loops of several shapes: bools, an optional number (``??``), a guard that leaves
# the kernel mid-loop (division by zero: the VM reports it), an early return
PROGRAMS = {
    "mod": ("f n:n>n;s=0;i=0;wh <i n{r=mod i 7;s=+s r;i=+i 1};s", [3000]),
    "flags": ("f n:n>n;s=0;up=true;@i 0..n{up=!up;s=?up{+s i}{-s 1}};s", [2500]),
    "sqrt": ("f n:n>n;s=0;@i 0..n{s=+s sqrt i};s", [2000]),
    "divide": ("f n:n>n;s=0;i=0;wh <i n{d=-i 500;s=+s /1 d;i=+i 1};s", [1000]),
    "early": ("f n:n>n;i=0;wh <i n{>=*i i 4000 i;i=+i 1};-1", [10000]),
}


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ILO_CACHE_DIR", str(tmp_path))
    # numba is loaded in this process: stored objects are used anyway, as a new process would
    monkeypatch.setattr(native, "ALWAYS", True)
    cache._MEMORY.clear()  # kernels built under another cache directory must not be reused
    yield tmp_path
    cache._MEMORY.clear()


def _in_new_process(child: str, cache_dir: Path, **env) -> dict:
    """Run the Python code ``child`` in a fresh interpreter with its own kernel cache; its
    last line of output, as JSON."""
    env = dict(os.environ, ILO_CACHE_DIR=str(cache_dir), PYTHONPATH=str(ROOT), **env)
    out = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, check=True,
                         timeout=240)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _natives(folder: Path) -> list:
    return sorted((folder / "kernels").glob("*.native"))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_stored_native_kernel_gives_the_tree_answer(name, fresh_cache):
    src, args = PROGRAMS[name]
    want = _tree(src, args)
    value, stats = _outcome(src, args)  # numba builds the kernel and stores it
    assert value == want
    assert stats.ran("numba")
    assert _natives(fresh_cache), "the numba kernel was not stored as a native one"
    cache._MEMORY.clear()  # as a new process: the kernel must come from the stored object
    value, stats = _outcome(src, args)
    assert value == want
    assert [s.origin for s in stats.compiled if s.entries] == ["native"]


def _outcome(src, args):
    """(("ok", value) or ("error", code, message, span), stats) of a run on a tier that
    builds numba kernels at once; a second call finds them in memory or on disk."""
    program = ilo.load(src)
    tier = JitTier(threshold=2, numba="always")
    try:
        value = ("ok", vm.run(program.compiled(), "f", [from_python(a) for a in args], hooks=tier))
    except IloRuntimeError as e:
        value = ("error", e.code, e.message, (e.span.start, e.span.end))
    return value, tier.stats


def _tree(src, args):
    try:
        return ("ok", ilo.load(src).call("f", *args, engine="tree"))
    except ilo.IloError as e:
        d = e.diagnostics[0]
        return ("error", d.code, d.message, (d.span.start, d.span.end))


@pytest.mark.timeout(300)
def test_only_objects_needing_no_more_than_the_maths_library_are_stored(fresh_cache, monkeypatch):
    src, args = PROGRAMS["mod"]
    _outcome(src, args)
    (path,) = _natives(fresh_cache)
    data = path.read_bytes()
    symbols = native.undefined_symbols(data[data.index(b"\x7fELF"):])
    assert "fmod" in symbols and set(symbols) <= native.ALLOWED
    # a kernel whose object would need anything else (here: fmod itself) is not stored
    path.unlink()
    cache._MEMORY.clear()
    monkeypatch.setattr(native, "ALLOWED", frozenset())
    value, stats = _outcome(src, args)
    assert value == _tree(src, args) and stats.ran("numba")
    assert not _natives(fresh_cache)
    with pytest.raises(ValueError):
        native.undefined_symbols(b"not an object file")


@pytest.mark.timeout(300)
def test_a_new_process_runs_the_stored_kernel_without_importing_numba(tmp_path):
    src = PROGRAMS["mod"][0]
    child = (
        "import json, sys, ilo\n"
        f"p = ilo.load({src!r})\n"
        "v = p.call('f', 2000000)\n"
        "s = p.last_jit_stats\n"
        "print(json.dumps({'value': v, 'origins': [c.origin for c in s.compiled],"
        " 'numba': 'numba' in sys.modules, 'numpy': 'numpy' in sys.modules}))\n"
    )
    first = _in_new_process(child, tmp_path, ILO_JIT_NUMBA="always")  # compiles, stores the native kernel
    assert first["origins"] == ["compiled"] and first["numba"]
    second = _in_new_process(child, tmp_path)  # the default policy: the stored kernel is cheap enough
    want = ilo.load(src).call("f", 2000000, engine="vm")
    assert first["value"] == second["value"] == want
    assert second["origins"] == ["native"]
    assert not second["numba"] and not second["numpy"]


def test_a_damaged_object_is_not_loaded(fresh_cache):
    src, args = PROGRAMS["sqrt"]
    _outcome(src, args)
    (path,) = _natives(fresh_cache)
    path.write_bytes(path.read_bytes()[:-40] + b"\0" * 40)  # the checksum no longer matches
    cache._MEMORY.clear()
    native._LOADED.clear()
    value, stats = _outcome(src, args)
    assert value == _tree(src, args)
    assert [s.origin for s in stats.compiled if s.entries] != ["native"]


@pytest.mark.timeout(300)
def test_a_stored_function_kernel_recurses_and_gives_up_where_the_kernel_does(fresh_cache):
    from ilo.jit import backend, fnkernels
    from ilo.jit.deopt import Deopt

    # names of this test's own, so no other test has built (and frozen) these kernels
    program = ilo.load("natfib n:n>n;<=n 1 n;a=natfib -n 1;b=natfib -n 2;+a b\n"
                       "natodd n:n>b;=mod n 2 1")
    compiled = program.compiled()
    for name, args, want in [("natfib", (20.0,), 6765.0), ("natodd", (7.0,), True)]:
        bundle = fnkernels.build(compiled, name, ("n",), "numba")
        assert native.function_eligible(bundle)
        func = getattr(cache.import_module(cache.write_module(bundle.source)), bundle.root.fname)
        backend.prepare(func, [0, 0.0])
        assert native.save_function(bundle, func)
        stored = native.load_function(bundle)
        assert stored is not None
        assert stored(100, *args) == func(100, *args) == want
        assert type(stored(100, *args)) is type(want)
    with pytest.raises(Deopt):  # the depth limit is reached inside: the VM runs the call
        native.load_function(fnkernels.build(compiled, "natfib", ("n",), "numba"))(5, 20.0)


@pytest.mark.timeout(300)
def test_a_new_process_runs_a_stored_function_kernel_without_importing_numba(tmp_path):
    src = "natrec n:n>n;<=n 1 n;a=natrec -n 1;b=natrec -n 2;+a b"
    child = (
        "import json, sys, ilo\n"
        f"p = ilo.load({src!r})\n"
        "v = p.call('natrec', 24)\n"
        "print(json.dumps({'value': v, 'origins': [k.origin for k in p.last_jit_stats.functions],"
        " 'numba': 'numba' in sys.modules}))\n"
    )
    first = _in_new_process(child, tmp_path, ILO_JIT_NUMBA="always")
    assert first["origins"] == ["compiled"] and first["numba"]
    second = _in_new_process(child, tmp_path, ILO_JIT_NUMBA="always")  # the stored kernel is numba's code
    assert second["value"] == first["value"] == 46368.0
    assert second["origins"] == ["native"] and not second["numba"]
