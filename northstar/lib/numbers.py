"""Reading numbers as people type them. Pure: no Django.

"1,200" and "1'200" are twelve hundred; "4.5" is four and a half everywhere. "4,5" is four and
a half where a comma is the decimal mark: always in semicolon-separated files, and in typed
input whenever the comma cannot be a thousands separator (not followed by exactly three digits).
"""

from __future__ import annotations

import re

GROUPED_COMMA = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
GROUPED_DOT = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
GROUP_MARKS = str.maketrans("", "", "'\u2019 \u00a0\u202f_")


def normalise(text: str, *, decimal_comma: bool | None = None) -> str:
    """The text in a form `float()` accepts.

    decimal_comma: True for files whose delimiter is not a comma, False where a comma only
    groups thousands, None (typed input) to decide from the shape of the number.
    """
    text = text.strip().translate(GROUP_MARKS)
    if decimal_comma and GROUPED_DOT.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if decimal_comma is not True and GROUPED_COMMA.fullmatch(text):
        return text.replace(",", "")
    if decimal_comma is not False and text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    return text


def read_number(text: str, *, decimal_comma: bool | None = None) -> float:
    """Raise ValueError when the text is not a number."""
    return float(normalise(text, decimal_comma=decimal_comma))
