"""Variable environments of the tree interpreter: one ``Frame`` per ilo function call.

A frame is a stack of scopes (dicts, innermost last). The rules follow the reference:

- a call starts a fresh frame holding only the parameters (callees never see the caller's
  variables);
- ``name=value`` (``assign``) rebinds ``name`` in the innermost scope that already has it,
  otherwise creates it in the innermost scope; so a loop body updates the variables of the
  enclosing code, while names first bound inside the body vanish when its scope is popped;
- ``define`` always binds in the innermost scope (parameters, loop variables, match
  bindings), so each loop iteration gets a fresh loop variable.

Guard bodies, match arms and each ``@`` iteration get their own scope; ``wh`` bodies do not
(the reference runs them in the enclosing scope).
"""

from __future__ import annotations

_MISSING = object()


class Frame:
    __slots__ = ("function", "scopes")

    def __init__(self, function: str, params: dict):
        self.function = function
        self.scopes = [params]

    def lookup(self, name: str):
        """The value bound to ``name``, or ``MISSING``."""
        scopes = self.scopes
        if len(scopes) == 1:
            return scopes[0].get(name, _MISSING)
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        return _MISSING

    def scope_of(self, name: str) -> dict | None:
        """The scope dict that holds ``name`` (the one ``assign`` would update), or None."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope
        return None

    def assign(self, name: str, value) -> None:
        scopes = self.scopes
        for scope in reversed(scopes):
            if name in scope:
                scope[name] = value
                return
        scopes[-1][name] = value

    def define(self, name: str, value) -> None:
        self.scopes[-1][name] = value

    def push(self, scope: dict | None = None) -> None:
        self.scopes.append({} if scope is None else scope)

    def pop(self) -> None:
        self.scopes.pop()


MISSING = _MISSING
