"""Native loop kernels: numba's machine code kept on disk and loaded without numba.

A fresh process that finds a numba kernel in numba's own disk cache still pays for
importing numba and initialising its compiler (0.6-1.5 s here) before the cached code can
run, which is more than most command-line runs take in total, so the cost model keeps
such runs on python kernels. For a loop kernel whose registers are all scalars (numbers,
bools, optional numbers) this module stores the kernel a second way: compiled once more,
inlined into a C-callable wrapper (``numba.cfunc``) that reads its arguments from and
writes its results to one ``double`` buffer, and saved as a relocatable object file. A
later process loads that object with llvmlite's MCJIT (~0.05 s for the first one, a few
ms each after) and calls it through ctypes; numba and numpy are never imported.

The wrapper is compiled with numpy's error model, so the code has no path that raises: a
kernel exits to the VM *before* any instruction that could fail (``emit``), so that model
changes no result. The object may only need symbols from the C maths library, checked
when it is saved (its ELF symbol table) and again before loading (each must resolve in
this process), so a kernel that would need numba's runtime is never stored. Objects are
keyed by the kernel source, the host CPU and its features, and llvmlite's version.

In: a loop kernel's ``KernelCode`` (``emit.generate``) and its compiled numba dispatcher.
Out: ``save`` writes ``<CACHE_DIR>/kernels/k_<hash>.<key>.native``; ``load`` returns a
callable with the dispatcher's interface (``f(*params) -> (exit, *slots)``) or None.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import threading

from ilo.jit import cache

# suffixes of the numba variables a native kernel can carry in a double buffer
_FLOAT, _FLAG = ("n", "o"), ("b", "z")
# the only symbols a stored object may leave undefined (the C maths and memory routines)
ALLOWED = frozenset(
    "fmod fmodf pow powf exp expf exp2 expm1 log logf log10 log2 log1p sin sinf cos cosf tan asin acos "
    "atan atan2 sinh cosh tanh asinh acosh atanh sqrt cbrt hypot floor floorf ceil ceilf trunc round rint "
    "nearbyint fabs copysign fmin fmax ldexp frexp erf erfc lgamma tgamma memcpy memset memmove".split())
_MAGIC = b"ilo-native-1\n"

_ENGINE: list = []  # the process's MCJIT engine, made on the first load
_LOADED: dict = {}  # object path -> callable (an engine keeps every object it was given)
_LOCK = threading.Lock()


def _kind(var: str) -> str | None:
    """'f' (a double), 'b' (a flag) or None (not a scalar the buffer can carry)."""
    if "_L" in var or "_D" in var or not var.startswith("r"):
        return None
    tail = var.rpartition("_")[2]
    return "f" if tail in _FLOAT else "b" if tail in _FLAG else None


def _params(code) -> list | None:
    from ilo.jit.emit_vars import _companions

    params = []
    for _r, var in code.args:
        params += [var, *_companions(var)]
    return params


def eligible(code) -> bool:
    """Can ``code`` (a numba loop kernel) run as a native kernel?"""
    if code.backend != "numba" or code.maps or code.depth or code.limited:
        return False
    params = _params(code)
    return all(_kind(v) for v in params) and all(_kind(v) for v in code.slots)


def _host_key() -> str:
    """What machine code depends on besides the source: CPU, its features, llvmlite."""
    import llvmlite
    import llvmlite.binding as llvm

    text = f"{llvm.get_host_cpu_name()}|{llvm.get_host_cpu_features().flatten()}|{llvmlite.__version__}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


_KEY: list = []


def _path(source: str):
    if not _KEY:
        _KEY.append(_host_key())
    return cache.cache_dir() / "kernels" / f"k_{cache.source_hash(source)}.{_KEY[0]}.native"


def exists(source: str) -> bool:
    """Is a native kernel stored for ``source``, for any host? Cheap (a directory lookup,
    no llvmlite import), for the cost model; ``load`` checks the host."""
    folder = cache.cache_dir() / "kernels"
    return any(folder.glob(f"k_{cache.source_hash(source)}.*.native"))


def kernel(key, code):
    """A ``cache.Kernel`` running the native kernel stored for ``code`` (origin "native"),
    remembered under ``key`` like any kernel, or None."""
    func = load(code) if exists(code.source) else None
    if func is None:
        return None
    found = cache.Kernel(func, "numba", code.source, _path(code.source), 0.0)
    found.origin = "native"
    return cache.remember(key, found)


# ── saving (numba is loaded: the kernel was just compiled or loaded by numba) ─────────


def _wrapper_source(params: list, slots: list) -> str:
    args = ", ".join(f"p[{i}] != 0.0" if _kind(v) == "b" else f"p[{i}]" for i, v in enumerate(params))
    lines = ["def native(p):", f"    r = _k({args})", "    p[0] = float(r[0])"]
    for j, v in enumerate(slots, start=1):
        lines.append(f"    p[{j}] = 1.0 if r[{j}] else 0.0" if _kind(v) == "b" else f"    p[{j}] = r[{j}]")
    return "\n".join(lines) + "\n"


def save(code, dispatcher) -> bool:
    """Store ``code``'s kernel as a native object (once per source); True if stored now.
    Never raises: a kernel that cannot be stored just keeps running through numba."""
    try:
        if not eligible(code) or exists(code.source):
            return False
        from numba import cfunc, njit, types

        params = _params(code)
        inlined = njit(nogil=True, error_model="numpy", inline="always")(dispatcher.py_func)
        scope = {"_k": inlined}
        exec(compile(_wrapper_source(params, code.slots), "<ilo native wrapper>", "exec"), scope)  # noqa: S102
        wrapper = cfunc(types.void(types.CPointer(types.float64)), nopython=True,
                        error_model="numpy")(scope["native"])
        obj = wrapper._library._get_compiled_object()
        if set(undefined_symbols(obj)) - ALLOWED:
            return False
        meta = json.dumps({"name": wrapper.native_name, "params": params, "slots": list(code.slots),
                           "sha": hashlib.sha256(obj).hexdigest()}).encode()
        path = _path(code.source)
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
    if obj[:4] != b"\x7fELF" or obj[4] != 2 or obj[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF object")
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", obj, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    names = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        strtab = sections[link]
        str_off, str_size = strtab[4], strtab[5]
        for pos in range(offset, offset + size, entsize or 24):
            st_name, _st_info, _st_other, st_shndx = struct.unpack_from("<IBBH", obj, pos)
            if st_shndx == 0 and st_name:
                end = obj.index(b"\0", str_off + st_name, str_off + str_size)
                names.append(obj[str_off + st_name:end].decode())
    return names


# ── loading (numba is not needed) ─────────────────────────────────────────────


def engine_ready() -> bool:
    """Has this process loaded a native kernel (llvmlite imported, the engine made)?"""
    return bool(_ENGINE)


def _engine():
    if not _ENGINE:
        import llvmlite.binding as llvm

        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        machine = llvm.Target.from_default_triple().create_target_machine()
        _ENGINE.append(llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine))
    return _ENGINE[0]


def load(code):
    """The native kernel stored for ``code``, as a callable like its numba dispatcher, or
    None (none stored, a damaged file, a symbol this process lacks)."""
    with _LOCK:  # one engine per process, and an object is added to it once
        return _load(code)


def _load(code):
    try:
        path = _path(code.source)
        found = _LOADED.get(path)
        if found is not None:
            return found
        if not path.is_file():
            return None
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        at = len(_MAGIC)
        size, = struct.unpack_from("<I", data, at)
        meta = json.loads(data[at + 4:at + 4 + size])
        obj = data[at + 4 + size:]
        params = _params(code)
        if (hashlib.sha256(obj).hexdigest() != meta["sha"] or meta["params"] != params
                or meta["slots"] != list(code.slots)):
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
        found = _LOADED[path] = _caller(func, len(params), code.slots)
        return found
    except Exception:  # noqa: BLE001 - no native kernel: numba (or python) runs the loop
        return None


_LIBS: list = []


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


def _caller(func, nparams: int, slots: list):
    """``f(*params) -> (exit id, *slots)``: the dispatcher's interface over the buffer."""
    import ctypes

    size = max(nparams, len(slots) + 1)
    buffer_type = ctypes.c_double * size
    flags = [j for j, v in enumerate(slots, start=1) if _kind(v) == "b"]
    width = len(slots) + 1

    def call(*params):
        buf = buffer_type(*params)  # a buffer per call: kernels may run on several threads
        func(buf)
        out = buf[:width]
        out[0] = int(out[0])
        for j in flags:
            out[j] = out[j] != 0.0
        return tuple(out)

    return call


__all__ = ["eligible", "exists", "kernel", "load", "save", "undefined_symbols"]
