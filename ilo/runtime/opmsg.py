"""The one builder of operator error messages, shared by every engine.

In: an operator symbol and the operand values that it could not combine. Out: an
``IloRuntimeError`` (``ILO-R004``, or ``ILO-R003`` for division by zero) whose text is the
same whichever engine raised it. The tree interpreter checks operand types itself and
calls these directly; the VM's typed instructions trust the verifier and let Python raise
``TypeError``, which the VM's error boundary turns into the same message by calling
``operand_error`` with the instruction's operands (see ``vm.machine.as_runtime_error``).
"""

from __future__ import annotations

from ilo.runtime.errors import IloRuntimeError
from ilo.runtime.values import type_name


def operand_error(op: str, a, b) -> IloRuntimeError:
    """``op`` (``+ - * / < ...``) met operands it does not accept."""
    return IloRuntimeError("ILO-R004", f"cannot apply '{op}' to {type_name(a)} and {type_name(b)}")


def negate_error(v) -> IloRuntimeError:
    return IloRuntimeError("ILO-R004", f"cannot negate {type_name(v)}")


def division_by_zero() -> IloRuntimeError:
    return IloRuntimeError("ILO-R003", "division by zero")
