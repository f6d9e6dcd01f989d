"""The bytecode compiler: what it emits for the shapes that matter (disassembly goldens),
that it reads types from the verifier, and that loops are recorded for the JIT."""

from __future__ import annotations

from ilo import vm
from ilo.source import Source
from ilo.vm.disasm import disassemble
from ilo.vm.opcodes import OPCODES, Op


def verified(src: str):
    from ilo.syntax.parser import parse
    from ilo.verify import verify

    source = Source("<test>", src)
    return verify(parse(source), source)


def compiled(src: str):
    return vm.compile_program(verified(src))


def listing(src: str, func: str = "f") -> str:
    return disassemble(compiled(src).chunks[func], with_equation=False)


def ops(src: str, func: str = "f") -> list[str]:
    return [OPCODES[ins[0]].name for ins in compiled(src).chunks[func].code]


def test_fib_golden():
    assert listing("fib n:n>n;<=n 1 n;a=fib -n 1;b=fib -n 2;+a b", "fib") == "\n".join([
        "fib (n) regs=5",
        "  0000    JNLE_NK      r0:n K0(1) @2",
        "  0001    RET          r0:n",
        "  0002    SUBK_N       r3:b r0:n K0(1)",
        "  0003    CALL         r2:a K1('fib') (r3:b)",
        "  0004    SUBK_N       r4 r0:n K2(2)",
        "  0005    CALL         r3:b K1('fib') (r4)",
        "  0006    ADD_NN       r1 r2:a r3:b",
        "  0007    RET          r1",
    ])


def test_while_loop_is_inverted_with_a_fused_test():
    assert listing("f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s") == "\n".join([
        "f (n) regs=4",
        "  0000    LOADK        r2:s K0(0)",
        "  0001    LOADK        r3:i K0(0)",
        "  0002    JMP          @5",
        "  0003 L> ADD_NN       r2:s r2:s r3:i",
        "  0004    ADDK_N       r3:i r3:i K1(1)",
        "  0005 <- JLT_NN       r3:i r0:n @3",
        "  0006    RET          r2:s",
        "  0007    RET          r1",
    ])
    loop = compiled("f n:n>n;s=0;i=0;wh <i n{s=+s i;i=+i 1};s").chunks["f"].loops[0]
    assert (loop.kind, loop.body, loop.test, loop.back_edge, loop.exit) == ("while", 3, 5, 5, 6)


def test_self_rebinds_use_a_equals_b():
    code = compiled('f n:n>n;xs=[];m=mmap;s="";@i 0..n{xs=+=xs i;k=str i;m=mset m k i;s=+s k};len s')
    rebinds = [ins for ins in code.chunks["f"].code if ins[0] in (Op.LISTAPPEND, Op.MSET, Op.ADD_SS)]
    assert [OPCODES[op].name for op, *_ in rebinds] == ["LISTAPPEND", "MSET", "ADD_SS"]
    assert all(a == b for _, a, b, _ in rebinds)


def test_other_shapes_take_the_copying_path():
    for src in ("f xs:L n>L n;ys=+=xs 1;ys", 'f m:M t n>M t n;m2=mset m "k" 1;m2', 'f s:t>t;t2=+s "x";t2'):
        code = compiled(src).chunks["f"].code
        ins = next(i for i in code if i[0] in (Op.LISTAPPEND, Op.CALL_BUILTIN, Op.ADD_SS))
        assert ins[1] != ins[2] or ins[0] == Op.CALL_BUILTIN


def test_types_come_from_the_verifier():
    assert "ADD_NN" in ops("f a:n b:n>n;+a b")
    assert "ADD_SS" in ops("f a:t b:t>t;+a b")
    assert "ADD" in ops("f a:_ b:_>_;+a b") and "ADD_NN" not in ops("f a:_ b:_>_;+a b")
    assert "JNGE_NK" in ops("f x:n>n;>=x 5 1;0")
    assert "JMPF" in ops("f x:_>n;>=x 5 1;0") or "GE" in ops("f x:_>n;>=x 5 1;0")


def test_constant_on_the_left_is_flipped():
    assert ops("f x:n>n;<5 x 1;0")[0] == "JNGT_NK"


def test_unread_values_are_not_computed():
    # braced guards whose value is overwritten compile to nothing but their test... which is dropped too
    assert ops("f x:n>n;>=x 900{30};>=x 700{25};5") == ["LOADK", "RET"]


def test_range_and_foreach_loops_are_recorded():
    chunk = compiled("f n:n>n;s=0;@i 0..n{s=+s i};xs=[1];@x xs{s=+s x};s").chunks["f"]
    assert [loop.kind for loop in chunk.loops] == ["range", "foreach"]
    for loop in chunk.loops:
        back = chunk.code[loop.back_edge]
        assert OPCODES[back[0]].name in ("RANGENEXT", "FORNEXT")
        assert back[3] == loop.body and loop.exit == loop.back_edge + 1


def test_every_instruction_has_a_span():
    chunk = compiled("f n:n>n;s=0;@i 0..n{s=+s i};s").chunks["f"]
    assert len(chunk.spans) == len(chunk.code)
    assert all(span is not None for span in chunk.spans)


def test_unverified_programs_fail_at_run_time_with_the_tree_codes():
    """The verifier rejects these; a hand-built VerifiedProgram (no side tables) still compiles,
    and the bad name raises the tree interpreter's code only when reached."""
    import pytest

    from ilo.runtime.errors import IloRuntimeError
    from ilo.syntax.parser import parse
    from ilo.verify.program import VerifiedProgram

    source = Source("<test>", "f x:n>n;>x 0 x;nope\ng x:n>n;>x 0 x;zz x")
    program = parse(source)
    vp = VerifiedProgram(program, source, functions={fn.name: fn for fn in program.functions})
    cp = vm.compile_program(vp)
    assert "FAIL" in [OPCODES[i[0]].name for i in cp.chunks["f"].code]
    assert vm.run(cp, "f", [1.0]) == 1.0
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "f", [-1.0])
    assert info.value.code == "ILO-R001" and info.value.function == "f"
    with pytest.raises(IloRuntimeError) as info:
        vm.run(cp, "g", [-1.0])
    assert info.value.code == "ILO-R002"


def test_no_import_cycle_among_the_front_end_and_compiler_modules():
    """syntax/*, verify/* and the VM compiler (compiler, compile_exprs, compile_stmts,
    peephole, flow) import each other without a cycle, counting imports inside functions."""
    import ast as pyast

    from conftest import REPO

    paths = [*(REPO / "ilo" / "syntax").glob("*.py"), *(REPO / "ilo" / "verify").glob("*.py"),
             *(REPO / "ilo" / "vm" / name for name in ("compiler.py", "compile_exprs.py", "compile_stmts.py",
                                                        "peephole.py", "flow.py"))]
    modules = {".".join(p.relative_to(REPO).with_suffix("").parts): p for p in paths}
    graph: dict[str, set[str]] = {}
    for mod, path in modules.items():
        deps = set()
        for node in pyast.walk(pyast.parse(path.read_text())):
            if isinstance(node, pyast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, pyast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            deps |= {n for n in names if n in modules and n != mod}
        graph[mod] = deps
    state: dict[str, int] = {}

    def visit(mod, trail):
        if state.get(mod) == 1:
            raise AssertionError("import cycle: " + " -> ".join([*trail, mod]))
        if state.get(mod) == 2:
            return
        state[mod] = 1
        for dep in sorted(graph[mod]):
            visit(dep, [*trail, mod])
        state[mod] = 2

    for mod in sorted(graph):
        visit(mod, [])
    assert "ilo.vm.peephole" in graph and graph["ilo.vm.peephole"] == set()  # a leaf
