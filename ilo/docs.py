"""Language references generated from the tables the implementation runs on.

``compact_reference()`` is the text ``ilo -ai`` prints: every construct and every builtin on
one line each, sized for an agent's system prompt. ``full_reference()`` is ``ilo help lang``.
``explain_code(code)`` is ``ilo help ILO-T004``. ``builtins_markdown()`` is the README table.

Three sources, so the references cannot drift from what runs:
- builtins: ``ilo.runtime.builtins.registry.all_builtins()`` (names, aliases, signatures, doc,
  example);
- error codes: ``ilo.diagnostics.codes.REGISTRY``;
- constructs: ``CONSTRUCTS`` below, each with a complete example program and the result it
  prints; ``tests/test_tools_cli.py`` runs every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ilo.diagnostics.codes import REGISTRY
from ilo.runtime.builtins.registry import BuiltinSpec, Signature, all_builtins
from ilo.syntax.unparse import unparse_type


@dataclass(frozen=True, slots=True)
class Construct:
    topic: str
    syntax: str
    meaning: str
    example: str  # a complete program
    run: tuple[str, ...] = ()  # function name and command-line arguments; () = parse only
    out: str = ""  # what `ilo EXAMPLE RUN...` prints
    names: tuple[str, ...] = ()  # words `ilo help WORD` finds it by, besides its topic


C = Construct
CONSTRUCTS: tuple[Construct, ...] = (
    # ── Program shape ──
    C("program", "name p:type q:type>ret;stmt;stmt", "function: parameters, `>` return type, `;`-separated body; the last statement's value is the result",
      "dbl x:n>n;*x 2", ("dbl", "5"), "10", names=('function', 'fn', '>', ';')),
    C("program", "one declaration per line", "a body may go on over indented lines (each line break + indent is a `;`)",
      "sq x:n>n;*x x\nf x:n>n\n  y=sq x\n  +y 1", ("f", "3"), "10", names=('lines', 'indent')),
    C("program", "f()", "call a function that takes no arguments", "k>n;42\nf>n;r=k();+r 1", ("f",), "43", names=('()',)),
    C("program", "-- comment", "from `--` to the end of the line", "f>n;1 -- one", ("f",), "1", names=('comment', '--')),
    C("program", "names", "lowercase, hyphens allowed (`my-fn`), no underscores; short names save tokens",
      "add-one x:n>n;+x 1", ("add-one", "1"), "2", names=('naming', 'identifier')),
    # ── Types ──
    C("types", "n t b _", "number (float), text, bool, any", "f x:n s:t ok:b v:_>t;s", ("f", "1", "hi", "true", "0"), "hi", names=('n', 't', 'b', '_', 'number', 'text', 'bool', 'any')),
    C("types", "L x  M k v  O x  R ok err  F p.. ret", "list, map, optional (x or nil), result, function",
      "f xs:L n d:O n>n;m=mset mmap \"k\" 1;k=len m;v=d??0;+k v", ("f", "1,2", "nil"), "1", names=('L', 'M', 'O', 'R', 'F', 'list', 'map', 'optional', 'result', 'function type')),
    C("types", "a (one letter)", "a type variable: any single lowercase letter except n, t, b",
      "id x:a>a;x", ("id", "7"), "7", names=('type variable', 'generic')),
    # ── Bindings and operators ──
    C("bind", "x=expr", "bind a name, or rebind one from an enclosing scope", "f>n;x=1;x=+x 1;x", ("f",), "2", names=('=', 'let', 'binding')),
    C("operators", "+a b  -a b  *a b  /a b", "arithmetic, written prefix; `+` also joins text and lists",
      "f a:n b:n>n;/+a b 2", ("f", "3", "5"), "4", names=('+', '-', '*', '/', 'arithmetic')),
    C("operators", "+*a b c", "prefix forms nest without parentheses: (a*b)+c", "f a:n b:n c:n>n;+*a b c",
      ("f", "2", "3", "4"), "10"),
    C("operators", "-x", "negation: `-` with one operand, subtraction with two; `- -x y` is -(x-y) (`--` would start a comment)",
      "f x:n>n;-x", ("f", "4"), "-4", names=('negate', 'negation')),
    C("operators", "=a b  !=a b  >a b  <a b  >=a b  <=a b", "comparisons (numbers or texts)",
      "f x:n>b;>=x 10", ("f", "12"), "true", names=('==', '!=', '<', '<=', '>=', 'comparison', 'compare')),
    C("operators", "&a b  |a b  !a", "and, or (short-circuit), not", "f x:n>b;&>x 0 <x 10", ("f", "5"), "true", names=('&', '|', 'and', 'or', 'not')),
    C("operators", "+=xs v", "a list with v appended", "f>L n;xs=[1 2];+=xs 3", ("f",), "[1, 2, 3]", names=('+=', 'append')),
    C("operators", "a + b * c", "infix is accepted too, with the usual precedence", "f a:n b:n>n;(a + b) * 2",
      ("f", "1", "2"), "6", names=('infix', 'precedence')),
    C("operators", "operands", "operands are names, literals, `a.b`, `(..)`, `[..]` or prefix forms; a known function (a builtin, or one declared earlier) takes exactly its arity, so `>len q 0` and `+c abs x` work; otherwise use parentheses or a binding",
      "sq x:n>n;*x x\nf x:n>n;r=sq x;+r (sq 2)", ("f", "3"), "13"),
    # ── Calls ──
    C("calls", "f a b", "call with space-separated operands; `f (g x)` nests a call; a first argument may be a prefix form",
      "fac n:n>n;<=n 1 1;r=fac -n 1;*n r", ("fac", "5"), "120", names=('call',)),
    C("calls", "hd tl xs  mset m k +c 1", "known functions nest as arguments without parentheses, each taking its arity",
      "f xs:L n>n;hd tl xs", ("f", "4,5,6"), "5", names=('nesting', 'arity')),
    C("calls", "(x:n>n;*x x)", "inline lambda: a function value; names of the enclosing function are captured",
      "f xs:L n k:n>L n;map (x:n>n;+x k) xs", ("f", "1,2", "10"), "[11, 12]", names=('lambda', 'closure', 'fn')),
    C("calls", "f!! a", "panic-unwrap: ~v gives v; ^e (or nil) stops the program with ILO-R026",
      'f s:t>n;v=num!! s;*v 2', ("f", "21"), "42", names=('!!', 'panic')),
    C("calls", "x>>f a", "pipe: x becomes the last argument, `f a x`", "inc x:n>n;+x 1\nf x:n>n;x>>inc>>inc",
      ("f", "1"), "3", names=('>>', 'pipe')),
    C("calls", "f! a", "call a function returning R: unwrap ~v, or return ^e from the caller at once",
      'half x:n>R n t;r=mod x 2;=r 1 ^"odd";~/x 2\nf x:n>R n t;h=half! x;~+h 1', ("f", "8"), "~5", names=('!', 'unwrap', 'auto-unwrap')),
    C("calls", "F type, function by name", "pass a function as a value; call it like any function",
      "sq x:n>n;*x x\nap f:F n n x:n>n;f x\ng x:n>n;ap sq x", ("g", "4"), "16", names=('function value', 'higher-order')),
    # ── Conditionals ──
    C("guards", "cond value", "braceless guard: when cond holds, return value from the function",
      'cls x:n>t;>x 0 "pos";<x 0 "neg";"zero"', ("cls", "-3"), "neg", names=('guard', 'if')),
    C("guards", "cond{body}", "run body when cond holds, then carry on (no return; use `ret` inside to return)",
      "f x:n>n;y=0;>x 5{y=1};y", ("f", "9"), "1", names=('block',)),
    C("guards", "cond{a}{b}", "if/else: the value of a or b", 'f x:n>t;=x 1{"one"}{"other"}', ("f", "2"), "other", names=('else', 'if-else')),
    C("guards", "!cond ...", "negated forms of all of the above", 'f x:n>t;!>x 0 "not positive";"positive"',
      ("f", "-1"), "not positive"),
    C("guards", "?=a b x y", "prefix ternary: x when the comparison holds, else y", "f x:n>n;?=x 0 10 20", ("f", "0"), "10", names=('ternary', '?=')),
    C("guards", "?h a b  ?h{a}{b}", "ternary on a bool value", "f h:b>n;?h 1 0", ("f", "true"), "1", names=('bool ternary',)),
    C("guards", "v=cond{a}{b}", "bind the value of an if/else", 'f x:n>t;v=>x 0{"+"}{"-"};+v "!"', ("f", "3"), "+!"),
    C("guards", "ret expr", "return early from the function", "f xs:L n>n;@x xs{>x 9{ret x}};0", ("f", "3,12,5"), "12", names=('ret', 'return')),
    # ── Match ──
    C("match", "?x{pat:body;pat:body}", "first matching arm wins; patterns: literals, `_`, `~v` ok, `^e` err, `n v` `t v` `b v` `l v` by type",
      'f x:n>t;?x{1:"one";2:"two";_:"many"}', ("f", "2"), "two", names=('?', 'pattern', 'switch')),
    C("match", "v=?x{..}", "a match is a value too", 'f x:_>t;k=?x{n v:"num";t v:"text";_:"other"};+k "!"',
      ("f", "hi"), "text!"),
    # ── Loops ──
    C("loops", "@x xs{body}", "for each element", "f xs:L n>n;s=0;@x xs{s=+s x};s", ("f", "1,2,3"), "6", names=('@', 'for', 'foreach')),
    C("loops", "@i a..b{body}", "for i from a up to b-1", "f n:n>n;s=0;@i 0..n{s=+s i};s", ("f", "4"), "6", names=('..', 'range')),
    C("loops", "wh cond{body}", "while loop", "f>n;i=0;wh <i 5{i=+i 1};i", ("f",), "5", names=('wh', 'while')),
    C("loops", "brk  cnt", "leave the loop, skip to the next iteration", "f xs:L n>n;s=0;@x xs{=x 0{brk};s=+s x};s",
      ("f", "1,2,0,4"), "3", names=('brk', 'cnt', 'break', 'continue')),
    # ── Data ──
    C("data", '"text"', "text literal; escapes \\n \\t \\r \\\" \\\\", 'f n:t>t;+"hi " n', ("f", "bob"), "hi bob", names=('string', 'escape')),
    C("data", "[a b c]  xs.0", "list literal (commas optional), index by a literal", "f xs:L n>n;xs.1", ("f", "5,6,7"), "6", names=('[]', 'index', 'list literal')),
    C("data", "nil  O x  a??b", "nil, optional type, default when nil", "f x:O n>n;x??0", ("f", "nil"), "0", names=('nil', '??', 'default')),
    C("data", "type p{x:n;y:n}", "record type; build `p x:1 y:2`, read `r.x` (`r.?x` is nil-safe), update `r with x:5`",
      "type pt{x:n;y:n}\nf>n;p=pt x:1 y:2;q=p with y:5;+p.x q.y", ("f",), "6", names=('type', 'record', 'with', 'field')),
    C("data", "{a;b}=r", "bind fields of a record to names", "type pt{x:n;y:n}\nf>n;p=pt x:3 y:4;{x;y}=p;*x y",
      ("f",), "12", names=('destructure',)),
    C("data", "~v  ^e  R ok err", "results: ok and error values, matched with `~v:` and `^e:`",
      'f x:n>R n t;<x 0 ^"negative";~x', ("f", "-2"), "^negative", names=('~', '^', 'ok', 'err')),
    C("data", "m=mset m k v", "maps: `mmap` is empty; rebinding the same name in a loop updates in place (O(1))",
      'f ws:L t>M t n;m=mmap;@w ws{c=mget m w;c=+(c??0) 1;m=mset m w c};m', ("f", "a,b,a"), "{a: 2; b: 1}", names=('accumulator', 'in place')),
    C("data", "alias name type", "a name for a type", "alias nums L n\nf xs:nums>n;len xs", ("f", "1,2"), "2", names=('alias',)),
    C("data", 'tool name"desc" p:t>R t t', "declare an external tool (calls give ~nil without a provider)",
      'tool ping"Ping a host" h:t>R _ t timeout:5,retry:1\nf>n;1', ("f",), "1", names=('tool',)),
)


# ── Builtins ────────────────────────────────────────────────────────────────


def signature_text(spec: BuiltinSpec) -> str:
    """All overloads, `|`-separated, types in ilo syntax (`L L a`); a variadic builtin shows
    its repeated parameter with `...`."""
    if spec.variadic:
        shortest = min(spec.sigs, key=lambda s: len(s.params))
        longest = max(spec.sigs, key=lambda s: len(s.params))
        params = [unparse_type(t) for t in longest.params[: len(shortest.params) + 1]]
        params[-1] += "..."
        return ", ".join(params) + f" > {unparse_type(longest.ret)}"
    return " | ".join(_sig(s) for s in spec.sigs)


def _sig(sig: Signature) -> str:
    params = ", ".join(unparse_type(t) for t in sig.params)
    return f"{params} > {unparse_type(sig.ret)}" if params else f"> {unparse_type(sig.ret)}"


def builtin_example(spec: BuiltinSpec) -> str:
    """The registry's executable example on one line, with the result it prints."""
    text = spec.example.replace("\n", " ⏎ ")
    return f"{text}  -- {spec.result}" if spec.result is not None else text


def _names(spec: BuiltinSpec) -> str:
    return spec.name + "".join(f"/{a}" for a in spec.aliases)


def _builtins() -> list[BuiltinSpec]:
    return sorted(all_builtins().values(), key=lambda s: s.name)


def builtins_markdown() -> str:
    """The README table: one row per builtin."""
    rows = ["| builtin | signature | what it does | example |", "|---|---|---|---|"]
    for spec in _builtins():
        cells = (_names(spec), signature_text(spec), spec.doc, builtin_example(spec))
        rows.append("| " + " | ".join(f"`{_cell(c)}`" if i != 2 else _cell(c) for i, c in enumerate(cells)) + " |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# ── References ──────────────────────────────────────────────────────────────


def _example_line(c: Construct) -> str:
    program = c.example.replace("\n", " ⏎ ")
    if not c.run:
        return program
    return f"{program}   [{' '.join(c.run)} → {c.out}]"


_COMPACT_HEAD = """\
ilo: a token-minimal language for agents. A program is declarations, one per line.
Prefix operators, no parentheses for nesting, `;` between statements, last value is the result.
Run: ilo 'PROGRAM' [FUNC] [ARGS...]   (or a .ilo file; FUNC defaults to the only function, or main)
Lines: syntax | meaning | example program [call → printed result].  ⏎ = a new line.
"""

_COMPACT_TAIL = """\
Pitfalls: a call is not an operand (`*n fac p` is wrong: `r=fac p;*n r`); `--` starts a
comment (`- -x 1`); a braceless guard returns from the function, a braced one does not;
a function with an R return type is needed for `f!` and for `^e` results.
Errors print as ILO-Lnnn (lexer), ILO-Pnnn (parser), ILO-Tnnn (verifier), ILO-Rnnn (runtime)
with a caret under the source; `ilo help CODE` explains one, `ilo help NAME` a builtin or construct.
Many calls: keep one `ilo serv` open (one JSON request per line: {"program":..,"func":..,"args":[..]};
`ilo help serv`). `ilo PROGRAM --emit python` prints a standalone Python module.
"""


COMPACT_EXAMPLE_MAX = 32  # characters; a longer builtin example is left to `ilo help NAME`


def compact_reference() -> str:
    """`ilo -ai`: every construct and builtin, one line each."""
    out = [_COMPACT_HEAD]
    topic = None
    for c in CONSTRUCTS:
        if c.topic != topic:
            out.append(("\n" if topic else "") + f"# {c.topic}")
            topic = c.topic
        out.append(f"{c.syntax} | {c.meaning} | {_example_line(c)}")
    out.append("\n# builtins (name/long alias  params > result | meaning | short example -- result;"
               " `ilo help NAME` shows every example)")
    for spec in _builtins():
        example = builtin_example(spec)
        # Long examples stay in `ilo help NAME`: the compact reference must fit a prompt.
        tail = f" | {example}" if example and len(example) <= COMPACT_EXAMPLE_MAX else ""
        out.append(f"{_names(spec)} {signature_text(spec)} | {spec.doc.rstrip('.')}{tail}")
    out.append("\n" + _COMPACT_TAIL)
    return "\n".join(out)


def full_reference() -> str:
    """`ilo help lang`: constructs with examples, builtins with every overload, all error codes."""
    out = ["# The ilo language", "", _COMPACT_HEAD.strip(), ""]
    topic = None
    for c in CONSTRUCTS:
        if c.topic != topic:
            topic = c.topic
            out += ["", f"## {topic.capitalize()}", ""]
        out += [f"### `{c.syntax}`", "", c.meaning[0].upper() + c.meaning[1:] + ".", "", "```", c.example, "```"]
        if c.run:
            out += [f"`ilo PROGRAM {' '.join(c.run)}` prints `{c.out}`."]
        out.append("")
    out += ["", "## Builtins", "", "Long names are aliases of the short ones.", "", builtins_markdown()]
    out += ["", "## Error codes", "", "| code | title | explanation |", "|---|---|---|"]
    for code in REGISTRY.values():
        out.append(f"| {code.code} | {code.title} | {code.explanation} |")
    out += ["", "## Tools", ""] + [TOOL_TOPICS["serv"](), "", TOOL_TOPICS["graph"](), "", TOOL_TOPICS["tools"]()]
    out += ["", _COMPACT_TAIL]
    return "\n".join(out)


def explain_code(code: str) -> str | None:
    """`ilo help CODE` / `--explain CODE`: the code's title and explanation. Any other word is
    looked up as a help topic (``help_topic``): a builtin, a construct or a tool. None when
    nothing matches."""
    entry = REGISTRY.get(code.strip().upper())
    if entry is None:
        return help_topic(code)
    stage = {"L": "lexer", "P": "parser", "T": "verifier", "R": "runtime", "W": "warning"}.get(entry.code[4:5], "")
    return f"{entry.code}: {entry.title} ({stage})\n\n{entry.explanation}\n"


def help_topic(word: str) -> str | None:
    """`ilo help NAME`: a builtin (by its name or any alias), the constructs a word names (a
    topic such as ``loops``, a keyword such as ``wh``, an operator such as ``>>``), or one of
    the tools (``serv``, ``graph``). None for an unknown word."""
    word = word.strip()
    if not word:
        return None
    spec = all_builtins().get(word) or _builtin_by_alias(word)
    parts = []
    if spec is not None:
        parts.append(builtin_help(spec))
    found = constructs_named(word)
    if found:
        parts.append(_constructs_text(found))
    tool = TOOL_TOPICS.get(word)
    if tool is not None:
        parts.append(tool())
    return "\n".join(parts) if parts else None


def help_topics() -> list[str]:
    """Every word ``ilo help`` answers, besides error codes (for did-you-mean and tests)."""
    words = set(all_builtins())
    for spec in all_builtins().values():
        words.update(spec.aliases)
    for c in CONSTRUCTS:
        words.add(c.topic)
        words.update(c.names)
    words.update(TOOL_TOPICS)
    return sorted(words)


def suggest_topic(word: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, help_topics(), n=1, cutoff=0.7)
    return found[0] if found else None


def _builtin_by_alias(word: str) -> BuiltinSpec | None:
    return next((s for s in all_builtins().values() if word in s.aliases), None)


def builtin_help(spec: BuiltinSpec) -> str:
    """One builtin: names, every overload, what it does, its example."""
    lines = [f"{_names(spec)}  (builtin)", ""]
    for sig in spec.sigs:
        params = " ".join(unparse_type(t) if " " not in unparse_type(t) else f"({unparse_type(t)})"
                          for t in sig.params)
        lines.append(f"  {spec.name} {params} > {unparse_type(sig.ret)}".replace("  > ", " > ").rstrip())
    if spec.variadic:
        lines.append("  (takes any number of arguments after the first; the last parameter repeats)")
    lines += ["", spec.doc]
    if spec.needs_call:
        lines.append("Takes a function value (a function's name, or an inline function).")
    if spec.aliases:
        lines.append(f"Also written: {', '.join(spec.aliases)}.")
    if spec.example:
        lines += ["", f"  {builtin_example(spec)}"]
    return "\n".join(lines) + "\n"


def constructs_named(word: str) -> list[Construct]:
    """Constructs found by ``word``: their topic, one of their names, or their syntax itself."""
    return [c for c in CONSTRUCTS if word == c.topic or word in c.names or word == c.syntax]


def _constructs_text(found: list[Construct]) -> str:
    out = []
    for c in found:
        out += [f"{c.syntax}  ({c.topic})", "", "  " + c.meaning[0].upper() + c.meaning[1:] + ".", ""]
        out += ["  " + line for line in c.example.splitlines()]
        if c.run:
            out.append(f"  -- ilo PROGRAM {' '.join(c.run)}  prints  {c.out}")
        out.append("")
    return "\n".join(out)


def _serv_help() -> str:
    from ilo import serv

    return "ilo serv  (tool)\n\n" + serv.__doc__.split("Who calls it")[0].strip() + "\n\n" + serv.USAGE


def _graph_help() -> str:
    from ilo.graph.command import HELP

    return "ilo graph  (tool)\n\n" + HELP


def _tools_help() -> str:
    from ilo import toolprov
    from ilo.toolprov import config, listing

    def part(doc: str, stop: str) -> str:
        return doc.split(stop)[0].strip()

    return "\n\n".join([
        "ilo --tools / --mcp / ilo tools  (tool providers)",
        toolprov.HELP.strip(),
        "Config files\n\n" + part(config.__doc__, "Errors are").split("\n\n", 1)[1],
        "Listing\n\n" + listing.__doc__.strip(),
    ]) + "\n"


TOOL_TOPICS = {"serv": _serv_help, "serve": _serv_help, "graph": _graph_help, "tools": _tools_help,
               "mcp": _tools_help}


# ── README ──────────────────────────────────────────────────────────────────

README_START = "<!-- builtins:start -->"
README_END = "<!-- builtins:end -->"


def readme_with_builtins(text: str) -> str:
    """``text`` with the builtins table between the README markers replaced by a fresh one."""
    start = text.index(README_START) + len(README_START)
    end = text.index(README_END)
    return text[:start] + "\n" + builtins_markdown() + text[end:]


def main(argv: list[str]) -> int:
    """`python -m ilo.docs --update-readme README.md` rewrites the generated table."""
    if len(argv) == 2 and argv[0] == "--update-readme":
        from pathlib import Path

        path = Path(argv[1])
        path.write_text(readme_with_builtins(path.read_text()))
        return 0
    print("usage: python -m ilo.docs --update-readme README.md")
    return 2


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
