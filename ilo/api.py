"""The pipeline driver and public Python API.

``load(source)`` runs lex → parse → verify once and returns a ``Program`` whose functions can
be called many times on any engine. ``run(source, func, *args)`` is the one-shot form.
Engines are imported lazily: importing ``ilo`` or running a program on the tree engine or
the VM never imports the JIT package, and so never imports numba.

Python ↔ ilo values (see ``ilo.runtime.values``): numbers come back as ``float``, text as
``str``, ``true``/``false`` as ``bool``, ``nil`` as ``None``, lists as ``list``, maps as
``dict``, records as ``Record`` (fields readable as attributes), results as ``Ok``/``Err``.
Arguments may be given as the same types; Python ``int`` is accepted for numbers.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.limits import Budget
from ilo.runtime.typecheck import is_plain_list_of, mismatch
from ilo.runtime.values import from_python
from ilo.source import Source
from ilo.types import TAny, TBool, TFn, TList, TNum, TOpt, TText, Ty

ENGINES = ("tree", "vm", "jit")


class EngineUnavailable(Exception):
    """An engine whose package has not been built yet was asked for."""


_AVAILABLE: dict = {}  # engine name -> True once found (looking is slow: ~9 us for the JIT)


def engine_available(name: str) -> bool:
    if name in _AVAILABLE:
        return True
    if _engine_found(name):
        _AVAILABLE[name] = True
        return True
    return False


def _engine_found(name: str) -> bool:
    try:
        if name == "tree":
            return hasattr(importlib.import_module("ilo.interp"), "run")
        if name == "vm":
            return hasattr(importlib.import_module("ilo.vm"), "compile_program")
        if name == "jit":
            # Checking for the tier module does not import numba: that happens only when
            # a loop is first compiled.
            return importlib.util.find_spec("ilo.jit.tier") is not None
    except ImportError:
        return False
    return False


def default_engine() -> str:
    """$ILO_ENGINE if set, else the JIT: it is never more than 10% slower than the plain VM,
    even on loops too cold to compile (``bench/cold_loops.py``, ``bench/RESULTS.md``)."""
    from ilo import config

    if config.ENGINE in ENGINES and engine_available(config.ENGINE):
        return config.ENGINE
    for name in ("jit", "vm"):
        if engine_available(name):
            return name
    return "tree"


class Program:
    """A parsed and verified ilo program. Call its functions with ``call``."""

    def __init__(self, verified):
        self.verified = verified
        self._compiled = None
        self._tiers: dict = {}
        self._last_tier = None

    @property
    def last_jit_stats(self):
        """What the JIT did in the last ``engine="jit"`` call (``JitStats``), or None."""
        return None if self._last_tier is None else self._last_tier.stats

    @property
    def source(self) -> Source:
        return self.verified.source

    @property
    def function_names(self) -> list[str]:
        return [f.name for f in self.verified.program.functions if not f.lifted]

    def params(self, func: str) -> list:
        return list(self.verified.functions[func].params)

    def resolve_function(self, func: str | None) -> str:
        if func is None:
            first = self.verified.first_function
            if first is None:
                raise IloError(Diagnostic("ILO-R012", "the program defines no function to run"))
            return first
        if func not in self.verified.functions:
            hint = _closest(func, self.function_names)
            raise IloError(
                Diagnostic(
                    "ILO-R002",
                    f"no function named '{func}' in this program",
                    suggestion=f"did you mean '{hint}'?" if hint else None,
                )
            )
        return func

    def compiled(self):
        if self._compiled is None:
            from ilo import vm

            self._compiled = vm.compile_program(self.verified)
        return self._compiled

    def call(self, func: str | None = None, *args, engine: str | None = None, jit: bool = False,
             jit_threshold: int | None = None, max_steps: int | None = None, timeout: float | None = None):
        """Call ``func`` (default: the first function) with Python values; return a Python value.

        Each argument is checked against its declared parameter type first (``ILO-R016``).
        ``max_steps`` (loop iterations plus calls) and ``timeout`` (seconds) stop a runaway
        program with ``ILO-R015`` on every engine; with either set the JIT runs no kernels.
        """
        engine = "jit" if jit else (engine or default_engine())
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        if not engine_available(engine):
            raise EngineUnavailable(f"the {engine} engine is not built yet")
        name = self.resolve_function(func)
        values = self.check_args(name, args)
        try:
            budget = Budget(max_steps, timeout)
        except (TypeError, ValueError) as e:
            raise IloError(Diagnostic("ILO-R016", f"bad limit: {e}")) from None
        try:
            if engine == "tree":
                from ilo import interp

                return interp.run(self.verified, name, values, max_steps=max_steps, timeout=timeout)
            from ilo import vm

            hooks = None
            if engine == "jit" and not budget.active:
                hooks = self._tiers.get(jit_threshold)
                if hooks is None:  # one tier per threshold: kernels and plans stay warm
                    hooks = self._tiers[jit_threshold] = _jit_hook_class()(threshold=jit_threshold)
                hooks.fresh = True  # stats for this call only
                self._last_tier = hooks
            return vm.run(self.compiled(), name, values, hooks=hooks, budget=budget)
        except IloRuntimeError as e:
            raise e.to_error() from None
        except RecursionError:
            raise IloError(Diagnostic("ILO-R014", "call depth exceeded (recursion too deep)")) from None
        except MemoryError:
            raise IloError(Diagnostic("ILO-R013", "out of memory")) from None

    def check_args(self, name: str, args) -> list:
        """Python arguments as ilo values, each checked against its parameter's declared type:
        ``ILO-T006`` for a wrong count, ``ILO-R016`` for a value of the wrong type."""
        fn = self.verified.functions[name]
        if len(args) != len(fn.params):
            raise IloError(
                Diagnostic(
                    "ILO-T006",
                    f"'{name}' takes {len(fn.params)} argument(s), {len(args)} given",
                    suggestion=f"signature: {_signature(fn)}",
                )
            )
        values = []
        for param, arg in zip(fn.params, args):
            if is_plain_list_of(arg, param.ty):
                values.append(arg)  # OWNERSHIP: shared with the caller, so copied before any write
                continue
            try:
                value = from_python(arg)
            except TypeError as e:
                raise IloError(Diagnostic("ILO-R016", f"argument '{param.name}' of '{name}': {e}")) from None
            why = mismatch(value, param.ty, self.verified.records, self.verified.aliases)
            if why is not None:
                raise IloError(
                    Diagnostic(
                        "ILO-R016",
                        f"argument '{param.name}' of '{name}' expects {param.ty}, {why}",
                        suggestion=f"signature: {_signature(fn)}",
                    )
                )
            values.append(value)
        return values


_TIER: list = []  # the JitHook class once imported (a dotted import costs ~0.5 us per call)


def _jit_hook_class():
    if not _TIER:
        from ilo.jit.hook import JitHook

        _TIER.append(JitHook)
    return _TIER[0]


def load(source: str, name: str = "<inline>") -> Program:
    """Parse and verify ``source``; raise IloError with every diagnostic if it is not valid."""
    from ilo.syntax.parser import parse
    from ilo.verify import verify

    # Files saved on Windows end lines with CRLF; ilo's grammar counts only LF as a line break.
    src = Source(name, source.replace("\r\n", "\n"))
    try:
        return Program(verify(parse(src), src))
    except IloError as e:
        e.source = src  # so the CLI can quote the offending line
        raise


def load_file(path: str | Path) -> Program:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IloError(Diagnostic("ILO-R017", f"cannot read {path}: {e.strerror or e}")) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IloError(Diagnostic("ILO-L001", f"{path} is not valid UTF-8 text (byte {e.start})")) from None
    return load(text, str(path))


def run(source: str, func: str | None = None, *args, engine: str | None = None, jit: bool = False,
        max_steps: int | None = None, timeout: float | None = None):
    """One-shot: load ``source`` and call ``func`` (default: the first function)."""
    return load(source).call(func, *args, engine=engine, jit=jit, max_steps=max_steps, timeout=timeout)


# ── command-line arguments ──────────────────────────────────────────────────


def parse_cli_value(text: str, ty: Ty | None = None):
    """Turn one command-line word into an ilo value, guided by the parameter type.

    Untyped words follow the reference CLI: ``[a,b]`` or ``a,b`` is a list, ``nil``,
    numbers, ``true``/``false``, else text. A text parameter always receives the word as
    text; a number parameter rejects words that are not numbers.
    """
    if isinstance(ty, TOpt):
        if text == "nil":
            return None
        ty = ty.inner
    if isinstance(ty, TText):
        return text
    if isinstance(ty, TList):
        inner = text.strip()
        if inner.startswith("[") and inner.endswith("]"):
            inner = inner[1:-1].strip()
        if inner == "":
            return []
        return [parse_cli_value(part.strip(), ty.elem) for part in inner.split(",")]
    if isinstance(ty, TNum):
        value = _number(text)
        if value is None:
            raise IloError(Diagnostic("ILO-R016", f"expected a number, got '{text}'"))
        return value
    if isinstance(ty, TBool):
        if text not in ("true", "false"):
            raise IloError(Diagnostic("ILO-R016", f"expected true or false, got '{text}'"))
        return text == "true"
    # untyped (`_`, type variables, maps, records): the reference's heuristic
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [] if not inner else [parse_cli_value(p.strip()) for p in inner.split(",")]
    if "," in text:
        return [parse_cli_value(p.strip()) for p in text.split(",")]
    if text == "nil":
        return None
    if text in ("true", "false"):
        return text == "true"
    value = _number(text)
    return text if value is None else value


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")) or "_" in text:
        return None
    return value


def coerce_cli_args(program: Program, func: str, words: list[str]) -> list:
    from ilo.runtime.values import FnRef

    params = program.params(func)
    values = []
    for i, word in enumerate(words):
        ty = params[i].ty if i < len(params) else TAny()
        if isinstance(ty, TFn) and word in program.verified.functions:
            values.append(FnRef(word))  # `ilo prog apply sq 7`: a function passed by name
            continue
        value = parse_cli_value(word, ty)
        if isinstance(ty, TList) and not isinstance(value, list):
            value = [value]
        values.append(value)
    return values


def _signature(fn) -> str:
    params = " ".join(f"{p.name}:{p.ty}" for p in fn.params)
    return f"{fn.name} {params}>{fn.ret}".replace(" >", ">")


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
