"""The exception a function kernel raises when it cannot finish a call itself.

Imported by generated function kernels (python and numba alike, so it must stay a plain
class with no arguments) and by ``calls.py``, whose entry handler catches it and runs the
call on the VM from its first instruction. That is a consistent point because function
kernels contain no instruction with an effect outside the call (``fnkernels`` admits only
pure instructions), so re-running the call computes exactly what the VM would have.
"""


class Deopt(Exception):
    """A function kernel gave up: the VM runs the call from its start."""
