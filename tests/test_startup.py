"""Start-up stays cheap: a trivial command-line run imports only what running it needs.

Each check runs a fresh interpreter and compares ``sys.modules`` before and after, so a
module the environment already loads (``site`` may pull in ``tempfile``, say) is not blamed
on ilo. The modules listed are the tools and libraries a trivial run has no use for; when one
of them shows up, some module imports it at top level and should import it where it is used.
The whole-process timing is a benchmark, not a test: ``python bench/startup.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

# Never needed to run `f>n;1` (or any program without the feature) on any engine.
NEVER = {
    # libraries
    "numba", "llvmlite", "numpy", "argparse", "importlib.metadata", "urllib.request",
    "http.client", "ssl", "email.message", "difflib", "doctest", "pydoc", "unittest",
    "subprocess", "asyncio", "sqlite3", "xml.dom", "csv", "pickle",
    # our tools: each is imported by the command that uses it
    "ilo.docs", "ilo.repl", "ilo.timing", "ilo.syntax.unparse", "ilo.vm.disasm",
    "ilo.runtime.jsonvalue",
    # the JIT's machinery beyond its cheap hook: only once a loop gets hot
    "ilo.jit.tier", "ilo.jit.backend", "ilo.jit.emit", "ilo.jit.infer", "ilo.jit.cache",
    "ilo.jit.regions", "ilo.jit.boundary",
}

PROBE = """
import contextlib, io, json, sys
before = set(sys.modules)
from ilo.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    status = main(sys.argv[1:])
print(json.dumps({"status": status, "out": out.getvalue(), "new": sorted(set(sys.modules) - before)}))
"""


def imported_by(*argv: str) -> tuple[int, str, set[str]]:
    r = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=REPO,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    found = json.loads(r.stdout.splitlines()[-1])
    return found["status"], found["out"], set(found["new"])


@pytest.mark.parametrize("engine", ["tree", "vm", "jit"])
def test_trivial_run_imports_only_what_it_needs(engine):
    status, out, new = imported_by(f"--run-{engine}", "f>n;1")
    assert (status, out) == (0, "1\n")
    assert not new & NEVER, sorted(new & NEVER)
    # the other engines stay unloaded (the JIT engine is the VM plus the JIT's hook)
    unused = {"tree": ("ilo.vm", "ilo.jit"), "vm": ("ilo.interp", "ilo.jit"), "jit": ("ilo.interp",)}[engine]
    assert not {m for m in new if m.startswith(unused)}, sorted(new)

def test_default_run_with_arguments_imports_only_what_it_needs():
    status, out, new = imported_by("dbl x:n>n;*x 2", "21")
    assert (status, out) == (0, "42\n")
    assert not new & NEVER, sorted(new & NEVER)
    assert "ilo.interp" not in new


def test_tools_import_their_modules_only_when_asked():
    _, out, new = imported_by("--fmt", "f>n;1")
    assert out == "f>n;1\n" and "ilo.syntax.unparse" in new and "ilo.vm" not in new
    _, out, new = imported_by("--json", "f>n;1")
    assert out == '{"ok":1}\n' and "ilo.runtime.jsonvalue" in new
