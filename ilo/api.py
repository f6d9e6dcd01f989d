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

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ilo.diagnostics.diagnostic import Diagnostic, IloError
from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.gcpause import gc_paused
from ilo.runtime.limits import Budget
from ilo.runtime.sizes import out_of_memory
from ilo.runtime.typecheck import is_plain_list_of, mismatch
from ilo.runtime.values import from_python
from ilo.source import Source
from ilo.types import TBool, TNum, TText, Ty

ENGINES = ("tree", "vm", "jit")


def engine_available(name: str) -> bool:
    """True if ``name`` is an engine of this build (every one in ``ENGINES`` always is)."""
    return name in ENGINES


def default_engine() -> str:
    """$ILO_ENGINE if set, else the JIT: it is never more than 10% slower than the plain VM,
    even on loops too cold to compile (``bench/cold_loops.py``, ``bench/RESULTS.md``)."""
    from ilo import config

    return config.ENGINE if config.ENGINE in ENGINES else "jit"


class Program:
    """A parsed and verified ilo program; load one with ``ilo.load(source)``.

    Call a function by name with ``prog.call("f", 1, 2)`` or as an attribute, ``prog.f(1, 2)``
    (a hyphenated name such as ``add-one`` is ``prog.add_one``, or ``prog["add-one"]``). Every
    engine gives the same result; the program is parsed and verified once, compiled to
    bytecode on its first VM call, and its JIT kernels stay warm across calls.

    >>> prog = load("dbl x:n>n;*x 2")
    >>> prog.dbl(21)
    42.0
    """

    def __init__(self, verified):
        self.verified = verified
        self._compiled = None
        self._tiers: dict = {}
        self._last_tier = None
        self._arg_plans: dict = {}  # function name -> ``_arg_plan`` (check_args' fast path)
        # Warnings the verifier attached (Diagnostic, severity "warning"); printed by the CLI
        # unless --no-hints. They never change a result.
        self.warnings: list[Diagnostic] = list(getattr(verified, "warnings", None) or ())

    def __getattr__(self, attr: str) -> Function:
        # Only reached when normal lookup fails, so methods and fields always win.
        if attr.startswith("__") or "verified" not in self.__dict__:
            raise AttributeError(attr)
        name = self._function_for(attr)
        if name is None:
            names = ", ".join(self.function_names) or "none"
            hint = _closest(attr.replace("_", "-"), self.function_names)
            more = f"; did you mean '{_py_name(hint)}'?" if hint else ""
            raise AttributeError(f"this ilo program has no function '{attr}' (its functions: {names}){more}")
        return Function(self, name)

    def __getitem__(self, name: str) -> Function:
        """``prog["add-one"]``: a function by its ilo name (KeyError if there is none)."""
        if name not in self.verified.functions:
            raise KeyError(name)
        return Function(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {_py_name(n) for n in self.function_names})

    def __repr__(self) -> str:
        sigs = "; ".join(_signature(self.verified.functions[n]) for n in self.function_names)
        name = self.source.name
        where = "" if name == "<inline>" else f" from {name}"
        return f"<ilo.Program{where}: {sigs or 'no functions'}>"

    def _function_for(self, attr: str) -> str | None:
        functions = self.verified.functions
        for name in (attr, attr.replace("_", "-")):
            if name in functions:
                return name
        return None

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

            with gc_paused():  # linear time on long bodies (see runtime/gcpause.py)
                self._compiled = vm.compile_program(self.verified)
        return self._compiled

    def call(self, func: str | None = None, *args: Any, engine: str | None = None, jit: bool = False,
             jit_threshold: int | None = None, max_steps: int | None = None,
             timeout: float | None = None) -> Any:
        """Call ``func`` (default: the first function) with Python values; return a Python value.

        Arguments are Python values: ``int``/``float`` (any size that fits a float; numpy
        scalars too) for numbers, ``str``, ``bool``, ``None`` for nil, ``list``/``tuple`` or a
        numpy array for lists, ``dict`` for maps, ``ilo.Record``/``ilo.Ok``/``ilo.Err``. Each
        is checked against its declared parameter type first (``ILO-R016``). ``engine`` is
        ``"tree"``, ``"vm"`` or ``"jit"`` (the default); raises ``IloError`` on any error.
        ``max_steps`` (loop iterations plus calls) and ``timeout`` (seconds) stop a runaway
        program with ``ILO-R015`` on every engine (JIT kernels charge the same steps).
        """
        engine = "jit" if jit else (engine or default_engine())
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        name = self.resolve_function(func)
        values = self.check_args(name, args)
        budget = None  # no limit: the engines take their unlimited path without looking
        if max_steps is not None or timeout is not None:
            try:
                budget = Budget(max_steps, timeout)
            except (TypeError, ValueError, OverflowError) as e:
                raise IloError(Diagnostic("ILO-R016", f"bad limit: {e}")) from None
        try:
            if engine == "tree":
                from ilo import interp

                return interp.run(self.verified, name, values, max_steps=max_steps, timeout=timeout)
            run = _VM_RUN[0] if _VM_RUN else _vm_run()
            hooks = None
            if engine == "jit":
                hooks = self._tiers.get(jit_threshold)
                if hooks is None:  # one tier per threshold: kernels and plans stay warm
                    hooks = self._tiers[jit_threshold] = _jit_hook_class()(threshold=jit_threshold)
                hooks.fresh = True  # stats for this call only
                self._last_tier = hooks
            return run(self._compiled or self.compiled(), name, values, hooks=hooks, budget=budget)
        except IloRuntimeError as e:
            raise e.to_error() from None
        except RecursionError:
            raise IloError(Diagnostic("ILO-R014", "call depth exceeded (recursion too deep)")) from None
        except MemoryError:
            raise out_of_memory().to_error() from None

    def check_args(self, name: str, args: Sequence[Any]) -> list:
        """Python arguments as ilo values, each checked against its parameter's declared type:
        ``ILO-T006`` for a wrong count, ``ILO-R016`` for a value of the wrong type."""
        # Agents call small functions many times: arguments that are already plain ilo
        # scalars of the declared type (float, str, bool; an int for a number) are taken as
        # they are, without the general conversion and type walk below.
        plan = self._arg_plans.get(name)
        if plan is None:
            plan = self._arg_plans[name] = _arg_plan(self.verified.functions[name])
        if len(args) == len(plan):
            values = []
            for want, arg in zip(plan, args):
                t = type(arg)
                if t is want:
                    values.append(arg)
                elif t is int and want is float and -_EXACT_INT <= arg <= _EXACT_INT:
                    values.append(float(arg))
                else:
                    break
            else:
                return values
        return self._convert_args(name, args)

    def _convert_args(self, name: str, args: Sequence[Any]) -> list:
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
                why = mismatch(value, param.ty, self.verified.records, self.verified.aliases)
            except TypeError as e:
                raise IloError(Diagnostic("ILO-R016", f"argument '{param.name}' of '{name}': {e}")) from None
            except RecursionError:
                raise IloError(Diagnostic(
                    "ILO-R016", f"argument '{param.name}' of '{name}' is nested too deeply to convert")) from None
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


# Ints this size convert to floats exactly and never overflow (larger ones take the general
# path, which reports the ones too big for a float).
_EXACT_INT = 2**53
# Declared parameter type -> the Python class an argument of it needs no conversion in.
_PLAIN_PARAM = {TNum: float, TText: str, TBool: bool}


def _arg_plan(fn) -> tuple:
    """Per parameter of ``fn``: the class an argument can be taken in unchanged, or None
    (the general conversion decides)."""
    return tuple(_PLAIN_PARAM.get(type(p.ty)) for p in fn.params)


class Function:
    """One function of a loaded program, callable like a Python function:
    ``prog.dbl(21)``, with the same keyword options as ``Program.call``."""

    __slots__ = ("program", "name")

    def __init__(self, program: Program, name: str):
        self.program = program
        self.name = name

    def __call__(self, *args: Any, engine: str | None = None, jit: bool = False,
                 jit_threshold: int | None = None, max_steps: int | None = None,
                 timeout: float | None = None) -> Any:
        return self.program.call(self.name, *args, engine=engine, jit=jit, jit_threshold=jit_threshold,
                                 max_steps=max_steps, timeout=timeout)

    @property
    def signature(self) -> str:
        """The ilo signature, e.g. ``dbl x:n>n``."""
        return _signature(self.program.verified.functions[self.name])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Function) and other.program is self.program and other.name == self.name

    def __hash__(self) -> int:
        return hash((id(self.program), self.name))

    def __repr__(self) -> str:
        return f"<ilo function {self.signature}>"


def _py_name(name: str) -> str:
    return name.replace("-", "_")


_TIER: list = []  # the JitHook class once imported (a dotted import costs ~0.5 us per call)


_VM_RUN: list = []  # vm.run, once the VM is first used (a per-call import costs ~0.5 us)


def _vm_run():
    from ilo import vm

    _VM_RUN.append(vm.run)
    return vm.run


def _jit_hook_class():
    if not _TIER:
        from ilo.jit.hook import JitHook

        _TIER.append(JitHook)
    return _TIER[0]


def load(source: str, name: str = "<inline>", base_dir: str | Path | None = None) -> Program:
    """Parse and verify ``source``; raise IloError with every diagnostic if it is not valid.

    ``use "file.ilo"`` resolves against ``base_dir`` (``load_file`` passes the file's
    folder); without one, a program that imports is ILO-P017.
    """
    from ilo.verify import verify

    tree, src = parse_source(source, name, base_dir)
    try:
        with gc_paused():  # linear time on long programs (see runtime/gcpause.py)
            return Program(verify(tree, src))
    except IloError as e:
        e.source = src  # so the CLI can quote the offending line
        raise


def parse_source(source: str, name: str = "<inline>", base_dir: str | Path | None = None):
    """``source`` parsed, its imports resolved, not verified: (``ast.Program``, Source).
    Raises IloError (with ``source`` set) on a lexing, parsing or import error."""
    from ilo.syntax.imports import resolve_imports
    from ilo.syntax.parser import parse

    # Files saved on Windows end lines with CRLF; ilo's grammar counts only LF as a line break.
    src = Source(name, source.replace("\r\n", "\n"))
    try:
        with gc_paused():
            return resolve_imports(parse(src), Path(base_dir) if base_dir is not None else None), src
    except IloError as e:
        e.source = src
        raise


def load_file(path: str | Path) -> Program:
    """``load`` the ilo program in a file (UTF-8); a file that cannot be read is ILO-R017."""
    path = Path(path)
    return load(read_program_file(path), str(path), base_dir=path.parent)


def read_program_file(path: Path) -> str:
    """A program file's text (UTF-8); ILO-R017 when it cannot be read, ILO-L001 when it is
    not text."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise IloError(Diagnostic("ILO-R017", f"cannot read {path}: {e.strerror or e}")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IloError(Diagnostic("ILO-L001", f"{path} is not valid UTF-8 text (byte {e.start})")) from None


def run(source: str, func: str | None = None, *args: Any, engine: str | None = None, jit: bool = False,
        max_steps: int | None = None, timeout: float | None = None) -> Any:
    """One-shot: load ``source`` and call ``func`` (default: the first function) with ``args``;
    the same options as ``Program.call``. Raises ``IloError`` on any error.

    >>> run("dbl x:n>n;*x 2", "dbl", 21)
    42.0
    """
    return load(source).call(func, *args, engine=engine, jit=jit, max_steps=max_steps, timeout=timeout)


# ── command-line arguments ──────────────────────────────────────────────────


def parse_cli_value(text: str, ty: Ty | None = None):
    """One command-line word as an ilo value, guided by the parameter type (``ilo.entry``)."""
    from ilo.entry import parse_word

    return parse_word(text, ty)


def coerce_cli_args(program: Program, func: str, words: list) -> list:
    """Command-line words as ``func``'s argument values, each by its parameter's type. An item
    that is not text (``ilo serv`` requests may send JSON numbers or lists) is already a value."""
    from ilo.entry import parse_args

    return parse_args(program, func, words)


def _signature(fn) -> str:
    params = " ".join(f"{p.name}:{p.ty}" for p in fn.params)
    return f"{fn.name} {params}>{fn.ret}".replace(" >", ">")


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None
