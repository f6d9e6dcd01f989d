"""The runtime an emitted module carries with it, so it runs without ilo installed.

In: nothing (it reads ilo's own source files). Out: ``bundle_source()``, Python text that,
when executed at the top of an emitted module, makes the runtime importable under a private
name (``_ilo_rt_<hash>``) and binds ``_rt`` to a loader for it.

What is carried: the modules the translated code calls (``runtime.values``, ``runtime.errors``,
``runtime.builtins`` and its registry, the operators and ``match_pattern`` of the tree
interpreter) and everything they import, found by reading their imports, so a builtin added
to the registry travels with it. The modules are ilo's own source, unchanged except that
``ilo.`` in their imports names the private package: builtins, operators, formatting and
error messages are therefore the very definitions every engine uses, not a second copy.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

ILO_DIR = Path(__file__).resolve().parents[1]
# What the translated code imports directly; the rest is found from their imports.
ROOTS = ("ilo.runtime.builtins", "ilo.runtime.values", "ilo.runtime.errors", "ilo.runtime.format",
         "ilo.interp.operators", "ilo.interp.exprs", "ilo.syntax.ast", "ilo.runtime.ownership",
         "ilo.runtime.typecheck", "ilo.runtime.calls")
# Package __init__ modules that would pull in whole engines: replaced by empty packages.
EMPTY_PACKAGES = ("ilo", "ilo.interp", "ilo.runtime", "ilo.syntax", "ilo.diagnostics", "ilo.verify")


def _path(module: str) -> Path | None:
    rel = module.split(".")[1:]
    file = ILO_DIR.joinpath(*rel).with_suffix(".py") if rel else None
    if file is not None and file.is_file():
        return file
    init = ILO_DIR.joinpath(*rel, "__init__.py")
    return init if init.is_file() else None


def _imports(module: str) -> set[str]:
    """ilo modules ``module`` imports anywhere in its text (lazy imports included)."""
    found = set()
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and \
                (node.module == "ilo" or node.module.startswith("ilo.")):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _path(sub) is not None and sub != node.module else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ilo."))
    return found


def modules() -> dict[str, str]:
    """Module name -> source text, for every module the emitted code needs."""
    out: dict[str, str] = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in out or name in EMPTY_PACKAGES or _path(name) is None:
            continue
        out[name] = _path(name).read_text(encoding="utf-8")
        todo.extend(_imports(name))
    return dict(sorted(out.items()))


_LOADER = '''
import importlib.abc as _abc, importlib.util as _util, re as _re, sys as _sys


class _IloRuntimeFinder(_abc.MetaPathFinder, _abc.Loader):
    """Serves the embedded ilo runtime modules under a private package name."""

    def __init__(self, root, sources, packages):
        self.root, self.sources, self.packages = root, sources, packages

    def _orig(self, fullname):
        if fullname == self.root or fullname.startswith(self.root + "."):
            return "ilo" + fullname[len(self.root):]
        return None

    def find_spec(self, fullname, path=None, target=None):
        orig = self._orig(fullname)
        if orig is None or (orig not in self.sources and orig not in self.packages):
            return None
        is_pkg = orig in self.packages or any(k.startswith(orig + ".") for k in self.sources)
        return _util.spec_from_loader(fullname, self, is_package=is_pkg)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        orig = self._orig(module.__name__)
        text = self.sources.get(orig, "")
        text = _re.sub(r"^(\\s*)(from|import) ilo(?=[. ])", lambda m: m.group(1) + m.group(2) + " " + self.root,
                       text, flags=_re.M)
        exec(compile(text, "<ilo runtime: " + orig + ">", "exec"), module.__dict__)


def _install_runtime(root, sources, packages):
    if not any(isinstance(f, _IloRuntimeFinder) and f.root == root for f in _sys.meta_path):
        _sys.meta_path.insert(0, _IloRuntimeFinder(root, sources, packages))
    return lambda name: __import__(root + "." + name, fromlist=["_"])
'''


def bundle_source() -> str:
    sources = modules()
    digest = hashlib.sha256(repr(sorted(sources.items())).encode()).hexdigest()[:12]
    lines = ["# ── the ilo runtime, carried along (ilo's own modules; see ilo/pyemit/bundle.py) ──",
             _LOADER.strip(), "", "_SOURCES = {"]
    for name, text in sources.items():
        lines.append(f"    {name!r}: {text!r},")
    lines.append("}")
    lines.append(f"_rt = _install_runtime({'_ilo_rt_' + digest!r}, _SOURCES, {EMPTY_PACKAGES!r})")
    return "\n".join(lines) + "\n"
