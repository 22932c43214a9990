"""The query language (girok.search.query): what records officers type, parsed the same for every engine."""

from __future__ import annotations

from datetime import date

import pytest

from girok.errors import UsageError
from girok.search.query import (All, And, DateRange, Filter, Not, Or, Phrase, Word, is_negative, parse,
                                parse_date_range, positive_texts)


def test_words_are_anded():
    assert parse("서초구 민원실") == And((Word("서초구"), Word("민원실")))
    assert parse("서초구 AND 민원실") == parse("서초구 민원실")


def test_or_binds_looser_than_and():
    assert parse("전입 신고 OR 혼인") == Or((And((Word("전입"), Word("신고"))), Word("혼인")))
    assert parse("(전입 OR 혼인) 신고") == And((Or((Word("전입"), Word("혼인"))), Word("신고")))


def test_not_and_minus():
    assert parse("민원 NOT 위임장") == And((Word("민원"), Not(Word("위임장"))))
    assert parse("민원 -위임장") == parse("민원 NOT 위임장")
    assert is_negative(parse("NOT 위임장")) and not is_negative(parse("민원 -위임장"))


def test_lower_case_operators_are_words():
    assert parse("rock and roll") == And((Word("rock"), Word("and"), Word("roll")))


def test_phrases_keep_their_spaces():
    assert parse('"토지 대장" 발급') == And((Phrase("토지 대장"), Word("발급")))
    assert parse('"토지 대장') == Phrase("토지 대장")  # an unclosed quote runs to the end


def test_field_filters():
    assert parse("type:위임장") == Filter("type", "위임장")
    assert parse('office:"서초구 청장"') == Filter("office", "서초구 청장")
    assert parse("RECEIPT:2024-0001") == Filter("receipt", "2024-0001")
    assert parse("retention:10년") == Filter("retention", "10년")
    assert parse("10:30") == Word("10:30")  # not a field: searched as a word


@pytest.mark.parametrize("text,start,end", [
    ("2023-01-01..2023-12-31", date(2023, 1, 1), date(2023, 12, 31)),
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("..2023-06-30", None, date(2023, 6, 30)),
    ("2023-03-05..", date(2023, 3, 5), None),
    ("2023.3.5", date(2023, 3, 5), date(2023, 3, 5)),
])
def test_date_ranges(text, start, end):
    assert parse_date_range(text) == DateRange(start, end)
    assert parse(f"date:{text}") == DateRange(start, end)


@pytest.mark.parametrize("text,says", [
    ("", "empty query"), ("   ", "empty query"), ('""', "empty query"),
    ("민원 OR", "OR needs"), ("OR 민원", "OR needs"), ("민원 AND", "AND needs"), ("NOT", "NOT needs"),
    ("(민원", "not closed"), ("민원)", "no opening"), ("()", "empty parentheses"),
    ("type:", "needs a value"), ("date:2023-13-01", "not a valid date"), ("date:yesterday", "not a date"),
    ("date:2024-01-01..2023-01-01", "ends before"),
])
def test_bad_queries_say_what_to_do(text, says):
    with pytest.raises(UsageError) as exc:
        parse(text)
    assert says in str(exc.value)
    assert exc.value.exit_code == 2


def test_positive_texts_skip_negations():
    assert positive_texts(parse('서초구 "토지 대장" -위임장 type:허가')) == ["서초구", "토지 대장"]
    assert positive_texts(All()) == []
