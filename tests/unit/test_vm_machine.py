"""The VM's run loop: every construct agrees with the tree interpreter, errors carry the
tree interpreter's codes plus a span and function name, deep recursion is clean, and the
HotLoop hooks see every back-edge.
"""

from __future__ import annotations

import pytest
from conftest import assert_same

from ilo import config, vm
from ilo.runtime.errors import IloRuntimeError
from ilo.source import Source
from ilo.vm.hooks import CountingHooks


def verified(src: str):
    from ilo.syntax.parser import parse
    from ilo.verify import verify

    source = Source("<test>", src)
    return verify(parse(source), source)


def both(src: str, func: str, *args):
    """The differential oracle on every engine (tree, vm, jit): the value, or the error
    tuple ("error", code, message, span, function)."""
    return assert_same(src, func, *args)


CASES = [
    # arithmetic, text, comparison, logic
    ("f a:n b:n>n;+*a b -a 1", (3, 4)),
    ("f a:n b:n>n;/a b", (7, 2)),
    ("f a:t b:t>t;+a b", ("x", "y")),
    ("f a:L n b:L n>L n;+a b", ([1], [2])),
    ("f a:n b:n>b;r=<a b;r", (1, 2)),
    ('f a:t b:t>b;r=>=a b;r', ("b", "a")),
    ("f a:_ b:_>b;r==a b;r", (1, "1")),
    ("f a:_ b:_>_;&a b", (0, 5)),
    ("f a:_ b:_>_;|a b", (0, 5)),
    ("f a:_ b:_>_;|a b", ("x", 5)),
    ("f a:n>b;r=!a;r", (0,)),
    ("f a:n>n;-a", (3,)),
    ("f x:n>b;r=&>x 1 <x 5;r", (3,)),
    ("f x:n>b;r=&>x 1 <x 5;r", (7,)),
    # guards: braceless returns, braced continues, ternaries are values
    ("f x:n>t;>=x 10 \"big\";>=x 5 \"mid\";\"small\"", (12,)),
    ("f x:n>t;>=x 10 \"big\";>=x 5 \"mid\";\"small\"", (6,)),
    ("f x:n>t;!>=x 10 \"small\";\"big\"", (3,)),
    ("f x:n>n;>x 0{99};+x 1", (5,)),
    ("f x:n>n;y=x;>x 0{99}", (5,)),
    ("f x:n>n;y=x;>x 0{99}", (-5,)),
    ("f x:n>t;=x 1{\"yes\"}{\"no\"}", (1,)),
    ("f x:n>t;!=x 1{\"not one\"}{\"one\"}", (1,)),
    ("f x:n>n;=x 0{10}{20};+x 1", (0,)),
    ("f x:n>n;=x 0{ret 10}{20};+x 1", (0,)),
    ("f x:n>n;v=?>x 100 1 0;v", (150,)),
    # match statements and expressions
    ('f x:n>t;?x{0:"zero";1:"one";_:"many"}', (1,)),
    ('f x:n>t;?x{0:"zero";1:"one";_:"many"}', (7,)),
    ('f x:_>t;?x{n v:"num";t v:"text";b v:"bool";l v:"list";_:"other"}', ([1],)),
    ('f x:_>t;?x{n v:"num";t v:"text";_:"other"}', ({"a": 1},)),
    ("f x:n>R n t;>x 0 ~x;^\"neg\"", (3,)),
    ('g x:n>R n t;>x 0 ~x;^"neg"\nf x:n>t;r=g x;?r{~v:str v;^e:e}', (-1,)),
    ('f x:n>t;r=?x{1:"a";_:"b"};+r "!"', (1,)),
    ('f x:n>n;?{_:5}', (1,)),
    ('f x:n>n;s=0;@i 0..x{?i{2:s=+s 100;_:s=+s 1}};s', (4,)),
    ('f x:n>n;s=0;@i 0..x{?i{2:s=+s 100;_:s=+s 1};s=+s 0};s', (4,)),
    ('f x:n>n;s=0;@i 0..x{r=?i{2:brk 7;_:i};s=+s r};s', (4,)),
    # loops, brk, cnt, loop values
    ("f n:n>n;s=0;@i 0..n{s=+s i};s", (5,)),
    ("f n:n>n;@i 0..n{*i 2}", (5,)),
    ("f n:n>n;@i 0..n{>i 2{brk 99};i}", (5,)),
    ("f n:n>n;@i 0..n{>i 2{brk};i}", (5,)),
    ("f n:n>n;s=0;@i 0..n{=i 2{cnt};s=+s i};s", (5,)),
    ("f xs:L n>n;s=0;@x xs{=x 0{brk};s=+s x};s", ([3, 4, 0, 100],)),
    ("f xs:L n t:n>n;@x xs{>x t{ret x}};-1", ([1, 5, 12], 3)),
    ("f n:n>n;i=0;c=0;wh <i n{i=+i 1;c=+c 2};c", (7,)),
    ("f n:n>n;i=0;wh true{i=+i 1;>=i n{brk}};i", (4,)),
    ("f n:n>n;i=0;wh <i n{i=+i 1;y=i};y", (3,)),
    ("f n:n>_;i=0;wh <i n{i=+i 1}", (3,)),
    ("f n:n>n;c=0;@i 0..n{@j 0..n{c=+c 1}};c", (4,)),
    ("f n:n>n;i=5;@i 0..n{i=+i 10};i", (3,)),
    ("f a:n b:n>L n;xs=[];@i a..b{xs=+=xs i};xs", (2.7, 5.2)),
    ("f a:n b:n>L n;xs=[];@i a..b{xs=+=xs i};xs", (-1.5, 1)),
    # scopes: names first bound in a block vanish after it
    ("f x:n>n;y=1;>x 0{y=2;z=3};y", (1,)),
    ("f n:n>n;t=0;@i 0..n{u=*i 2;t=+t u};t", (3,)),
    # results, unwrap and propagation
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;v=g! x;~+v 1", (2,)),
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;v=g! x;~+v 1", (-2,)),
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;=x 0{~0}{v=g! x;~v}", (-2,)),
    ("g x:n>R n t;>x 0 ~x;^\"neg\"\nf x:n>R n t;s=0;@i 0..3{v=g! x;s=+s v};~s", (-2,)),
    # optionals
    ("f x:O n>n;x??0", (4,)),
    ("f x:O n>n;x??7", (None,)),
    # records
    ("type pt{x:n;y:n}\nf a:n>n;p=pt y:2 x:a;+p.x p.y", (5,)),
    ("type pt{x:n;y:n}\nf a:n>n;p=pt x:a y:2;q=p with x:10;+q.x p.x", (5,)),
    ("type pt{x:n;y:n}\nf a:n>n;p=pt x:a y:2;{x;y}=p;*x y", (5,)),
    ("type pt{x:n;y:n}\nf a:n>pt;pt x:a y:2", (5,)),
    ("type pt{x:n;y:n}\nf p:O pt>O n;p.?x", (None,)),
    # lists and indexing
    ("f xs:L n>n;xs.1", ([5, 6, 7],)),
    ("f xs:_>_;xs.?0", (None,)),
    ("f xs:_>_;xs.?0", ([4],)),
    ("f xs:L n>n;len xs", ([5, 6, 7],)),
    # maps
    ('f>M t n;m=mmap;m=mset m "b" 2;m=mset m "a" 1;m', ()),
    ('f>L t;m=mmap;m=mset m "b" 2;m=mset m "a" 1;mkeys m', ()),
    ('f>b;m=mmap;m=mset m "a" 1;m=mdel m "a";mhas m "a"', ()),
    # calls: user functions, function values, higher-order builtins
    ("dbl x:n>n;*x 2\nf xs:L n>L n;map dbl xs", ([1, 2],)),
    ("dbl x:n>n;*x 2\nap f:F n n x:n>n;f x\ng x:n>n;ap dbl x", (4,)),
    ("pos x:n>b;>x 0\nf xs:L n>L n;flt pos xs", ([-1, 2, 0, 3],)),
    ("add a:n b:n>n;+a b\nf xs:L n>n;fld add xs 0", ([1, 2, 3],)),
    ("f xs:L n>L n;map abs xs", ([-1, 2],)),
    ("inc x:n>n;+x 1\ndbl x:n>n;*x 2\nf x:n>n;x>>inc>>dbl", (3,)),
    ("f x:n>n;r=fac x;r\nfac n:n>n;<=n 1 1;r=fac -n 1;*n r", (6,)),
    ("f>F n n;g\ng x:n>n;x", ()),
    # tools answer ~nil
    ('tool ping"Ping a host" h:t>R t t\nf>R t t;ping "x"', ()),
]


@pytest.mark.parametrize("src,args", CASES)
def test_vm_agrees_with_tree(src, args):
    both(src, "f" if "\nf " in "\n" + src else src.split()[0], *args)


ERRORS = [
    ("f a:n b:n>n;/a b", (1, 0), "ILO-R003"),
    ("f a:_ b:_>_;+a b", (1, "x"), "ILO-R004"),
    ("f a:_>_;-a", ("x",), "ILO-R004"),
    ("f a:_ b:_>_;r=<a b;r", (1, "x"), "ILO-R004"),
    ("f xs:L n>n;xs.5", ([1],), "ILO-R006"),
    ("f xs:_>n;s=0;@x xs{s=+s 1};s", (3,), "ILO-R007"),
    ("f a:_>_;s=0;@i 0..a{s=+s 1};s", ("x",), "ILO-R007"),
    ("f a:_>_;a.x", (3,), "ILO-R005"),
    ("f a:_>_;a with x:1", (3,), "ILO-R008"),
    ("f xs:L n>n;hd []", ([],), None),
    ("f a:_>_;a=+=a 1;a", (3,), "ILO-R004"),
    ('f m:_>_;m=mset m "k" 1;m', (3,), "ILO-R009"),
    ("ap f:_ x:n>n;f x\ng x:n>n;ap 5 x", (1,), None),
]


@pytest.mark.parametrize("src,args,code", ERRORS)
def test_errors_match_the_tree_interpreter(src, args, code):
    got = both(src, src.split("\n")[-1].split()[0], *args)
    if code is not None:
        assert got[:2] == ("error", code)


def test_runtime_error_carries_span_and_function():
    src = "g a:n b:n>n;/a b\nf x:n>n;r=g x 0;r"
    cp = vm.compile_program(verified(src))
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "f", [1.0])
    err = info.value
    assert err.code == "ILO-R003"
    assert err.function == "g"
    assert src[err.span.start:err.span.end].startswith("/a b")


def test_deep_recursion_is_non_recursive_in_python():
    src = "d n:n>n;<=n 0 0;r=d -n 1;+r 1"
    cp = vm.compile_program(verified(src))
    assert vm.run(cp, "d", [9_999.0]) == 9_999.0  # 10,000 frames, the default limit


def test_recursion_past_the_limit_is_r014():
    src = "d n:n>n;<=n 0 0;r=d -n 1;+r 1"
    cp = vm.compile_program(verified(src))
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "d", [float(config.MAX_DEPTH)])
    assert info.value.code == "ILO-R014"
    assert info.value.function == "d"
    assert both(src, "d", float(config.MAX_DEPTH))[:2] == ("error", "ILO-R014")


def test_recursion_through_higher_order_builtins_counts_every_frame():
    src = "d n:n>n;<=n 0 0;xs=map d [-n 1];+xs.0 1"
    vp = verified(src)
    assert both(src, "d", 50) == 50.0
    with pytest.raises(IloRuntimeError) as info:
        vm.run(vm.compile_program(vp), "d", [float(config.MAX_DEPTH + 5)])
    assert info.value.code == "ILO-R014"


def test_hooks_see_every_back_edge():
    src = "f n:n>n;s=0;@i 0..n{s=+s i};j=0;wh <j 4{j=+j 1};xs=[1 2];@x xs{s=+s x};s"
    cp = vm.compile_program(verified(src))
    hooks = CountingHooks()
    assert vm.run(cp, "f", [5.0], hooks=hooks) == 13.0
    chunk = cp.chunks["f"]
    assert sorted(hooks.counts.values()) == [2, 4, 5]
    assert {pc for _, pc in hooks.counts} == {loop.body for loop in chunk.loops}
    assert vm.run(cp, "f", [5.0]) == 13.0  # plain mode is unaffected


def test_hooks_can_take_over_a_loop():
    """A hook that returns a pc resumes the VM there (the JIT's contract)."""
    src = "f n:n>n;s=0;@i 0..n{s=+s i};s"
    cp = vm.compile_program(verified(src))
    chunk = cp.chunks["f"]
    loop = chunk.loops[0]

    class FinishLoop:
        def on_backedge(self, chunk_, header, regs):
            assert header == loop.body
            regs[2] = 1000.0  # pretend a kernel ran the rest of the loop: s = 1000
            return loop.exit

    assert chunk.reg_names[2] == "s"
    assert vm.run(cp, "f", [5.0], hooks=FinishLoop()) == 1000.0


def test_unknown_function_and_wrong_arity():
    cp = vm.compile_program(verified("f x:n>n;x"))
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "nope", [])
    assert info.value.code == "ILO-R002"
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "f", [])
    assert info.value.code == "ILO-R004"


def test_leaf_calls_count_against_the_depth_limit_like_any_call():
    src = "lf x:n>n;+x 1\nd n:n>n;<=n 0{z=lf 0;ret z};r=d -n 1;+r 1"
    limit = config.MAX_DEPTH
    assert both(src, "d", limit - 2) == float(limit - 1)  # limit - 1 frames of d, then the leaf
    assert both(src, "d", limit - 1)[:2] == ("error", "ILO-R014")


def test_counting_protocol_calls_on_hot_after_the_threshold_and_respects_never():
    src = "f n:n>n;s=0;@i 0..n{s=+s i};s"
    cp = vm.compile_program(verified(src))
    never = object()

    class Tier:
        threshold = 3
        min_trips = 0
        NEVER = never
        LATER = object()

        def __init__(self, answer):
            self.calls = 0
            self.answer = answer

        def on_hot(self, chunk, header, regs):
            self.calls += 1
            return self.answer

    keep = Tier(None)
    assert vm.run(cp, "f", [10.0], hooks=keep) == 45.0
    # the range knows its 10 trips at entry (>= threshold): every taken back-edge is offered
    assert keep.calls == 10
    cp = vm.compile_program(verified(src))
    give_up = Tier(never)
    assert vm.run(cp, "f", [10.0], hooks=give_up) == 45.0
    assert give_up.calls == 1
    assert vm.run(cp, "f", [10.0], hooks=give_up) == 45.0
    assert give_up.calls == 1  # the loop is never offered again
