"""Hypothesis strategies that generate small, well-typed ilo programs.

Used by the differential tests (every engine must give the same value or the same error
code) and by the fuzzers. Programs exercise arithmetic, comparisons, guards, ternaries,
range and while loops with brk/cnt, text building, list appends, maps, and the aliasing
shapes the in-place accumulator paths must get right (``m2=m`` then ``m=mset m ...``).

Every program has the shape ``f a:n b:n>L _;<statements>;[<all variables, comma-separated>]`` so the whole
final state is compared, not just one number.
"""

from __future__ import annotations

from hypothesis import strategies as st

NUM_VARS = ("a", "b", "x", "y")
# Non-negative literals only: `-7` right after an operator would lex as `--7`, a comment.
SMALL = st.integers(min_value=0, max_value=9).map(str) | st.sampled_from(["0.5", "2.25", "100"])


@st.composite
def num_expr(draw, depth: int = 0) -> str:
    """A prefix numeric expression over the numeric variables (operands only, no calls)."""
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(NUM_VARS) | SMALL)
    op = draw(st.sampled_from(["+", "-", "*", "+", "*", "/"]))
    left = draw(num_expr(depth + 1))
    right = draw(num_expr(depth + 1))
    if op == "-":
        # `-` is binary only when two plain atoms follow (else it reads as negation).
        left, right = draw(st.sampled_from(NUM_VARS)), draw(st.sampled_from(NUM_VARS) | SMALL)
    return f"{op}{left} {right}"


@st.composite
def cond_expr(draw) -> str:
    op = draw(st.sampled_from([">", "<", ">=", "<=", "=", "!="]))
    return f"{op}{draw(st.sampled_from(NUM_VARS))} {draw(num_expr(1))}"


@st.composite
def simple_stmt(draw, in_loop: bool = False) -> str:
    kind = draw(st.integers(0, 11))
    v = draw(st.sampled_from(NUM_VARS[2:]))
    if kind <= 2:
        return f"{v}={draw(num_expr())}"
    if kind == 3:
        return f"s=+s \"{draw(st.sampled_from(['a', 'b', 'xy', '']))}\""
    if kind == 4:
        return f"tt=str {v};s=+s tt"
    if kind == 5:
        return f"xs=+=xs {v}"
    if kind == 6:
        key = draw(st.sampled_from(['"k"', '"j"', "s"]))
        return f"m=mset m {key} {v}"
    if kind == 7:
        return "m2=m"
    if kind == 8:
        return "ys=xs"
    if kind == 9:
        return f"{draw(cond_expr())}{{{v}=+{v} 1}}"
    if kind == 10 and in_loop:
        return f"{draw(cond_expr())}{{{draw(st.sampled_from(['brk', 'cnt']))}}}"
    return f"{v}=?{draw(cond_expr())} {draw(num_expr(1))} {draw(num_expr(1))}"


@st.composite
def stmt(draw) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        body = ";".join(draw(st.lists(simple_stmt(in_loop=True), min_size=1, max_size=4)))
        return f"@i 0..{draw(st.integers(0, 6))}{{x=+x i;{body}}}"
    if kind == 1:
        body = ";".join(draw(st.lists(simple_stmt(in_loop=True), min_size=1, max_size=3)))
        return f"k=0;wh <k {draw(st.integers(0, 5))}{{k=+k 1;{body}}}"
    return draw(simple_stmt())


@st.composite
def program(draw) -> tuple[str, list[float]]:
    body = draw(st.lists(stmt(), min_size=1, max_size=6))
    prelude = 'x=0;y=1;s="";xs=[];ys=[];m=mmap;m2=mmap'
    src = f"f a:n b:n>L _;{prelude};{';'.join(body)};[a, b, x, y, s, xs, ys, m, m2]"
    args = draw(st.lists(st.integers(-20, 20).map(float), min_size=2, max_size=2))
    return src, args
