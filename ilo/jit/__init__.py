"""The JIT tier: hot VM loops become kernels (numba for numbers and number lists, generated
CPython for text, text lists and text→number maps), with the VM as the fallback.

Importing this package imports nothing heavy; numba is loaded by ``backend.py`` only when a
loop is first compiled with it. Entry points: ``hook.JitHook``, the light object the API
hands the VM, and ``tier.JitTier``, the hot-loop hook it forwards offers to
(``VM_HOOK_CONTRACT.md``). Pipeline: ``ops`` (decode) → ``regions`` → ``infer`` → ``emit``
→ ``cache``/``backend`` → run, with ``boundary`` moving values across and ``stats`` recording.
"""
