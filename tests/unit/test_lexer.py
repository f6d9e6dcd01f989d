"""Lexer: token kinds, values, spans into the original text, newline rules and ILO-L errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ilo.diagnostics import IloError
from ilo.source import Source, Span
from ilo.syntax.lexer import lex, normalize_newlines, scan
from ilo.syntax.tokens import TokenKind as K


def toks(text: str) -> list[K]:
    return [t.kind for t in lex(Source("t", text))]


def vals(text: str) -> list:
    return [t.value for t in lex(Source("t", text))]


def lex_error(text: str):
    with pytest.raises(IloError) as info:
        lex(Source("t", text))
    return info.value.diagnostics[0]


# ── Kinds ───────────────────────────────────────────────────────────────────


def test_function_header_and_body():
    assert toks("dbl x:n>n;*x 2") == [K.IDENT, K.IDENT, K.COLON, K.IDENT, K.GT, K.IDENT, K.SEMI,
                                      K.STAR, K.IDENT, K.NUMBER]


def test_two_char_operators_win_over_one_char():
    assert toks(">=<=!=><+-*/") == [K.GE, K.LE, K.NE, K.GT, K.LT, K.PLUS, K.MINUS, K.STAR, K.SLASH]
    assert toks("+= >> ?? .. .? .") == [K.PLUS_EQ, K.PIPE_OP, K.NIL_COALESCE, K.DOTDOT, K.DOT_QUESTION, K.DOT]


def test_double_equals_is_equals():
    assert toks("==a b") == toks("=a b") == [K.EQ, K.IDENT, K.IDENT]
    assert toks("e==c n") == [K.IDENT, K.EQ, K.IDENT, K.IDENT]


def test_special_and_punctuation():
    assert toks("?@!^~$") == [K.QUESTION, K.AT, K.BANG, K.CARET, K.TILDE, K.DOLLAR]
    assert toks(":;.,{}()[]_&|") == [K.COLON, K.SEMI, K.DOT, K.COMMA, K.LBRACE, K.RBRACE, K.LPAREN,
                                     K.RPAREN, K.LBRACKET, K.RBRACKET, K.UNDERSCORE, K.AMP, K.PIPE]


def test_keywords_only_as_whole_words():
    assert toks("type tool use with timeout retry") == [K.TYPE, K.TOOL, K.USE, K.WITH, K.TIMEOUT, K.RETRY]
    assert toks("types tools user") == [K.IDENT] * 3
    assert toks("true false nil") == [K.TRUE, K.FALSE, K.NIL]
    assert toks("if return let fn def var const") == [
        K.KW_IF, K.KW_RETURN, K.KW_LET, K.KW_FN, K.KW_DEF, K.KW_VAR, K.KW_CONST]


def test_type_constructors_are_single_uppercase_letters():
    assert toks("L R F O M S") == [K.LIST_T, K.RESULT_T, K.FN_T, K.OPT_T, K.MAP_T, K.SUM_T]
    # a constructor glued to a lowercase word still splits, as in the reference
    assert toks("Ln") == [K.LIST_T, K.IDENT]


def test_identifiers_with_hyphens_and_digits():
    assert vals("my-func x2 a-b-c x-1") == ["my-func", "x2", "a-b-c", "x-1"]
    # a trailing hyphen is not part of the name
    assert toks("a- b") == [K.IDENT, K.MINUS, K.IDENT]


def test_numbers_are_greedy_about_their_sign():
    assert vals("42 3.14 -7 -0.5") == [42.0, 3.14, -7.0, -0.5]
    assert toks("- 0 v") == [K.MINUS, K.NUMBER, K.IDENT]
    assert toks("-x") == [K.MINUS, K.IDENT]
    assert toks("1.") == [K.NUMBER, K.DOT]
    assert toks("0..3") == [K.NUMBER, K.DOTDOT, K.NUMBER]
    assert toks("xs.0") == [K.IDENT, K.DOT, K.NUMBER]


def test_comments_are_skipped_and_double_minus_is_a_comment():
    assert toks("+a b -- add them") == [K.PLUS, K.IDENT, K.IDENT]
    assert toks("--x 1") == []
    assert toks("- -x 1") == [K.MINUS, K.MINUS, K.IDENT, K.NUMBER]


def test_text_literals_and_escapes():
    assert vals('"hello world"') == ["hello world"]
    assert vals(r'"a\nb\tc\rd\"e\\f"') == ['a\nb\tc\rd"e\\f']
    assert vals(r'"\q"') == ["\\q"]  # unknown escapes keep their backslash
    assert vals('""') == [""]
    assert vals('"-- not a comment"') == ["-- not a comment"]


def test_token_text_and_spans():
    (a, b) = lex(Source("t", "  foo \"x\""))
    assert (a.text, a.span) == ("foo", Span(2, 5))
    assert (b.text, b.span, b.value) == ('"x"', Span(6, 9), "x")


def test_empty_and_blank_sources():
    assert toks("") == []
    assert toks("   \t ") == []


# ── Newline normalisation ───────────────────────────────────────────────────


@pytest.mark.parametrize(
    "raw,normalised",
    [
        ("dbl x:n>n;*x 2", "dbl x:n>n;*x 2"),
        ('greet name:t>t\n  +"hello " name', 'greet name:t>t;+"hello " name'),
        ("calc a:n b:n>n\n  s=+a b\n  p=*a b\n  +s p", "calc a:n b:n>n;s=+a b;p=*a b;+s p"),
        ("type point{\n  x:n\n  y:n\n}", "type point{x:n;y:n}"),
        ('cls sp:n>t\n  >=sp 1000{\n    "gold"\n  }\n  "bronze"', 'cls sp:n>t;>=sp 1000{"gold"};"bronze"'),
        ("a>n;1\nb>n;2", "a>n;1\nb>n;2"),
        ("f>n\n\tx", "f>n;x"),
    ],
)
def test_normalize_newlines(raw, normalised):
    assert normalize_newlines(raw)[0] == normalised


def test_column_zero_newline_is_a_newline_token():
    assert toks("a>n;1\nb>n;2").count(K.NEWLINE) == 1
    # the parser's stream drops them
    assert K.NEWLINE not in scan(Source("t", "a>n;1\nb>n;2")).kinds


def test_spans_point_into_the_original_text():
    text = "calc a:n>n\n    s=+a 1\n    s"
    tokens = lex(Source("t", text))
    for tok in tokens:
        if tok.kind is not K.SEMI:
            assert text[tok.span.start:tok.span.end] == tok.text
    semis = [t for t in tokens if t.kind is K.SEMI]
    # each inserted `;` points at the line break it replaced
    assert [text[s.span.start] for s in semis] == ["\n", "\n"]
    last = tokens[-1]
    assert (last.text, last.span) == ("s", Span(len(text) - 1, len(text)))


def test_multiline_text_literal_span():
    text = 'f>t\n  "a\nb"'
    tok = lex(Source("t", text))[-1]
    assert tok.kind is K.TEXT and tok.value == "a\nb"
    assert text[tok.span.start:tok.span.end] == '"a\nb"'


# ── Errors ──────────────────────────────────────────────────────────────────


def test_unexpected_character():
    d = lex_error("f x:n>n;x # y")
    assert d.code == "ILO-L001" and "#" in d.message and d.span == Span(10, 11)


def test_underscore_identifier_suggests_hyphens():
    d = lex_error("my_func x:n>n;x")
    assert d.code == "ILO-L002" and "my-func" in d.suggestion and d.span == Span(0, 7)


def test_underscore_alone_is_still_a_token():
    assert toks("~_ n_") == [K.TILDE, K.UNDERSCORE, K.IDENT, K.UNDERSCORE]


def test_uppercase_identifier_suggests_lowercase():
    d = lex_error("f x:n>n;Total")
    assert d.code == "ILO-L003" and "total" in d.suggestion


def test_single_unknown_uppercase_letter():
    assert lex_error("A").code == "ILO-L001"


def test_unterminated_text():
    d = lex_error('f>t;"abc')
    assert d.code == "ILO-L004" and d.span.start == 4


def test_carriage_return_gets_a_hint():
    d = lex_error("f>n;1\r\ng>n;2")
    assert d.code == "ILO-L001" and "CRLF" in d.suggestion


def test_error_position_after_normalised_lines():
    text = "f x:n>n\n  y=1\n  #"
    d = lex_error(text)
    assert text[d.span.start] == "#"


def test_absurd_bracket_nesting_is_rejected_early():
    d = lex_error("(" * 5_000_000)
    assert d.code == "ILO-P020"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_lexes_or_gives_an_ilo_error(text):
    try:
        tokens = lex(Source("t", text))
    except IloError as e:
        assert e.code.startswith(("ILO-L", "ILO-P020"))
        return
    for tok in tokens:
        assert 0 <= tok.span.start < tok.span.end <= len(text)
