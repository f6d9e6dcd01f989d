"""Native kernels: numba's machine code kept on disk and run without importing numba.

A fresh process that finds a kernel in numba's own disk cache still pays for importing
numba and initialising its compiler (0.6-1.5 s here) before the cached code can run: more
than most command-line runs take in total, so the cost model would keep such runs on
python kernels. For a kernel whose arguments and results are all scalars (numbers, bools,
optional numbers) this module stores it a second way, once numba has built it: wrapped in
a C-callable function (``numba.cfunc``) that reads the arguments from one ``double``
buffer, calls the kernel exactly as compiled, and writes the results (or "it raised")
back, saved as a relocatable object file. A later process loads the object with
llvmlite's MCJIT (~0.05 s for the first, a few ms each after) and calls it through ctypes:
numba and numpy are never imported. A process that has numba loaded already keeps using
numba's dispatcher, whose calls are cheaper than a ctypes call.

Safety: the wrapper catches every exception inside the native code (a loop kernel then
hands the entry back to the VM, a function kernel raises ``Deopt``), so the object needs no
part of numba's runtime. It may only need symbols of the C maths library: checked when it
is saved (its ELF symbol table) and again before it is loaded (each one must resolve in
this process, since an unresolved one is fatal inside LLVM). Objects are keyed by the
kernel source, the host CPU and its features, and llvmlite's version; a damaged or stale
file is ignored.

In: a loop kernel's ``KernelCode`` (``emit.generate``) or a function bundle
(``fnkernels.Bundle``), with its compiled numba dispatcher. Out: ``save_loop`` /
``save_function`` write ``<CACHE_DIR>/kernels/k_<hash>.<host>.native``; ``loop_kernel`` /
``load_function`` return callables with the dispatcher's interface, or None.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import tempfile
import threading

from ilo.jit import cache
from ilo.jit.deopt import Deopt

# the only symbols a stored object may leave undefined (the C maths and memory routines)
ALLOWED = frozenset(
    "fmod fmodf pow powf exp expf exp2 expm1 log logf log10 log2 log1p sin sinf cos cosf tan asin acos "
    "atan atan2 sinh cosh tanh asinh acosh atanh sqrt cbrt hypot floor floorf ceil ceilf trunc round rint "
    "nearbyint fabs copysign fmin fmax ldexp frexp erf erfc lgamma tgamma memcpy memset memmove".split())
_MAGIC = b"ilo-native-2\n"
# how a value travels in the buffer: a double, a flag (0.0/1.0), an integer
_CONVERT_IN = {"f": "p[{i}]", "b": "p[{i}] != 0.0", "i": "int(p[{i}])"}

# Use stored objects even with numba loaded (tests of this module; benchmarks comparing)
ALWAYS = False
_ENGINE: list = []  # the process's MCJIT engine, made on the first load
_LOADED: dict = {}  # object path -> callable (an engine keeps every object it was given)
_LOCK = threading.Lock()
_KEY: list = []
_LIBS: list = []


# ── which kernels ────────────────────────────────────────────────────────────


def _var_kind(var: str) -> str | None:
    """A numba kernel variable's buffer kind (see ``emit._NUM_VAR``), or None."""
    if "_L" in var or "_D" in var or not var.startswith("r"):
        return None
    tail = var.rpartition("_")[2]
    return "f" if tail in ("n", "o") else "b" if tail in ("b", "z") else None


def _loop_params(code) -> list:
    from ilo.jit.emit_vars import _companions

    params = []
    for _r, var in code.args:
        params += [var, *_companions(var)]
    return params


def _loop_shape(code):
    """(input kinds, output kinds) of a loop kernel the buffer can carry, or None."""
    if code.backend != "numba" or code.maps or code.depth or code.limited:
        return None
    ins = [_var_kind(v) for v in _loop_params(code)]
    outs = ["i"] + [_var_kind(v) for v in code.slots]
    return None if None in ins or None in outs else ("".join(ins), "".join(outs))


_SCALAR = {"n": "f", "b": "b"}


def _function_shape(bundle):
    root = bundle.root
    if bundle.backend != "numba" or bundle.limited or root.ret not in _SCALAR:
        return None
    if any(t not in _SCALAR for t in root.argtypes):
        return None
    return "i" + "".join(_SCALAR[t] for t in root.argtypes), _SCALAR[root.ret]


def usable(source: str) -> bool:
    """Should a kernel of ``source`` come from a stored object? Only while numba is not
    loaded (its dispatcher calls cost less than ctypes calls), and only if one is stored
    for some host (a directory lookup, no llvmlite import; the load checks the host)."""
    if "numba" in sys.modules and not ALWAYS:
        return False
    folder = cache.cache_dir() / "kernels"
    return any(folder.glob(f"k_{cache.source_hash(source)}.*.native"))


def engine_ready() -> bool:
    """Has this process loaded a native kernel (llvmlite imported, the engine made)?"""
    return bool(_ENGINE)


# ── loop kernels ─────────────────────────────────────────────────────────────


def loop_eligible(code) -> bool:
    return _loop_shape(code) is not None


def save_loop(code, dispatcher) -> bool:
    """Store ``code``'s compiled loop kernel (once per source); True if stored now."""
    shape = _loop_shape(code)
    return shape is not None and _store(code.source, dispatcher, *shape, tuple_result=True)


def loop_kernel(key, code):
    """A ``cache.Kernel`` running the stored native kernel for ``code`` (origin "native"),
    remembered under ``key`` like any kernel, or None. Its call raises ``Deopt`` when the
    native code raised: the VM then runs that entry of the loop itself."""
    shape = _loop_shape(code)
    func = _open(code.source, *shape, tuple_result=True) if shape and usable(code.source) else None
    if func is None:
        return None
    found = cache.Kernel(func, "numba", code.source, _path(code.source), 0.0)
    found.origin = "native"
    return cache.remember(key, found)


# ── function kernels ─────────────────────────────────────────────────────────


def function_eligible(bundle) -> bool:
    return _function_shape(bundle) is not None


def save_function(bundle, dispatcher) -> bool:
    """Store a function bundle's compiled root kernel (once per source)."""
    shape = _function_shape(bundle)
    return shape is not None and _store(bundle.source, dispatcher, *shape, tuple_result=False)


def load_function(bundle):
    """``f(depth, *args) -> value`` running the stored root kernel of ``bundle`` (raising
    ``Deopt`` where the kernel raised), or None."""
    shape = _function_shape(bundle)
    if shape is None or not usable(bundle.source):
        return None
    return _open(bundle.source, *shape, tuple_result=False)


# ── storing (numba is loaded: the kernel was just compiled or loaded by numba) ───


def _wrapper_source(ins: str, outs: str, tuple_result: bool, status: int) -> str:
    args = ", ".join(_CONVERT_IN[k].format(i=i) for i, k in enumerate(ins))
    lines = ["def native(p):", "    try:", f"        r = _k({args})"]
    for j, k in enumerate(outs):
        v = f"r[{j}]" if tuple_result else "r"
        lines.append(f"        p[{j}] = " + (f"1.0 if {v} else 0.0" if k == "b" else f"float({v})"))
    lines += [f"        p[{status}] = 0.0", "    except Exception:", f"        p[{status}] = 1.0"]
    return "\n".join(lines) + "\n"


def _store(source: str, dispatcher, ins: str, outs: str, tuple_result: bool) -> bool:
    """Never raises: a kernel that cannot be stored keeps running through numba."""
    try:
        path = _path(source)
        if _read(path) is not None:
            return False  # stored already (a damaged or older file is replaced)
        from ilo.jit import backend

        scope = {"_k": dispatcher}
        status = max(len(ins), len(outs))
        text = _wrapper_source(ins, outs, tuple_result, status)
        exec(compile(text, "<ilo native wrapper>", "exec"), scope)  # noqa: S102 - our own generated code
        name, obj = backend.c_wrapper_object(scope["native"])
        if set(undefined_symbols(obj)) - ALLOWED:
            return False
        meta = json.dumps({"name": name, "ins": ins, "outs": outs, "tuple": tuple_result,
                           "sha": hashlib.sha256(obj).hexdigest()}).encode()
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + struct.pack("<I", len(meta)) + meta + obj)
        os.replace(tmp, path)  # atomic: another process never reads half a file
        return True
    except Exception:  # noqa: BLE001 - an optimisation that failed costs nothing else
        return False


def undefined_symbols(obj: bytes) -> list:
    """The undefined symbols of a 64-bit little-endian ELF object; raises ValueError for
    anything else (another platform's objects are not stored)."""
    if obj[:4] != b"\x7fELF" or len(obj) < 64 or obj[4] != 2 or obj[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF object")
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    names = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        str_off, str_size = sections[link][4], sections[link][5]
        for pos in range(offset, offset + size, entsize or 24):
            st_name, _st_info, _st_other, st_shndx = struct.unpack_from("<IBBH", obj, pos)
            if st_shndx == 0 and st_name:  # SHN_UNDEF
                end = obj.index(b"\0", str_off + st_name, str_off + str_size)
                names.append(obj[str_off + st_name:end].decode())
    return names


def _host_key() -> str:
    """What machine code depends on besides the source: CPU, its features, llvmlite."""
    import llvmlite
    import llvmlite.binding as llvm

    text = f"{_MAGIC}|{llvm.get_host_cpu_name()}|{llvm.get_host_cpu_features().flatten()}|{llvmlite.__version__}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _path(source: str):
    if not _KEY:
        _KEY.append(_host_key())
    return cache.cache_dir() / "kernels" / f"k_{cache.source_hash(source)}.{_KEY[0]}.native"


# ── loading (numba is not needed) ─────────────────────────────────────────────


def _open(source: str, ins: str, outs: str, tuple_result: bool):
    with _LOCK:  # one engine per process, and an object is added to it once
        try:
            return _open_locked(source, ins, outs, tuple_result)
        except Exception:  # noqa: BLE001 - no native kernel: numba (or python) runs it
            return None


def _open_locked(source: str, ins: str, outs: str, tuple_result: bool):
    path = _path(source)
    found = _LOADED.get(path)
    if found is not None:
        return found
    stored = _read(path)
    if stored is None:
        return None
    meta, obj = stored
    if (meta["ins"], meta["outs"], meta["tuple"]) != (ins, outs, tuple_result):
        return None
    import ctypes

    import llvmlite.binding as llvm

    # an unresolved symbol is a fatal error inside LLVM: each one is resolved here first
    # (and handed to LLVM by address), or the kernel is not loaded
    for name in undefined_symbols(obj):
        address = _c_symbol(name) if name in ALLOWED else None
        if not address:
            return None
        llvm.add_symbol(name, address)
    engine = _engine()
    engine.add_object_file(llvm.ObjectFileRef.from_data(obj))
    engine.finalize_object()
    address = engine.get_function_address(meta["name"])
    if not address:
        return None
    func = ctypes.CFUNCTYPE(None, ctypes.POINTER(ctypes.c_double))(address)
    found = _LOADED[path] = _caller(func, ins, outs, tuple_result)
    return found


def _read(path):
    """(meta, object bytes) of a stored kernel, or None (absent, older format, damaged)."""
    try:
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        at = len(_MAGIC)
        size, = struct.unpack_from("<I", data, at)
        meta = json.loads(data[at + 4:at + 4 + size])
        obj = data[at + 4 + size:]
        return (meta, obj) if hashlib.sha256(obj).hexdigest() == meta["sha"] else None
    except (OSError, ValueError, KeyError, struct.error):
        return None


def _engine():
    if not _ENGINE:
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        machine = llvm.Target.from_default_triple().create_target_machine()
        _ENGINE.append(llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine))
    return _ENGINE[0]


def _c_symbol(name: str) -> int | None:
    """The address of a C library function in this process (the maths library included)."""
    import ctypes
    import ctypes.util

    if not _LIBS:
        _LIBS.append(ctypes.CDLL(None))
        libm = ctypes.util.find_library("m")
        if libm:
            _LIBS.append(ctypes.CDLL(libm))
    for lib in _LIBS:
        try:
            return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
        except AttributeError:
            continue
    return None


def _caller(func, ins: str, outs: str, tuple_result: bool):
    """The dispatcher's interface over the buffer: a loop kernel's ``(exit, *slots)``, a
    function kernel's value; ``Deopt`` where the native code raised."""
    import ctypes

    status = max(len(ins), len(outs))
    buffer_type = ctypes.c_double * (status + 1)
    width = len(outs)
    flags = [j for j, k in enumerate(outs) if k == "b"]

    if not tuple_result:
        as_flag = outs == "b"

        def call_function(*params):
            buf = buffer_type(*params)  # a buffer per call: kernels may run on several threads
            func(buf)
            if buf[status]:
                raise Deopt
            return buf[0] != 0.0 if as_flag else buf[0]

        return call_function

    def call_loop(*params):
        buf = buffer_type(*params)
        func(buf)
        if buf[status]:
            raise Deopt
        out = buf[:width]
        out[0] = int(out[0])
        for j in flags:
            out[j] = out[j] != 0.0
        return tuple(out)

    return call_loop


__all__ = ["function_eligible", "load_function", "loop_eligible", "loop_kernel", "save_function", "save_loop",
           "undefined_symbols", "usable"]
