"""Who may import whom (STYLE.md §8), checked by reading imports with `ast`.

Also checks the start-up promise: importing ilo, or running a program with no hot loop,
never imports numba.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO

PKG = REPO / "ilo"

# package → packages (inside ilo) it must never import
FORBIDDEN = {
    "syntax": {"verify", "interp", "vm", "jit", "api", "cli"},
    "verify": {"interp", "vm", "jit", "api", "cli"},
    "runtime": {"syntax", "verify", "interp", "vm", "jit", "api", "cli"},
    "interp": {"vm", "jit", "api", "cli"},
    "vm": {"interp", "jit", "api", "cli"},
    "jit": {"interp", "syntax", "verify", "api", "cli"},
    "diagnostics": {"syntax", "verify", "interp", "vm", "jit", "api", "cli", "runtime"},
}


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_layering():
    problems = []
    for pkg, banned in FORBIDDEN.items():
        for path in (PKG / pkg).rglob("*.py"):
            for mod in _imports(path):
                parts = mod.split(".")
                if parts[0] == "ilo" and len(parts) > 1 and parts[1] in banned:
                    problems.append(f"{path.relative_to(REPO)} imports {mod}")
    assert not problems, "\n".join(problems)


def test_numba_imported_only_in_backend():
    offenders = []
    for path in PKG.rglob("*.py"):
        if path.name == "backend.py" and path.parent.name == "jit":
            continue
        # jit/native.py loads stored machine code with llvmlite alone (no numba)
        allowed = ("llvmlite",) if (path.name, path.parent.name) == ("native.py", "jit") else ()
        if any(m.split(".")[0] in ("numba", "llvmlite") and m.split(".")[0] not in allowed for m in _imports(path)):
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders


def test_startup_does_not_import_numba():
    code = (
        "import sys, io, contextlib\n"
        "import ilo\n"
        "from ilo.cli import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        "    main(['dbl x:n>n;*x 2', '5'])\n"
        "assert buf.getvalue().strip() == '10', buf.getvalue()\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
