"""Name resolution for the verifier: nested scopes of typed names, and closest-name hints.

In: names and their types as the checker binds them. Out: lookups, and the "did you mean"
candidate for a misspelt name. Only the verifier uses this module.

Scoping follows the reference verifier: a function body is one frame; guard bodies, match
arms and ``@`` loops push a frame; ``wh`` bodies do not. A binding made in an inner frame
hides the outer one for the verifier, but at run time ``x=...`` *rebinds* an existing outer
variable, so the outer binding's type is widened (``typeops.join``) to stay a true fact
after the block.
"""

from __future__ import annotations

from collections.abc import Iterable

from ilo.types import Ty
from ilo.verify.typeops import join


class Scope:
    def __init__(self) -> None:
        self.frames: list[dict[str, Ty]] = [{}]

    def push(self) -> None:
        self.frames.append({})

    def pop(self) -> None:
        self.frames.pop()

    def lookup(self, name: str) -> Ty | None:
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        return None

    def bind(self, name: str, ty: Ty) -> None:
        """A fresh binding in the innermost frame (parameters, loop and pattern variables)."""
        self.frames[-1][name] = ty

    def assign(self, name: str, ty: Ty) -> None:
        """``name=value``: bind in the innermost frame; if an outer frame already has the
        name, the run-time value there changes too, so widen its type."""
        for frame in reversed(self.frames[:-1]):
            if name in frame:
                frame[name] = join(frame[name], ty)
                break
        self.frames[-1][name] = ty

    def names(self) -> list[str]:
        seen: list[str] = []
        for frame in self.frames:
            seen.extend(n for n in frame if n not in seen)
        return seen

    def snapshot(self) -> list[dict[str, Ty]]:
        return [dict(f) for f in self.frames]


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(name: str, candidates: Iterable[str], max_distance: int = 3) -> str | None:
    """The nearest candidate within ``max_distance`` edits (first one wins ties)."""
    best: tuple[int, str] | None = None
    for cand in candidates:
        if cand == name:
            continue
        d = levenshtein(name, cand)
        if d <= max_distance and (best is None or d < best[0]):
            best = (d, cand)
    return best[1] if best else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    match = closest(name, candidates)
    return f"did you mean '{match}'?" if match else None
