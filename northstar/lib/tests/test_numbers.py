import pytest

from northstar.lib.numbers import read_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2,500", 2500.0),
        ("1,234,567.5", 1234567.5),
        ("4,5", 4.5),
        ("4.5", 4.5),
        ("1'200", 1200.0),
        (" -3 ", -3.0),
    ],
)
def test_typed_numbers(text, expected):
    assert read_number(text) == expected


def test_semicolon_files_read_decimal_commas_and_dot_groups():
    assert read_number("1.234,5", decimal_comma=True) == 1234.5
    assert read_number("2,500", decimal_comma=True) == 2.5


def test_comma_files_only_group_with_commas():
    assert read_number("2,500", decimal_comma=False) == 2500.0
    with pytest.raises(ValueError):
        read_number("4,5", decimal_comma=False)


def test_it_refuses_words():
    with pytest.raises(ValueError):
        read_number("five")
