"""Idiomatic CPython versions of the VM benchmark programs (``bench/programs/*.ilo``).

Each function takes the same argument as the ilo program's ``-- bench:`` line and returns the
same value (numbers as floats), so ``bench/run.py`` can check the engines against them.
"""

from __future__ import annotations

import json


def numeric(n):
    s = 0.0
    i = 1.0
    while i <= n:
        s += i
        i += 1.0
    return s


def string(n):
    s = ""
    for i in range(int(n)):
        s += "item-" + str(i) + ", "
    return float(len(s))


def record(n):
    s = 0.0
    for i in range(int(n)):
        p = {"x": float(i), "y": i * 2.0}
        s += p["x"] + p["y"]
    return s


def mixed(n):
    items = [{"name": str(i), "val": i * 3} for i in range(int(n))]
    return json.dumps(items, separators=(",", ":"))


def _classify(x):
    if x >= 900:
        return 30.0
    if x >= 700:
        return 25.0
    if x >= 500:
        return 20.0
    if x >= 300:
        return 15.0
    if x >= 100:
        return 10.0
    return 5.0


def guards(n):
    return sum(_classify(i) for i in range(int(n)))


def recurse(n):
    if n <= 1:
        return n
    return recurse(n - 1) + recurse(n - 2)


def foreach(n):
    xs = [float(i) for i in range(int(n))]
    s = 0.0
    for x in xs:
        s += x
    return s


def while_(n):
    s = 0.0
    i = 0.0
    while i < n:
        s += i
        i += 1.0
    return s


def _dbl(x):
    return x * 2


def _inc(x):
    return x + 1


def pipe(n):
    s = 0.0
    for i in range(int(n)):
        s += _inc(_dbl(_inc(_dbl(float(i)))))
    return s


BASELINES = {"numeric": numeric, "string": string, "record": record, "mixed": mixed, "guards": guards,
             "recurse": recurse, "foreach": foreach, "while": while_, "pipe": pipe}
