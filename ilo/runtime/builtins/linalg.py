"""Linear algebra and signal builtins: ``transpose matmul dot solve inv det fft ifft``.

In: row-major matrices (``L (L n)``) and vectors (``L n``). Out: new lists or numbers.
Written out in plain Python rather than numpy so every result is bit-for-bit the
reference's: the same operation order (left-to-right sums, LU with partial pivoting and a
1e-12 singularity threshold, iterative radix-2 Cooley-Tukey with the same twiddle
recurrence). numpy's BLAS/LAPACK/pocketfft order their operations differently and print
different last digits.
"""

from __future__ import annotations

import math

from ilo.runtime.builtins._support import debug, fail, is_num, need_list
from ilo.runtime.builtins.registry import builtin

_SINGULAR = 1e-12


def _rows(name: str, v, which: str) -> list[list]:
    """A list of equally long lists (``which`` says which argument, for messages)."""
    need_list(v, f"{name}: {which} must be a list of lists")
    cols = None
    for row in v:
        need_list(row, f"{name}: rows must be lists")
        if cols is None:
            cols = len(row)
        elif cols != len(row):
            where = "" if name == "transpose" else f" in {which}"
            raise fail(f"{name}: ragged rows{where} (expected {cols} cols, got {len(row)})")
    return v


@builtin("transpose", "L (L a) > L (L a)", doc="Swap rows and columns of a row-major matrix.",
         example="transpose [[1 2] [3 4]]", result="[[1, 3], [2, 4]]")
def transpose(m):
    rows = _rows("transpose", m, "arg")
    if not rows:
        return []
    return [list(col) for col in zip(*rows)] if rows[0] else []


def _numbers(name: str, rows: list[list]) -> list[list[float]]:
    for row in rows:
        for x in row:
            if not is_num(x):
                raise fail(f"{name}: elements must be numbers, got {debug(x)}")
    return rows


@builtin("matmul", "L (L n), L (L n) > L (L n)", doc="Matrix product of two row-major matrices.",
         example="matmul [[1 2] [3 4]] [[5] [6]]", result="[[17], [39]]")
def matmul(a, b):
    a = _numbers("matmul", _rows("matmul", a, "first arg"))
    b = _numbers("matmul", _rows("matmul", b, "second arg"))
    ar, ac = len(a), len(a[0]) if a else 0
    br, bc = len(b), len(b[0]) if b else 0
    if ac != br:
        raise fail(f"matmul: shape mismatch (a is {ar}x{ac}, b is {br}x{bc})")
    out = []
    for i in range(ar):
        row_a = a[i]
        row = []
        for j in range(bc):
            s = 0.0
            for k in range(ac):
                s += row_a[k] * b[k][j]
            row.append(s)
        out.append(row)
    return out


@builtin("dot", "L n, L n > n", doc="Dot product of two equally long number lists.",
         example="dot [1 2 3] [4 5 6]", result="32")
def dot(xs, ys):
    need_list(xs, "dot: first arg must be a list")
    need_list(ys, "dot: second arg must be a list")
    if len(xs) != len(ys):
        raise fail(f"dot: length mismatch (xs has {len(xs)}, ys has {len(ys)})")
    total = 0.0
    for x, y in zip(xs, ys):
        if not (is_num(x) and is_num(y)):
            raise fail("dot: list elements must be numbers")
        total += x * y
    return total


def _square(name: str, m) -> list[list[float]]:
    need_list(m, f"{name}: expected a list of lists")
    out = []
    for row in m:
        need_list(row, f"{name}: each row must be a list")
        for x in row:
            if not is_num(x):
                raise fail(f"{name}: matrix cells must be numbers, got {debug(x)}")
        out.append(list(row))
    if not out:
        raise fail(f"{name}: empty matrix")
    if any(len(row) != len(out) for row in out):
        raise fail(f"{name}: matrix must be square")
    return out


def lu_decompose(a: list[list[float]]):
    """In place: (LU, pivots, determinant, singular). A column whose largest remaining
    entry is below 1e-12 marks the matrix singular (its determinant is then 0)."""
    n = len(a)
    piv = list(range(n))
    sign, singular = 1.0, False
    for k in range(n):
        max_val, max_row = abs(a[k][k]), k
        for i in range(k + 1, n):
            v = abs(a[i][k])
            if v > max_val:
                max_val, max_row = v, i
        if max_val < _SINGULAR:
            singular = True
            continue
        if max_row != k:
            a[k], a[max_row] = a[max_row], a[k]
            piv[k], piv[max_row] = piv[max_row], piv[k]
            sign = -sign
        pivot = a[k][k]
        row_k = a[k]
        for i in range(k + 1, n):
            row = a[i]
            row[k] /= pivot
            factor = row[k]
            for j in range(k + 1, n):
                row[j] -= factor * row_k[j]
    det = sign
    for i in range(n):
        det *= a[i][i]
    return a, piv, (0.0 if singular else det), singular


def lu_solve(lu, piv, b) -> list[float]:
    n = len(lu)
    x = [b[piv[i]] for i in range(n)]
    for i in range(n):
        for j in range(i):
            x[i] -= lu[i][j] * x[j]
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            x[i] -= lu[i][j] * x[j]
        x[i] /= lu[i][i]
    return x


@builtin("det", "L (L n) > n", doc="Determinant of a square matrix (LU with partial pivoting).",
         example="det [[1 2] [3 4]]", result="-2")
def det(m):
    return lu_decompose(_square("det", m))[2]


@builtin("inv", "L (L n) > L (L n)", doc="Inverse of a square matrix; singular or non-square is an error.",
         example="inv [[2 0] [0 4]]", result="[[0.5, 0], [0, 0.25]]")
def inv(m):
    a = _square("inv", m)
    n = len(a)
    lu, piv, _, singular = lu_decompose(a)
    if singular:
        raise fail("inv: matrix is singular")
    cols = [lu_solve(lu, piv, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[cols[j][i] for j in range(n)] for i in range(n)]


@builtin("solve", "L (L n), L n > L n", doc="Solve A x = b (LU with partial pivoting); singular or non-square is an error.",
         example="solve [[2 0] [0 4]] [2 8]", result="[1, 2]")
def solve(m, b):
    a = _square("solve", m)
    need_list(b, "solve: expected a list of numbers")
    for x in b:
        if not is_num(x):
            raise fail(f"solve: vector items must be numbers, got {debug(x)}")
    if len(b) != len(a):
        raise fail("solve: vector length must match matrix size")
    lu, piv, _, singular = lu_decompose(a)
    if singular:
        raise fail("solve: matrix is singular")
    return lu_solve(lu, piv, b)


def _next_pow2(n: int) -> int:
    p = 1
    while p < n:
        p <<= 1
    return p


def cooley_tukey(re: list[float], im: list[float], inverse: bool) -> None:
    """In-place iterative radix-2 FFT (length a power of two); the inverse divides by N."""
    n = len(re)
    if n <= 1:
        return
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j ^= bit
        if i < j:
            re[i], re[j] = re[j], re[i]
            im[i], im[j] = im[j], im[i]
    sign = 1.0 if inverse else -1.0
    size = 2
    while size <= n:
        half = size // 2
        theta = sign * 2.0 * math.pi / size
        w_re, w_im = math.cos(theta), math.sin(theta)
        for start in range(0, n, size):
            cur_re, cur_im = 1.0, 0.0
            for k in range(start, start + half):
                h = k + half
                b_re = re[h] * cur_re - im[h] * cur_im
                b_im = re[h] * cur_im + im[h] * cur_re
                a_re, a_im = re[k], im[k]
                re[k], im[k] = a_re + b_re, a_im + b_im
                re[h], im[h] = a_re - b_re, a_im - b_im
                cur_re, cur_im = cur_re * w_re - cur_im * w_im, cur_re * w_im + cur_im * w_re
        size <<= 1
    if inverse:
        scale = 1.0 / n
        for i in range(n):
            re[i] *= scale
            im[i] *= scale


def _nonempty_list(name: str, xs, of: str) -> None:
    """The transforms' argument check: a list (of ``of``) with at least one element."""
    need_list(xs, f"{name}: arg must be a list of {of}")
    if not xs:
        raise fail(f"{name}: input list must not be empty")


@builtin("fft", "L n > L (L n)", doc="Discrete Fourier transform of real samples (zero-padded to a power of two): [re, im] per bin.",
         example="fft [1 0 0 0]", result="[[1, 0], [1, 0], [1, 0], [1, 0]]")
def fft(xs):
    _nonempty_list("fft", xs, "numbers")
    for x in xs:
        if not is_num(x):
            raise fail(f"fft: list elements must be numbers, got {debug(x)}")
    n = _next_pow2(len(xs))
    re = list(xs) + [0.0] * (n - len(xs))
    im = [0.0] * n
    cooley_tukey(re, im, False)
    return [[r, i] for r, i in zip(re, im)]


@builtin("ifft", "L (L n) > L n", doc="Inverse FFT of [re, im] pairs; the imaginary parts of the result are dropped.",
         example="ifft [[1 0] [1 0] [1 0] [1 0]]", result="[1, 0, 0, 0]")
def ifft(pairs):
    _nonempty_list("ifft", pairs, "pairs")
    re, im = [], []
    for p in pairs:
        if not (isinstance(p, list) and len(p) == 2):
            raise fail(f"ifft: each element must be a [real, imag] pair, got {debug(p)}")
        if not (is_num(p[0]) and is_num(p[1])):
            raise fail("ifft: pair elements must be numbers")
        re.append(p[0])
        im.append(p[1])
    n = _next_pow2(len(re))
    re += [0.0] * (n - len(re))
    im += [0.0] * (n - len(im))
    cooley_tukey(re, im, True)
    return re
