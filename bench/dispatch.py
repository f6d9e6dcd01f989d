"""Why the VM pre-decodes instructions into closures: a measurement of three dispatch styles.

    python bench/dispatch.py

The same loop (the ``while`` benchmark's body: ``s=+s i; i=+i 1; <i n → back``, 3 instructions
per iteration) run by three toy run loops:

- ``closures``: what ``ilo.vm.machine`` does: one closure per instruction, operands bound at
  decode time, loop ``pc = code[pc](R)``;
- ``table``: tuples ``(op, a, b, c)`` decoded every step, handlers in a list indexed by ``op``,
  loop ``op, a, b, c = code[pc]; pc = handlers[op](R, a, b, c, pc)``;
- ``ifchain``: tuples decoded every step, an ``if``/``elif`` chain on ``op`` inside the loop,
  with these three opcodes first in the chain (its best case);
- ``ifchain20``: the same with 20 other opcodes tested before them (the VM has ~90 opcodes,
  so most would sit this deep or deeper, even with a chain generated in frequency order).

Result on the development machine (CPython 3.11): the if-chain wins only while the executed
opcodes are at the very front of the chain, and loses to closures once they sit ~10 tests
deep; the per-step table decode is slowest. Closures give every opcode the same cost, so the
VM uses them.
"""

from __future__ import annotations

import time

N = 100_000
ADD_NN, ADDK_N, JLT_NN, RET = 0, 1, 2, 3
# R: [n, s, i]; code: s = s + i; i = i + 1; if i < n: goto 0; return s
CODE = [(ADD_NN, 1, 1, 2), (ADDK_N, 2, 2, 1.0), (JLT_NN, 2, 0, 0), (RET, 1, 0, 0)]


def closures(n: float) -> float:
    def add_nn(a, b, c, pc):
        nxt = pc + 1

        def h(R):
            R[a] = R[b] + R[c]
            return nxt
        return h

    def addk_n(a, b, k, pc):
        nxt = pc + 1

        def h(R):
            R[a] = R[b] + k
            return nxt
        return h

    def jlt_nn(a, b, c, pc):
        nxt = pc + 1

        def h(R):
            if R[a] < R[b]:
                return c
            return nxt
        return h

    def ret(a, b, c, pc):
        return lambda R: -1

    makers = [add_nn, addk_n, jlt_nn, ret]
    code = [makers[op](a, b, c, pc) for pc, (op, a, b, c) in enumerate(CODE)]
    R = [n, 0.0, 0.0]
    pc = 0
    while pc >= 0:
        pc = code[pc](R)
    return R[1]


def table(n: float) -> float:
    def add_nn(R, a, b, c, pc):
        R[a] = R[b] + R[c]
        return pc + 1

    def addk_n(R, a, b, c, pc):
        R[a] = R[b] + c
        return pc + 1

    def jlt_nn(R, a, b, c, pc):
        return c if R[a] < R[b] else pc + 1

    def ret(R, a, b, c, pc):
        return -1

    handlers = [add_nn, addk_n, jlt_nn, ret]
    R = [n, 0.0, 0.0]
    pc = 0
    code = CODE
    while pc >= 0:
        op, a, b, c = code[pc]
        pc = handlers[op](R, a, b, c, pc)
    return R[1]


def ifchain(n: float) -> float:
    R = [n, 0.0, 0.0]
    pc = 0
    code = CODE
    while True:
        op, a, b, c = code[pc]
        if op == ADD_NN:
            R[a] = R[b] + R[c]
            pc += 1
        elif op == ADDK_N:
            R[a] = R[b] + c
            pc += 1
        elif op == JLT_NN:
            pc = c if R[a] < R[b] else pc + 1
        else:
            return R[1]


def ifchain20(n: float) -> float:
    R = [n, 0.0, 0.0]
    pc = 0
    code = [(op + 20 if op != RET else op, a, b, c) for op, a, b, c in CODE]
    src = ["def run(R, code, pc):", "    while True:", "        op, a, b, c = code[pc]"]
    for dummy in range(4, 20):
        src.append(f"        {'if' if dummy == 4 else 'elif'} op == {dummy}:\n            pc += 1")
    src += ["        elif op == 20:\n            R[a] = R[b] + R[c]\n            pc += 1",
            "        elif op == 21:\n            R[a] = R[b] + c\n            pc += 1",
            "        elif op == 22:\n            pc = c if R[a] < R[b] else pc + 1",
            "        else:\n            return R[1]"]
    namespace: dict = {}
    exec("\n".join(src), namespace)  # noqa: S102 - generated from the fixed lines above
    return namespace["run"](R, code, pc)


def main() -> None:
    expected = float(sum(range(N)))
    for fn in (closures, table, ifchain, ifchain20):
        assert fn(float(N)) == expected
        best = min(_timed(fn) for _ in range(5))
        print(f"{fn.__name__:<9} {best / (3 * N) * 1e9:6.1f} ns per instruction")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn(float(N))
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
