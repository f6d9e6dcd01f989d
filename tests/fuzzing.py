"""The fuzzers' shared parts: what one run gave, the input generators, and the checks.

Used by ``tests/test_fuzz.py`` (a short run inside the suite's time budget) and by
``bench/fuzz.py`` (a long campaign that writes minimized repros). Everything here runs on
every engine and asserts the two promises the fuzzers guard:

- *robustness*: whatever the input, out comes a value or an ``IloError`` whose codes are all
  registered, never ``ILO-R013`` (an engine failed to turn a Python exception into a
  diagnostic) and never a Python exception;
- *agreement*: a program gives the same value and type, or the same error code, message,
  function and line, on every engine, including with numba kernels forced
  (``numba_outcome``).
"""

from __future__ import annotations

import oracle
from hypothesis import strategies as st
from programs import any_program, program, rich_program

import ilo
from ilo.diagnostics.codes import REGISTRY
from ilo.runtime.format import format_value
from ilo.runtime.values import FnRef, Ok
from ilo.types import TAny, TBool, TFn, TList, TMap, TNum, TOpt, TResult, TSum, TText, TVar

LIMITS = {"max_steps": 5_000, "timeout": 5.0}
# Network builtins would wait on DNS in a sandbox; the fuzzers skip programs that name them.
NETWORK = ("get", "post", "$")
DEFAULT_ARGS = {TNum: 3.0, TText: "a,b", TBool: True, TAny: 1.0, TVar: 1.0}


class Escaped(AssertionError):
    """A run ended in something other than a value or a registered, non-internal diagnostic.
    ``kind``: "internal" (ILO-R013), "code" (unregistered), "exception" (a Python exception
    through the API) or "disagree" (engines differ)."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def default_arg(ty):
    """A plausible argument for a parameter type (a wrong one only gives ILO-R016)."""
    kind = type(ty)
    if kind in DEFAULT_ARGS:
        return DEFAULT_ARGS[kind]
    if kind is TList:
        return [default_arg(ty.elem)] * 2
    if kind is TMap:
        return {"k": default_arg(ty.value)}
    if kind is TOpt:
        return None
    if kind is TResult:
        return Ok(default_arg(ty.ok))
    if kind is TSum:
        return ty.variants[0]
    if kind is TFn:
        return FnRef("str")
    return None


def checked_error(e: ilo.IloError, source=None):
    """``e`` as the oracle's outcome tuple, after checking every code is registered and none
    is internal."""
    for d in e.diagnostics:
        if d.code not in REGISTRY:
            raise Escaped(f"unregistered code {d.code}: {d.message}", "code")
        if d.code == "ILO-R013":
            raise Escaped(f"internal error escaped as a diagnostic: {d.message}", "internal")
    return oracle.error_outcome(e)


def outcome(prog, func, args, engine: str, limits=LIMITS):
    """The oracle's outcome of one run (``tests/oracle.py``), with a step and time budget
    and the robustness checks."""
    try:
        result = oracle.outcome(prog, func, args, engine, jit_threshold=2, **limits)
    except Exception as e:  # noqa: BLE001 - exactly what the fuzzers look for
        raise Escaped(f"{type(e).__name__} through the API on {engine}: {e}", "exception") from e
    if result[0] == "error":
        if result[1] not in REGISTRY:
            raise Escaped(f"unregistered code {result[1]}: {result[2]}", "code")
        if result[1] == "ILO-R013":
            raise Escaped(f"internal error escaped as a diagnostic: {result[2]}", "internal")
    return result


def numba_outcome(prog, func, args, max_steps=None):
    """``outcome`` on the VM with a JIT tier that compiles every hot loop it can with numba
    (``ILO_JIT_NUMBA=always``), and the tier's ``JitStats`` (did a numba kernel really run,
    did one deopt mid-loop). ``max_steps``: run under that step budget (kernels built to
    charge it)."""
    from ilo import vm
    from ilo.jit.tier import JitTier
    from ilo.runtime.errors import IloRuntimeError
    from ilo.runtime.limits import Budget
    from ilo.runtime.values import from_python

    tier = JitTier(threshold=2, numba="always")
    try:
        values = prog.check_args(func, list(args))
        value = vm.run(prog.compiled(), func, [from_python(v) for v in values], hooks=tier,
                       budget=Budget(max_steps))
        result = ("ok", format_value(value), type(value).__name__)
    except IloRuntimeError as e:
        result = checked_error(e.to_error(), prog.source)
    except ilo.IloError as e:
        result = checked_error(e, prog.source)
    except Exception as e:  # noqa: BLE001
        raise Escaped(f"{type(e).__name__} through numba-forced JIT: {e}", "exception") from e
    return result, tier.stats


def load_or_error(src: str):
    """The loaded program, or None when it does not load (after checking the diagnostics)."""
    try:
        return ilo.load(src)
    except ilo.IloError as e:
        checked_error(e, None)
        return None
    except Exception as e:  # noqa: BLE001
        raise Escaped(f"{type(e).__name__} while loading: {e}", "exception") from e


def run_everywhere(src: str, engines) -> None:
    """Load ``src``; if it verifies, call its first function on every engine. Nothing may
    escape but a value or a registered diagnostic."""
    prog = load_or_error(src)
    if prog is None:
        return
    name = prog.verified.first_function
    if name is None:
        return
    args = [default_arg(p.ty) for p in prog.params(name)]
    for engine in engines:
        outcome(prog, name, args, engine)


def agree(src: str, args, engines, numba: bool = False) -> dict:
    """The outcome per engine (plus "numba" when asked); raise ``Escaped`` if they differ.
    With ``numba``, also under a step budget that runs out in the middle of the program
    (``numba_budget``): every engine, numba kernels included, must stop at the same step."""
    prog = ilo.load(src)
    results = {engine: outcome(prog, "f", args, engine) for engine in engines}
    ran = False
    if numba:
        got, stats = numba_outcome(prog, "f", args)
        ran = stats.ran("numba")
        # The numba tier has no time budget; a run the suite's budget stopped is not compared.
        if results[engines[0]][:2] != ("error", "ILO-R015"):
            results["numba"] = got
    first = results[engines[0]]
    # wall-clock time is no property of the program (a numba compile, a busy machine): a run
    # the time limit stopped is compared with nothing
    timed_out = any(_timed_out(r) for r in results.values())
    if not timed_out and not all(r == first for r in results.values()):
        raise Escaped(f"engines disagree on\n{src}\nargs {args}: {results}", "disagree")
    if numba:
        steps = numba_budget(args)
        limited = {engine: outcome(prog, "f", args, engine, {"max_steps": steps}) for engine in engines}
        limited["numba"], stats = numba_outcome(prog, "f", args, steps)
        ran = ran or stats.ran("numba")
        first = limited[engines[0]]
        if not all(r == first for r in limited.values()):
            raise Escaped(f"engines disagree under max_steps={steps} on\n{src}\nargs {args}: {limited}",
                          "disagree")
    results["_numba_ran"] = ran
    return results


def _timed_out(result) -> bool:
    return result[:2] == ("error", "ILO-R015") and "time limit" in str(result[2])


def numba_budget(args) -> int:
    """A step budget for ``numeric_program``'s case: about half its ``n`` loop iterations
    (the rest, 0 to 9, moves the stop to a varying iteration)."""
    n, salt = int(args[2]), int(abs(args[0]))
    return max(1, n // 2 + salt)


# ── generators ──────────────────────────────────────────────────────────────

# Text that looks a little like ilo more often than uniform unicode would.
ILO_ALPHABET = st.sampled_from(list("fxyn:;>=<+-*/{}[]()?@~^!.,\"\\ \n_tLMROSFb0123456789") + ["..", "wh", "brk"])
ILO_ISH = st.lists(ILO_ALPHABET, max_size=60).map("".join)
RANDOM_TEXT = st.one_of(st.text(max_size=80), ILO_ISH, st.binary(max_size=60).map(lambda b: b.decode("latin-1")))

TOKENS = ["", " ", ";", "{", "}", "[", "]", "(", ")", "\"", ">", ":", "n", "x", "0", "-", "--", "?",
          "@", "..", "~", "^", "!", "brk", "cnt", "ret", "wh", "nil", "1e999", "nan", "type", "\n"]


def mutated(seeds):
    @st.composite
    def strategy(draw) -> str:
        src = draw(st.sampled_from(seeds) | program().map(lambda c: c[0]) | rich_program().map(lambda c: c[0]))
        for _ in range(draw(st.integers(1, 4))):
            if not src:
                break
            i = draw(st.integers(0, len(src) - 1))
            j = draw(st.integers(i, min(len(src), i + 8)))
            kind = draw(st.integers(0, 4))
            if kind == 0:
                src = src[:i] + src[j:]  # delete
            elif kind == 1:
                src = src[:i] + draw(st.sampled_from(TOKENS)) + src[i:]  # insert
            elif kind == 2:
                src = src[:i] + draw(st.sampled_from(TOKENS)) + src[j:]  # replace
            elif kind == 3:
                src = src[:j] + src[i:j] + src[j:]  # duplicate
            else:
                src = src[:i]  # cut off
        return src

    return strategy()


# Extreme inputs: the shapes issue 14 found (deep values, values too big, long bodies, deep
# source, huge numbers), each with a size drawn from small to large.
_DEEP_OPS = ["xs", "=xs ys", "!=xs ys", "jdmp xs", 'fmt "{}" xs', "unq [xs, ys]", "len xs", "hd xs",
             "~xs", "[xs, ys]", "jpar (jdmp xs)", "rev xs", "srt [1, 2]", "flat xs"]
_GROW = ["s=+s s", "xs=+xs xs", "s=+s t;t=+t t", "xs=+=xs xs", "m=mset m (str i) s", "s=+s \"ab\""]
_WRAP = ["xs=[xs]", "xs=[xs, 1]", "xs=[~xs]", "xs=[^xs]", 'm=mset mmap "k" xs;xs=[m]']


@st.composite
def extreme(draw) -> str:
    kind = draw(st.integers(0, 5))
    n = draw(st.sampled_from([1, 10, 127, 128, 129, 1000, 5000]))
    if kind == 0:  # deep values
        wrap = draw(st.sampled_from(_WRAP))
        return f"f>_;xs=[];ys=[];@i 0..{n}{{{wrap};ys=[ys]}};{draw(st.sampled_from(_DEEP_OPS))}"
    if kind == 1:  # values that grow past the size limit
        grow = draw(st.sampled_from(_GROW))
        return f'f>_;s="ab";t="cd";xs=[1];m=mmap;@i 0..{draw(st.integers(1, 60))}{{{grow}}};len s'
    if kind == 2:  # long bodies
        stmt = draw(st.sampled_from(["x=1;", ">x 0{x=+x 1};", "x=+x 1;", 's=+s "a";']))
        return f'f>_;x=1;s="";{stmt * min(n, 2000)}x'
    if kind == 3:  # deep source
        open_, close = draw(st.sampled_from([("(", ")"), ("[", "]"), ("{", "}"), ("+1 ", ""), ("-", ""),
                                             (">1 0{", "}"), ("?x{1:", "}")]))
        k = min(n, 5000)
        return f"f x:n>_;{open_ * k}1{close * draw(st.sampled_from([k, 0, k // 2]))}"
    if kind == 4:  # JSON in, nested or huge
        text = draw(st.sampled_from(["[", "{\\\"a\\\":", "[1,", "\\\"", "[[]"])) * n
        return f'f>_;jpar "{text}"'
    num = draw(st.sampled_from(["1" * 400, "9" * 20, "1e308", "0." + "0" * 400 + "1", "-" + "9" * 30]))
    return f"f>_;x={num};+x 1"


def differential():
    """Generated well-typed programs: (source, args)."""
    return rich_program() | any_program() | program()


__all__ = ["NETWORK", "LIMITS", "Escaped", "outcome", "numba_outcome", "run_everywhere", "agree",
           "load_or_error", "checked_error", "default_arg", "RANDOM_TEXT", "mutated", "extreme",
           "differential", "numeric_program", "program", "rich_program", "any_program"]


# ── numeric loops for numba kernels ──────────────────────────────────────────
#
# Loops made only of what numba kernels compile (numbers, bools, number lists, arithmetic,
# comparisons, guards, brk/cnt, abs/flr/cel/min/max/mod), so a forced-numba run really runs
# numba code; ``z`` arrives through ``_`` and is written into a loop variable at iteration
# ``k``, which makes a (python) kernel deopt in the middle of its loop when ``z`` is not a
# number. A division by ``i - k`` makes a numba kernel leave mid-loop at iteration ``k``,
# before the instruction, for the VM to report the division by zero.

_NV = st.sampled_from(["s", "t", "i", "a", "b"])
_NK = st.integers(0, 9).map(lambda k: f"{k}")


@st.composite
def _num(draw, depth=0) -> str:
    if depth > 1 or draw(st.integers(0, 2)) == 0:
        return draw(_NV | _NK)
    op = draw(st.sampled_from(["+", "-", "*", "/", "mod", "min", "max", "abs", "flr", "cel"]))
    if op in ("abs", "flr", "cel"):
        return f"({op} {draw(_num(depth + 1))})"
    if op in ("mod", "min", "max"):  # a call takes the operands after it: parenthesised
        return f"({op} {draw(_num(depth + 1))} {draw(_num(depth + 1))})"
    return f"({op} {draw(_num(depth + 1))} {draw(_num(depth + 1))})"


@st.composite
def _num_stmt(draw) -> str:
    v = draw(st.sampled_from(["s", "t"]))
    kind = draw(st.integers(0, 7))
    cmp = draw(st.sampled_from([">", "<", ">=", "<=", "=", "!="]))
    if kind == 0:
        return f"{v}={draw(_num())}"
    if kind == 1:
        return f"{cmp}{draw(_num())} {draw(_num())}{{{v}={draw(_num())}}}"
    if kind == 2:
        return f"{cmp}i {draw(_NK)}{{{draw(st.sampled_from(['brk', 'cnt']))}}}"
    if kind == 3:
        return f"xs=+=xs {draw(_num())}"
    if kind == 4:
        return f"=i {draw(st.integers(0, 12))}{{{v}=z}}"  # deopt point when z is not a number
    if kind == 5:
        return f"u=len xs;>u 0{{{v}=+{v} xs.0}}"
    if kind == 6:
        return f"{v}=/ {v} (- i {draw(st.integers(2, 12))})"  # a numba deopt at that iteration
    return f"q=>{v} {draw(_num())};q{{{v}=-{v} 1}}"


@st.composite
def numeric_program(draw) -> tuple[str, list]:
    body = ";".join(draw(st.lists(_num_stmt(), min_size=1, max_size=5)))
    loop = draw(st.sampled_from([f"@i 0..n{{{body}}}", f"i=0;wh <i n{{i=+i 1;{body}}}"]))
    src = f"f a:n b:n n:n z:_>L _;s=0;t=1;xs=[];{loop};[s, t, len xs]"
    z = draw(st.sampled_from([1.0, 2.5, "txt", True, None, [1.0]]))
    args = [float(draw(st.integers(-9, 9))), float(draw(st.integers(-9, 9))), float(draw(st.integers(5, 40))), z]
    return src, args
