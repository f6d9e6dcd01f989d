"""The one registry of ilo error codes.

Codes follow the reference implementation (``ILO-L`` lexer, ``ILO-P`` parser, ``ILO-T``
verifier, ``ILO-R`` runtime) so agents trained on either see the same codes. Each entry is
(code, title, explanation). Everything else (README table, ``ilo help CODE``) derives from
this table; a test checks that every code raised anywhere is listed here.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    code: str
    title: str
    explanation: str


_TABLE: tuple[Code, ...] = (
    Code("ILO-L001", "unexpected character", "The lexer met a character that starts no ilo token."),
    Code("ILO-L002", "underscore in identifier", "Identifiers use hyphens, not underscores: `my-name`."),
    Code("ILO-L003", "uppercase identifier", "Identifiers are lowercase; uppercase letters are type constructors."),
    Code("ILO-L004", "unterminated text literal", "A text literal opened with `\"` never closes."),
    Code("ILO-P001", "unexpected token at top level", "A declaration must start with a function name, `type` or `tool`."),
    Code("ILO-P002", "unexpected end of input at top level", "The program ended inside a declaration header."),
    Code("ILO-P003", "unexpected token", "The parser expected a specific token here."),
    Code("ILO-P004", "unexpected end of input", "The program ended where more was expected (an unclosed brace?)."),
    Code("ILO-P005", "expected identifier", "A name was expected here."),
    Code("ILO-P006", "expected identifier, got end of input", "A name was expected before the end of the program."),
    Code("ILO-P007", "expected type", "A type (`n t b _ L R O M S F` or a named type) was expected."),
    Code("ILO-P008", "expected type, got end of input", "The program ended where a type was expected."),
    Code("ILO-P009", "expected expression", "An expression was expected here."),
    Code("ILO-P010", "expected expression, got end of input", "The program ended where an expression was expected."),
    Code("ILO-P011", "expected pattern or reserved word", "A match pattern was expected, or a reserved word (`if`, `return`, `let`, ...) was used as a name."),
    Code("ILO-P012", "expected pattern, got end of input", "The program ended inside a match."),
    Code("ILO-P013", "expected number literal", "A number literal was expected (e.g. a list index)."),
    Code("ILO-P014", "expected number literal, got end of input", "The program ended where a number was expected."),
    Code("ILO-P015", "expected tool description", "A tool declaration needs a quoted description."),
    Code("ILO-P016", "unexpected token after braceless guard body", "A braceless guard takes one expression; use braces for more."),
    Code("ILO-P017", "imports not available", "`use` needs a file context; inline programs cannot import."),
    Code("ILO-P018", "circular import", "Two files import each other."),
    Code("ILO-P019", "unknown imported name", "A name in a `use` list is not declared in that file."),
    Code("ILO-P021", "ambiguous double minus", "`- -*a b *c d` reads as -((a*b) - (c*d)); bind the products to names first."),
    Code("ILO-P020", "program too deeply nested", "The program nests brackets or expressions deeper than the parser allows."),
    Code("ILO-T001", "duplicate type definition", "Two `type` declarations share a name."),
    Code("ILO-T002", "duplicate function definition", "Two functions or tools share a name."),
    Code("ILO-T003", "undefined type", "A type name is used that no `type` declaration defines."),
    Code("ILO-T004", "undefined variable", "A name is read before any binding or parameter defines it."),
    Code("ILO-T005", "undefined function", "A call names no function, tool or builtin."),
    Code("ILO-T006", "arity mismatch", "A call passes a different number of arguments than the function takes."),
    Code("ILO-T007", "type mismatch at call site", "An argument's type does not match the parameter's type."),
    Code("ILO-T008", "return type mismatch", "The function body produces a type other than the declared return type."),
    Code("ILO-T009", "arithmetic type error", "Arithmetic operators need numbers (`+` also joins text and lists)."),
    Code("ILO-T010", "comparison type error", "Ordering comparisons need two numbers or two texts."),
    Code("ILO-T011", "append type error", "`+=` appends an element to a list."),
    Code("ILO-T012", "negate type error", "Unary `-` needs a number."),
    Code("ILO-T013", "builtin argument type error", "A builtin was given an argument of the wrong type."),
    Code("ILO-T014", "foreach collection type error", "`@x xs{...}` iterates a list."),
    Code("ILO-T015", "record missing field", "A record construction leaves out a declared field."),
    Code("ILO-T016", "record unknown field", "A record construction names a field the type does not declare."),
    Code("ILO-T017", "record field type mismatch", "A record field is given a value of the wrong type."),
    Code("ILO-T018", "field access on non-record", "`.field` needs a record."),
    Code("ILO-T019", "field not found", "The record type has no field of that name."),
    Code("ILO-T020", "'with' on non-record", "`with` updates the fields of a record."),
    Code("ILO-T021", "'with' field not found", "`with` names a field the record type does not declare."),
    Code("ILO-T022", "'with' field type mismatch", "`with` sets a field to a value of the wrong type."),
    Code("ILO-T023", "index on non-list", "`xs.0` needs a list."),
    Code("ILO-T024", "non-exhaustive match", "A match on a result or bool leaves a case uncovered and has no `_` arm."),
    Code("ILO-T025", "'!' on non-result call", "`f! x` unwraps a result; `f` does not return `R`."),
    Code("ILO-T032", "discarded fmt", "A bare `fmt` that is not the last statement builds text nobody uses; print it with `prnt fmt ...` or bind it."),
    Code("ILO-T033", "discarded update", "A bare `+=xs v`, `mset m k v` or `mdel m k` makes a new value that is thrown away; rebind it: `xs=+=xs v`."),
    Code("ILO-T034", "'!' on a value", "`x!` unwraps the result of a call; on a variable holding a result, match it instead: `?x{~v:v;^e:^e}`."),
    Code("ILO-T026", "'!' in non-result function", "`f! x` propagates an error, so the enclosing function must return `R`."),
    Code("ILO-T027", "guard body looks like a function name", "A braceless guard's body is a bare function name; call it with arguments or use braces."),
    Code("ILO-T028", "brk/cnt outside a loop", "`brk` and `cnt` only make sense inside `@` or `wh`."),
    Code("ILO-T029", "unreachable code", "Statements follow an unconditional return."),
    Code("ILO-T030", "circular type alias", "Type aliases refer to each other in a cycle, so none of them names a type."),
    Code("ILO-T031", "alias shadows a builtin type", "A type alias may not be named `n`, `t`, `b`, `L`, `R` or `_`."),
    Code("ILO-R001", "undefined variable at run time", "A name had no value when it was read."),
    Code("ILO-R002", "undefined function at run time", "A called function does not exist."),
    Code("ILO-R003", "division by zero", "`/` or `mod` with a zero divisor."),
    Code("ILO-R004", "runtime type error", "A value of the wrong type reached an operator or builtin."),
    Code("ILO-R005", "field not found at run time", "The record has no such field."),
    Code("ILO-R006", "index out of range", "A list or text index is past the end."),
    Code("ILO-R007", "foreach needs a list", "`@` was given something other than a list."),
    Code("ILO-R008", "'with' needs a record", "`with` was applied to something other than a record."),
    Code("ILO-R009", "builtin argument error", "A builtin rejected its arguments at run time (empty list, bad regex, ...)."),
    Code("ILO-R010", "compile error: undefined variable", "The bytecode compiler found an unbound name."),
    Code("ILO-R011", "compile error: undefined function", "The bytecode compiler found an unknown function."),
    Code("ILO-R012", "no functions defined", "The program declares no function to run."),
    Code("ILO-R013", "internal engine error", "An engine failed in a way that is a bug in ilo; please report it."),
    Code("ILO-R014", "call depth exceeded", "Recursion went deeper than the engine's call-depth limit."),
    Code("ILO-R015", "step or time limit exceeded", "The program ran past --max-steps or --timeout (the API's max_steps= or timeout=); a step is a loop iteration or a call."),
    Code("ILO-R026", "panic-unwrap", "`f!! x` met an Err (or nil): the program stops with that error instead of returning it."),
    Code("ILO-R016", "bad argument", "An argument from the command line or the Python API does not fit the parameter's declared type."),
    Code("ILO-R017", "file error", "A file could not be read or written."),
    Code("ILO-R018", "value too large", "A text or list would pass the size limit (2**30 characters, 2**28 elements) or memory ran out while building it; the variable keeps its old value."),
    Code("ILO-R099", "tool call failed", "A tool provider (--tools / --mcp) could not complete a call: the tool is not in its config, the host cannot be reached, it timed out, its answer is not JSON, or the MCP server died. (A non-2xx HTTP answer is an Err value instead.)"),
)

REGISTRY: dict[str, Code] = {c.code: c for c in _TABLE}

STAGES = {"L": "lexer", "P": "parser", "T": "verifier", "R": "runtime"}


def lookup(code: str) -> Code | None:
    return REGISTRY.get(code.upper())


# ── the README's error-code table, generated from _TABLE ───────────────────────

README_START = "<!-- error-codes:start -->"
README_END = "<!-- error-codes:end -->"


def codes_markdown() -> str:
    """The error-code table as markdown, between the README markers."""
    rows = [README_START, "| code | stage | title | meaning |", "|---|---|---|---|"]
    for c in _TABLE:
        explanation = c.explanation.replace("|", "\\|")
        rows.append(f"| `{c.code}` | {STAGES.get(c.code[4], '')} | {c.title} | {explanation} |")
    rows.append(README_END)
    return "\n".join(rows)


def readme_with_codes(readme: str) -> str:
    """``readme`` with the text between the markers replaced by the current table."""
    start, end = readme.index(README_START), readme.index(README_END) + len(README_END)
    return readme[:start] + codes_markdown() + readme[end:]


if __name__ == "__main__":  # python -m ilo.diagnostics.codes --update-readme README.md
    import sys

    if sys.argv[1:2] != ["--update-readme"] or len(sys.argv) != 3:
        sys.exit("usage: python -m ilo.diagnostics.codes --update-readme README.md")
    with open(sys.argv[2], encoding="utf-8") as f:
        text = f.read()
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(readme_with_codes(text))
