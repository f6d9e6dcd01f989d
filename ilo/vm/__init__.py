"""The register bytecode VM: ``compile_program(vp) -> CompiledProgram`` and
``run(cp, func, args, hooks=None) -> value``; ``disasm.disassemble(cp)`` lists the code.

Imports only ``syntax.ast``/``verify.program`` (compiler), ``runtime``, ``types``,
``diagnostics`` and ``config``; never an engine. See ``machine.py`` for the run loop and
``hooks.py`` for how a JIT attaches.
"""

from ilo.vm.compiler import compile_program
from ilo.vm.machine import run

__all__ = ["compile_program", "run"]
