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


# ── richer programs: errors, optionals, text/list/map builtins, records, calls ──────────────
#
# ``rich_program`` draws programs over more of the language, including the ones that fail at
# run time (division by zero, index out of range, ``hd``/``avg`` of an empty list, ``mod 0``),
# so the differential test compares error codes *and* messages across engines, not just
# values. Shape::
#
#     type pt{x:n;y:n}
#     <helpers>
#     f a:n b:n xs:L n s:t>L _;<prelude>;<statements>;[a, b, x, y, s, xs, ys, m, o, p]

HELPERS = (
    "type pt{x:n;y:n}\n"
    "dbl v:n>n;*v 2\n"
    "pos v:n>b;>v 0\n"
    "add u:n v:n>n;+u v\n"
    "chk v:n>R n t;<v 0 ^\"neg\";~v\n"
    "half v:n>R n t;=v 0 ^\"zero\";~/v 2\n"
    "twice v:n>R n t;h=half! v;~*h 2\n"
    "norm q:pt>n;u=abs q.x;w=abs q.y;+u w\n"
    "fac k:n>n;<=k 1 1;r=fac -k 1;*k r\n"
)
RICH_NUM = ("a", "b", "x", "y")
RICH_ATOM = st.sampled_from(RICH_NUM) | SMALL


@st.composite
def rich_num(draw, depth: int = 0) -> str:
    """A numeric prefix expression; ``/`` may divide by zero (an ILO-R003 on every engine)."""
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        return draw(RICH_ATOM)
    op = draw(st.sampled_from(["+", "*", "/", "-"]))
    if op == "-":
        return f"-{draw(st.sampled_from(RICH_NUM))} {draw(RICH_ATOM)}"
    return f"{op}{draw(rich_num(depth + 1))} {draw(rich_num(depth + 1))}"


@st.composite
def rich_stmt(draw, in_loop: bool = False) -> str:
    v = draw(st.sampled_from(("x", "y")))
    e = draw(rich_num())
    k = draw(st.integers(0, 4))
    key = draw(st.sampled_from(['"k"', '"j"', "s"]))
    choices = [
        f"{v}={e}",
        f"{v}=/{draw(RICH_ATOM)} {draw(RICH_ATOM)}",  # maybe ILO-R003
        f"{v}=mod {draw(RICH_ATOM)} {draw(RICH_ATOM)}",
        f"{v}=xs.{k}",  # maybe ILO-R006
        f"{v}=hd xs",  # maybe ILO-R009 on an empty list
        f"{v}=sum xs",
        f"{v}=avg xs",
        f"{v}=len s",
        f"{v}=len xs",
        f"{v}={e};{v}=flr {v}",  # a prefix operator as a call argument reads as infix: bind first
        f"{v}={e};{v}=abs {v}",
        f"{v}=max {draw(RICH_ATOM)} {draw(RICH_ATOM)}",
        f"{v}=fac {draw(st.integers(0, 6))}",
        f"{v}=dbl {draw(RICH_ATOM)}",
        f"o=mget m {key};{v}=o??{draw(SMALL)}",
        f"o=mget m {key}",
        "o=nil",
        f"m=mset m {key} {v}",
        f"m=mdel m {key}",
        "ys=mvals m",
        f"xs=+=xs {v}",
        "xs=+xs ys",
        "ys=map dbl xs",
        "ys=flt pos xs",
        f"{v}=fld add xs 0",
        "xs=srt xs",
        "ys=rev xs",
        "ys=unq xs",
        f"ys=slc xs {draw(st.integers(0, 3))} {draw(st.integers(0, 5))}",
        f"tt=str {v};s=+s tt",
        f"s=+s \"{draw(st.sampled_from(['a', ',', 'b,c', '']))}\"",
        "s=cat (spl s \",\") \"-\"",
        "s=trm s",
        "s=rev s",
        f"r=num s;?r{{~q:{v}=q;^e:s=+s \"!\"}}",
        f"r=chk {draw(RICH_ATOM)};?r{{~q:{v}=q;^e:s=+s e}}",
        f"r=twice {draw(RICH_ATOM)};?r{{~q:{v}=q;^e:s=+s e}}",
        f"p=pt x:{draw(RICH_ATOM)} y:{v};{v}=norm p",
        f"p=p with x:{draw(RICH_ATOM)};{v}=p.x",
        f"q=has xs {v};{v}=?=q true 1 0",
        f"{draw(cond_rich())}{{{v}=+{v} 1}}",
        f"{v}=?{draw(cond_rich())} {draw(rich_num(1))} {draw(rich_num(1))}",
    ]
    if in_loop:
        choices.append(f"{draw(cond_rich())}{{{draw(st.sampled_from(['brk', 'cnt']))}}}")
    return draw(st.sampled_from(choices))


@st.composite
def cond_rich(draw) -> str:
    op = draw(st.sampled_from([">", "<", ">=", "<=", "=", "!="]))
    return f"{op}{draw(st.sampled_from(RICH_NUM))} {draw(rich_num(1))}"


@st.composite
def rich_block(draw) -> str:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        body = ";".join(draw(st.lists(rich_stmt(in_loop=True), min_size=1, max_size=3)))
        return f"@i 0..{draw(st.integers(0, 5))}{{x=+x i;{body}}}"
    if kind == 1:
        body = ";".join(draw(st.lists(rich_stmt(in_loop=True), min_size=1, max_size=3)))
        return f"@w xs{{y=+y w;{body}}}"
    if kind == 2:
        body = ";".join(draw(st.lists(rich_stmt(in_loop=True), min_size=1, max_size=3)))
        return f"k=0;wh <k {draw(st.integers(0, 4))}{{k=+k 1;{body}}}"
    return draw(rich_stmt())


RICH_NUMBERS = st.integers(-5, 20).map(float) | st.sampled_from([0.0, 0.5, -2.5, 1e300, 3.0])


@st.composite
def rich_program(draw) -> tuple[str, list]:
    body = draw(st.lists(rich_block(), min_size=1, max_size=6))
    prelude = "x=0;y=1;ys=[];m=mmap;o=nil;p=pt x:0 y:0"
    src = (f"{HELPERS}f a:n b:n xs:L n s:t>L _;{prelude};{';'.join(body)};"
           "[a, b, x, y, s, xs, ys, m, o, p]")
    args = [
        draw(RICH_NUMBERS),
        draw(RICH_NUMBERS),
        draw(st.lists(RICH_NUMBERS, max_size=5)),
        draw(st.text(alphabet="ab,1 ", max_size=6)),
    ]
    return src, args


# ── programs where `_` values flow into typed code ───────────────────────────────────────
#
# ``any_program`` passes values of any kind through ``_`` parameters into variables,
# helper parameters and loops that the verifier types as numbers or text, so engines that
# trust verified types must still fail exactly as the tree interpreter does.

ANY_HELPERS = "dbl v:n>n;*v 2\nadd u:n v:n>n;+u v\nsz xs:L _>n;len xs\n"
ANY_VALUES = st.sampled_from([1.0, 2.5, 0.0, "a", "", True, False, None, [1.0], [], {}])


@st.composite
def any_stmt(draw) -> str:
    v = draw(st.sampled_from(("x", "y")))
    return draw(st.sampled_from([
        "s=+s a", f"s=+s {v}", f"s={v}", f"t=+t {v}", f"t={v}", f"xs=+=xs {v}", f"s=dbl {v}",
        f"s=add s {v}", "r=<s a", f"r=?={v} a true false", f"q=?={v} a 1 0;s=+s q", "s=sz xs", "@w xs{s=+s w}",
        f"=a 3{{s={v}}}", "s=-s 1", "r=>=s 2", "ys=map dbl xs", f"k={v}??a;s=+s k",
    ]))


@st.composite
def any_program(draw) -> tuple[str, list]:
    body = []
    for _ in range(draw(st.integers(1, 5))):
        inner = ";".join(draw(st.lists(any_stmt(), min_size=1, max_size=3)))
        body.append(draw(st.sampled_from([inner, f"@i 0..a{{{inner}}}", f"@i 0..a{{s=+s i;{inner}}}"])))
    src = f"{ANY_HELPERS}f x:_ y:_ a:n>L _;s=0;t=\"\";xs=[];ys=[];r=false;{';'.join(body)};[s, t, xs, ys, r]"
    return src, [draw(ANY_VALUES), draw(ANY_VALUES), float(draw(st.integers(0, 6)))]
