"""`ilo graph`: the reference's dependency-graph command.

The graph rules (what is an edge, which types count) and the queries are checked in
process on small programs; the command line (JSON layout, DOT text, messages, exit
status, what wins when a file and a flag are both wrong) through subprocesses, like
test_tools_cli.py. Expected texts are the reference's: its graph.rs, graph_cmd and
codegen::fmt dense printer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import REPO

from ilo.graph.build import (
    build_graph,
    estimate_tokens,
    query_budget,
    query_fn,
    query_reverse,
    query_subgraph,
    to_dot,
)
from ilo.graph.dense import number
from ilo.graph.load import parse_lenient
from ilo.source import Source
from ilo.syntax.parser import parse

ARITH = "add a:n b:n>n;+a b\ndbl x:n>n;add x x\nquad x:n>n;dbl dbl x"
POINT = "type pt{x:n;y:n}\n"


def graph_of(text: str, strict: bool = True):
    if strict:  # the program really parses: no test may pass on what recovery left of it
        parse(Source("<test>", text))
    return build_graph(parse_lenient(text, "<test>"))


def calls(text: str, fn: str) -> list[str]:
    return sorted(graph_of(text).functions[fn]["calls"])


def ilo_graph(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ilo", "graph", *args], capture_output=True, text=True,
                          cwd=REPO, input=stdin, timeout=120)


@pytest.fixture
def write(tmp_path):
    def make(text: str | bytes, name: str = "prog.ilo") -> str:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return str(path)

    return make


# ── Edges and types ─────────────────────────────────────────────────────────


def test_a_call_is_an_edge_both_ways():
    g = graph_of(ARITH)
    assert g.functions["dbl"]["calls"] == {"add"}
    assert g.functions["add"]["called_by"] == {"dbl"}
    assert g.functions["quad"]["calls"] == {"dbl"}  # direct calls only
    assert g.functions["quad"]["called_by"] == set()


def test_builtins_and_their_long_names_are_not_edges():
    assert calls("f xs:L n>n;len xs", "f") == []
    assert calls("f xs:L n>n;length xs", "f") == []


def test_a_function_passed_by_name_is_not_a_call():
    assert calls("dbl x:n>n;*x 2\nall xs:L n>L n;map dbl xs", "all") == []


def test_tool_calls_are_not_edges():
    g = graph_of('tool fetch"get a page" url:t>R t t\nrun u:t>R t t;fetch u')
    assert g.functions["run"]["calls"] == set() and "fetch" not in g.functions


def test_inline_functions_are_lifted_and_only_closures_are_edges():
    text = "dbl x:n>n;*x 2\nbump xs:L n k:n>L n;map (x:n>n;+x k) xs\ntwice xs:L n>L n;map (x:n>n;dbl x) xs"
    g = graph_of(text)
    # the capturing lambda is a closure the enclosing function builds: an edge to it
    assert g.functions["bump"]["calls"] == {"__lit_0"}
    assert g.functions["__lit_0"]["sig"] == "__lit_0 x:n k:_>n"
    # a capture-free lambda is a plain reference; its own call belongs to the lifted function
    assert g.functions["twice"]["calls"] == set()
    assert g.functions["__lit_1"]["calls"] == {"dbl"}
    assert g.functions["dbl"]["called_by"] == {"__lit_1"}
    assert query_fn(g, "bump")["source"] == "bump xs:L n k:n>L n;map __lit_0[k] xs"


@pytest.mark.parametrize("text,fn", [
    ("grd x:n>n;>x 5{add x 1};0", "grd"),                          # guard body
    ("grd x:n>n;>x 5{0}{add x 1}", "grd"),                          # else branch
    ("grd x:n>n;>(add x 1) 5 1;0", "grd"),                          # guard condition
    ("chk n:n>n;?n{0:ret add n 0;_:ret 1}", "chk"),                 # match statement arm
    ("desc n:n>n;?n{0:add n 0;_:add n 1}", "desc"),                 # match value
    ("desc n:n>n;r=?(add n 1){0:1;_:2};r", "desc"),                 # match subject
    ("total xs:L n>n;s=0;@x xs{s=add s x};s", "total"),             # foreach body
    ("total n:n>n;s=0;@i 0..(add n 1){s=+s i};s", "total"),         # range bound
    ("loop n:n>n;i=0;s=0;wh <i n{s=add s i;i=+i 1};s", "loop"),     # while body
    ("find xs:L n>n;@x xs{>=x 5{ret add x 0}};0", "find"),          # return value
    ("extr n:n>n;i=0;wh <i n{i=+i 1;>=i 5{brk add i 0}};i", "extr"),  # break value
    ("tern x:n>n;?=x 0 (add x 1) 20", "tern"),                      # ternary branch
    ("opt x:O n>n;x??(add 1 2)", "opt"),                            # ?? default
    ("mk x:n>L n;[1, add x 1]", "mk"),                              # list element
    ("wrap x:n>R n t;~add x 1", "wrap"),                            # ~ value
    ("neg x:n>n;- (add x 1)", "neg"),                               # negation operand
])
def test_calls_are_found_in_every_construct(text, fn):
    assert calls("add a:n b:n>n;+a b\n" + text, fn) == ["add"]


def test_destructure_and_with_values():
    text = POINT + "add a:n b:n>n;+a b\nmid p:pt>n;{x;y}=p;add x y\nshift p:pt>pt;p with x:(add 1 2)"
    g = graph_of(text)
    assert g.functions["mid"]["calls"] == {"add"}
    assert g.functions["shift"]["calls"] == {"add"} and g.functions["shift"]["types_used"] == {"pt"}


def test_no_calls_in_plain_expressions():
    for text in ("fst xs:L n>n;xs.0", "not x:b>b;!x", "wrap x:n>R n t;~x", "fail x:n>R n n;^x",
                 "mk>L n;[1,2,3]", "unwrap x:O n>n;x??0", "tern x:n>n;?=x 0 10 20",
                 "ctl n:n>n;i=0;wh <i n{i=+i 1;>=i 5{brk};cnt};i"):
        g = graph_of(text)
        (name,) = g.functions
        assert g.functions[name]["calls"] == set(), text


def test_types_used_from_signature_and_construction():
    g = graph_of(POINT + "dist p:pt>n;+p.x p.y\nmk>pt;pt x:1 y:2\nall ps:L pt>O pt;nil\nnone x:n>n;x")
    assert g.functions["dist"]["types_used"] == {"pt"}
    assert g.functions["mk"]["types_used"] == {"pt"}
    assert g.functions["all"]["types_used"] == {"pt"}  # inside L and O
    assert g.functions["none"]["types_used"] == set()


def test_a_type_referencing_another_type():
    g = graph_of("type pt{x:n;y:n}\ntype seg{from:pt;to:pt;tags:L t}\ntype path{segs:L seg;start:O pt}")
    assert g.types["pt"] == {"fields": [("x", "n"), ("y", "n")], "refs": set()}
    assert g.types["seg"]["fields"] == [("from", "pt"), ("to", "pt"), ("tags", "L t")]
    assert g.types["seg"]["refs"] == {"pt"}
    assert g.types["path"]["refs"] == {"seg", "pt"}


def test_recursion_and_mutual_recursion():
    text = "fac n:n>n;<=n 1 1;r=fac -n 1;*n r\nev n:n>b;=n 0 true;od -n 1\nod n:n>b;=n 0 false;ev -n 1"
    g = graph_of(text)
    assert g.functions["fac"]["calls"] == {"fac"} and g.functions["fac"]["called_by"] == {"fac"}
    assert g.functions["ev"]["calls"] == {"od"} and g.functions["ev"]["called_by"] == {"od"}
    sub = query_subgraph(g, "ev")  # the cycle ends; the root is not its own dependency
    assert list(sub["deps"]) == ["od"]
    assert query_subgraph(g, "fac")["deps"] == {}
    assert [c["name"] for c in query_reverse(g, "fac")["callers"]] == ["fac"]
    assert "\"fac\" -> \"fac\";" in to_dot(g)


def test_declarations_that_parse_are_kept_when_others_do_not():
    g = graph_of("f x:n>n;+x 1\nbroken>n;)))\ng x:n>n;f x", strict=False)
    assert set(g.functions) == {"f", "g"} and g.functions["f"]["called_by"] == {"g"}


# ── Queries ─────────────────────────────────────────────────────────────────


def test_fn_query_lists_direct_dependencies_by_signature():
    q = query_fn(graph_of(ARITH), "quad")
    assert q == {"root": "quad", "source": "quad x:n>n;dbl dbl x", "deps": {"dbl": {"sig": "dbl x:n>n"}},
                 "types": {}}


def test_subgraph_is_transitive_with_sources_and_types_of_dependencies():
    q = query_subgraph(graph_of(ARITH), "quad")
    assert q["deps"] == {"add": {"sig": "add a:n b:n>n", "source": "add a:n b:n>n;+a b"},
                         "dbl": {"sig": "dbl x:n>n", "source": "dbl x:n>n;add x x"}}
    q = query_subgraph(graph_of(POINT + "mk a:n>pt;pt x:a y:0\ngetx a:n>n;p=mk a;p.x"), "getx")
    assert q["types"] == {"pt": {"source": "type pt{x:n;y:n}"}}


def test_reverse_query():
    r = query_reverse(graph_of(ARITH), "add")
    assert r == {"function": "add", "sig": "add a:n b:n>n", "callers": [{"name": "dbl", "sig": "dbl x:n>n"}]}


def test_unknown_function_is_none_for_every_query():
    g = graph_of("f x:n>n;x")
    assert query_fn(g, "nope") is None and query_reverse(g, "nope") is None
    assert query_subgraph(g, "nope") is None and query_budget(g, "nope", 100) is None


def test_budget_large_enough_takes_everything():
    q = query_budget(graph_of(POINT + ARITH + "\nmk>pt;r=quad 1;pt x:r y:0"), "mk", 10_000)
    assert set(q["deps"]) == {"quad", "dbl", "add"} and set(q["types"]) == {"pt"}
    assert q["budget"]["limit"] == 10_000 and q["budget"]["truncated"] == []
    words = sum(estimate_tokens(s) for s in [q["source"], *(d["source"] for d in q["deps"].values()),
                                             q["types"]["pt"]["source"]])
    assert q["budget"]["used"] == words


def test_budget_cuts_breadth_first_and_a_cut_function_hides_its_callees():
    g = graph_of(ARITH)
    # each source is 4 words: "quad" "x:n>n;dbl" "dbl" "x", "dbl" "x:n>n;add" "x" "x", ...
    q = query_budget(g, "quad", 7)
    assert q["deps"] == {} and q["budget"] == {"used": 4, "limit": 7, "truncated": ["dbl"]}
    q = query_budget(g, "quad", 11)
    assert list(q["deps"]) == ["dbl"] and q["budget"] == {"used": 8, "limit": 11, "truncated": ["add"]}
    assert list(query_budget(g, "quad", 12)["deps"]) == ["add", "dbl"]


def test_budget_smaller_than_the_root_still_gives_the_root():
    q = query_budget(graph_of(POINT + "mk>pt;pt x:1 y:2"), "mk", 1)
    assert q["source"] == "mk>pt;pt x:1 y:2"
    assert q["budget"] == {"used": 3, "limit": 1, "truncated": ["pt"]}  # used may pass the limit


def test_dot_text():
    assert to_dot(graph_of(POINT + "add a:n b:n>n;+a b\ndist p:pt>n;add p.x p.y")) == (
        'digraph ilo {\n  rankdir=LR;\n  node [shape=box];\n  "dist" -> "add";\n'
        '  "dist" -> "pt" [style=dashed];\n  "pt" [shape=record];\n}\n')


# ── The reference's dense form (sig and source) ─────────────────────────────


@pytest.mark.parametrize("body,expected", [
    ("r=[1, 2, x];r", "r=[1, 2, x];r"),
    ('s="a\\tb\\n\\"q\\"";s', 's="a\tb\\n\\"q\\"";s'),  # a tab is printed raw
    ("- x", "- x"),
    ("r=length [x];r", "r=len [x];r"),  # long builtin names print short
    ("x??0", "x??0"),
    (">x 0 1;2", ">x 0 1;2"),
    (">x 0{1}{2}", ">x 0{1}{2}"),
    ("?x{1:10;_:20}", "?x{1:10;_:20}"),
    ("@i 0..3{x=+x i};x", "@i 0..3{x=+x i};x"),
    ("r=?=x 1 2 3;r", "r=?=x 1 2 3;r"),
])
def test_source_is_the_reference_dense_form(body, expected):
    q = query_fn(graph_of(f"f x:n>n;{body}"), "f")
    assert q["source"] == f"f x:n>n;{expected}"


def test_signatures():
    g = graph_of("prc ord:order>R order t;~ord\nzero>n;0\nap f:F n n xs:L n m:M t n>O n;nil")
    assert g.functions["prc"]["sig"] == "prc ord:order>R order t"
    assert g.functions["zero"]["sig"] == "zero>n"
    assert g.functions["ap"]["sig"] == "ap f:F n n xs:L n m:M t n>O n"


def test_numbers_print_as_rust_does():
    assert [number(v) for v in (3.0, -2.0, 0.5, -0.0, 1e-7, 1e21, 2.0**63, 123.25)] == [
        "3", "-2", "0.5", "0", "0.0000001", "1000000000000000000000", "9223372036854775807", "123.25"]


def test_token_estimate_splits_on_rust_whitespace():
    assert estimate_tokens("a b\tc\n d") == 4
    assert estimate_tokens("a\x1cb") == 1  # not white space to Rust
    assert estimate_tokens("a\u3000b") == 2 and estimate_tokens("") == 0


# ── The command line ────────────────────────────────────────────────────────

FULL_JSON = """{
  "functions": {
    "add": {
      "sig": "add a:n b:n>n",
      "calls": [],
      "called_by": [
        "dbl"
      ],
      "types_used": []
    },
    "dbl": {
      "sig": "dbl x:n>n",
      "calls": [
        "add"
      ],
      "called_by": [],
      "types_used": []
    },
    "mk": {
      "sig": "mk>pt",
      "calls": [],
      "called_by": [],
      "types_used": [
        "pt"
      ]
    }
  },
  "types": {
    "pt": {
      "fields": [
        [
          "x",
          "n"
        ],
        [
          "y",
          "n"
        ]
      ],
      "refs": []
    }
  }
}
"""


def test_full_graph_json_text(write):
    r = ilo_graph(write(POINT + "add a:n b:n>n;+a b\ndbl x:n>n;add x x\nmk>pt;pt x:1 y:2"))
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout == FULL_JSON


def test_queries_on_the_command_line(write):
    path = write(POINT + ARITH + "\nmk>pt;pt x:1 y:2")
    r = ilo_graph(path, "--fn", "quad")
    assert r.returncode == 0 and json.loads(r.stdout)["deps"] == {"dbl": {"sig": "dbl x:n>n"}}
    assert r.stdout.startswith('{\n  "root": "quad",\n  "source": "quad x:n>n;dbl dbl x",\n')
    r = ilo_graph(path, "--fn", "quad", "--subgraph")
    assert sorted(json.loads(r.stdout)["deps"]) == ["add", "dbl"]
    r = ilo_graph(path, "--fn", "add", "--reverse")
    assert json.loads(r.stdout)["callers"] == [{"name": "dbl", "sig": "dbl x:n>n"}]
    r = ilo_graph(path, "--budget", "4", "--fn", "quad")  # flags in any order
    assert json.loads(r.stdout)["budget"] == {"used": 4, "limit": 4, "truncated": ["dbl"]}  # 4 words each
    assert ilo_graph(path, "--fn=quad", "--budget=+4").stdout == r.stdout  # clap's forms
    assert ilo_graph(path, "--fn", "quad", "--budget", "0" * 5000 + "4").stdout == r.stdout
    # precedence: --dot over everything, --reverse over --budget over --subgraph
    assert ilo_graph(path, "--fn", "add", "--dot").stdout.startswith("digraph ilo {")
    assert "callers" in json.loads(ilo_graph(path, "--fn", "add", "--budget", "9", "--reverse").stdout)
    assert "budget" in json.loads(ilo_graph(path, "--fn", "quad", "--subgraph", "--budget", "99").stdout)
    # without --fn the other flags change nothing; the global output flags are accepted
    assert set(json.loads(ilo_graph(path, "--reverse", "-j").stdout)) == {"functions", "types"}


def test_dot_on_the_command_line(write):
    r = ilo_graph("--dot", write("ev n:n>b;=n 0 true;od -n 1\nod n:n>b;=n 0 false;ev -n 1"))
    assert r.returncode == 0
    assert r.stdout == 'digraph ilo {\n  rankdir=LR;\n  node [shape=box];\n  "ev" -> "od";\n  "od" -> "ev";\n}\n'


def test_empty_file(write):
    r = ilo_graph(write(""))
    assert r.returncode == 0 and r.stdout == '{\n  "functions": {},\n  "types": {}\n}\n'
    assert ilo_graph(write(""), "--dot").stdout == "digraph ilo {\n  rankdir=LR;\n  node [shape=box];\n}\n"


BAD_COMMAND_LINES = [
    ((), "Usage: ilo graph <file> [--fn NAME] [--reverse] [--subgraph] [--budget N] [--dot]"),
    (("--fn",), "error: --fn requires a function name"),
    (("--budget",), "error: --budget requires a number"),
    (("--budget", "notanumber"), "error: --budget value must be a positive integer"),
    (("--budget", "-3"), "error: --budget value must be a positive integer"),
    (("--budget", "1.5"), "error: --budget value must be a positive integer"),
    (("--budget", "18446744073709551616"), "error: --budget value must be a positive integer"),
    (("--budget", "9" * 5000), "error: --budget value must be a positive integer"),
    (("--budget", ""), "error: --budget value must be a positive integer"),
    (("--wat",), "unknown flag: --wat"),
    (("--fn", "nope"), "function 'nope' not found"),
    (("--fn", "nope", "--subgraph"), "function 'nope' not found"),
    (("--fn", "nope", "--reverse"), "function 'nope' not found"),
    (("--fn", "nope", "--budget", "5"), "function 'nope' not found"),
]


@pytest.mark.parametrize("args,message", BAD_COMMAND_LINES, ids=[" ".join(a)[:40] for a, _ in BAD_COMMAND_LINES])
def test_errors_are_the_reference_messages(write, args, message):
    path = write(ARITH)
    r = ilo_graph(*((path, *args) if args else ()))
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == message + "\n"


def test_file_errors(write, tmp_path):
    missing = str(tmp_path / "none.ilo")
    r = ilo_graph(missing)
    assert r.returncode == 1 and r.stderr == f"Error reading {missing}: No such file or directory (os error 2)\n"
    # the file is read before the flags are looked at, as in the reference
    assert ilo_graph(missing, "--wat").stderr.startswith("Error reading")
    r = ilo_graph(str(tmp_path))
    assert r.returncode == 1 and r.stderr.endswith("Is a directory (os error 21)\n")


@pytest.mark.parametrize("data", [b"\xff\xfe\x00\x81garbage", bytes(range(256)), b"\x00\x01\x02\x7f",
                                  b"f x:n>n;\x1b[31m"])
def test_binary_garbage_is_a_clean_error(write, data):
    r = ilo_graph(write(data))
    assert r.returncode == 1 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith(("Error reading", "Lex error: LexError { code: \"ILO-L"))


def test_lex_error_message(write):
    r = ilo_graph(write("f x:n>n;fooBar"), "--wat")  # a lex error comes before a bad flag
    assert r.returncode == 1
    assert r.stderr.startswith('Lex error: LexError { code: "ILO-L003", position: 11, snippet: "Bar", suggestion: "')


def test_help(write):
    r = ilo_graph("--help")
    assert r.returncode == 0 and r.stdout.startswith("Usage: ilo graph <file>")
    topic = subprocess.run([sys.executable, "-m", "ilo", "help", "graph"], capture_output=True, text=True,
                           cwd=REPO, timeout=120)
    assert topic.returncode == 0 and "--subgraph" in topic.stdout and "--budget" in topic.stdout
    main_help = subprocess.run([sys.executable, "-m", "ilo", "--help"], capture_output=True, text=True,
                               cwd=REPO, timeout=120)
    assert "ilo graph FILE" in main_help.stdout


def test_graph_is_a_command_even_with_a_file_called_graph(tmp_path):
    (tmp_path / "graph").write_text("f x:n>n;x")
    r = subprocess.run([sys.executable, "-m", "ilo", "graph", "graph"], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0 and json.loads(r.stdout)["functions"]["f"]["sig"] == "f x:n>n"


def test_inline_function_in_a_program_with_errors():
    g = graph_of("bump xs:L n k:n>L n;map (x:n>n;+x k) xs\nbroken>n;)))", strict=False)
    assert g.functions["bump"]["calls"] == {"__lit_0"}
    assert g.functions["__lit_0"]["sig"] == "__lit_0 x:n k:_>n"


def test_deep_nesting(write):
    r = ilo_graph(write("f x:n>n;" + ">x 0{" * 150 + "1" + "}" * 150), "--fn", "f")
    assert r.returncode == 0 and json.loads(r.stdout)["source"].count("{") == 150
    r = ilo_graph(write("f x:n>n;" + "[" * 400 + "1" + "]" * 400))
    assert r.returncode == 1 and r.stderr.startswith("error: ILO-P020") and "Traceback" not in r.stderr


def test_a_name_declared_twice_as_the_reference_resolves_it():
    # the node is the later declaration's (a map insert), the quoted source the first one's
    g = graph_of("f x:n>n;1\nf x:t>t;x")
    assert g.functions["f"]["sig"] == "f x:t>t"
    assert query_fn(g, "f")["source"] == "f x:n>n;1"
