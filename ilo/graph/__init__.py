"""``ilo graph``: a program's dependency graph (calls and types), the reference's command.

``build`` holds the graph and its queries, ``dense`` the reference formatter's one-line
form used for every `sig` and `source`, ``load`` the forgiving parse, ``command`` the
command line (``ilo.cli`` hands ``ilo graph ...`` to ``command.main`` before reading any of
its own flags, as it does for ``ilo serv``).
"""

from __future__ import annotations


def main(argv: list[str]) -> int:
    from ilo.graph.command import main as command_main

    return command_main(argv)
