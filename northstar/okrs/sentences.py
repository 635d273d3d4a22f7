"""Understand key results written as sentences, and results written inline after them.

Pure module (standard library only): importers and the quick-entry form hand it the text a
person wrote, and get back a kind with numbers, or a milestone flagged for review.

Kinds and the fields they fill:

* ``change``: ``start`` → ``target`` (direction follows from the two). ``start`` is 0 for
  counts ("Publish 5 posts", "$1.2M ARR") and ``None`` when the baseline is not written
  ("Raise NPS to 50"): the first check-in provides it.
* relative changes ("Cut reported bugs by 30%") are ``change`` with ``relative = -0.30`` and,
  unless the sentence states the baseline, ``start = target = None``: the target is
  ``baseline * (1 + relative)`` once the first check-in gives the baseline. Multiples work the
  same way ("by 3x" → ``relative = 2.0``). ``unit`` is then the measured thing ("bugs"), not
  "%": the percentage is the size of the change, not what is counted.
* growth by an amount ("Grow members by 50") counts the gain: 0 → 50, or current → current + 50
  when the sentence states the current value; a reduction by an amount with no current value
  is flagged for review.
* ``at_least`` / ``at_most``: a bound in ``target`` ("at least 85%", "keep X below 1%").
* ``within``: a band in ``low``..``high`` ("between 95% and 99%").
* ``levels``: "commit 100, target 150, stretch 200" → ``low``, ``target``, ``high``.
* ``milestone``: no number. ``needs_review`` is set (with a reason) only when the sentence was
  not understood; a deliverable such as "Launch the new onboarding flow" is a real milestone.

Inline results ("…: 8/10 (80%)", "… - 70% (note)", "X/10 (X%)", "Done") are read by
``parse_inline_result`` and split off by ``split_result``. A placeholder "X" is no value yet,
never 0; when fraction and percentage disagree ("10/10 (110%)") progress is left unset and the
written text goes to ``note``.

Numbers that are not targets are ignored: years, dates, versions, time windows ("in 24
hours", "per 30 days"), ordinals, and numbers glued to words or paths ("Q3", "S2", "#359").
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

KINDS = ("change", "at_least", "at_most", "within", "milestone", "levels")


@dataclass(frozen=True)
class ParsedKeyResult:
    title: str
    kind: str
    start: float | None = None
    target: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    relative: float | None = None
    needs_review: bool = False
    review_reason: str = ""


@dataclass(frozen=True)
class InlineResult:
    text: str
    current: float | None = None
    target: float | None = None
    progress: float | None = None
    done: bool | None = None
    no_value: bool = False
    note: str = ""


# --------------------------------------------------------------------------------------------
# Vocabulary


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Words before a 4-digit number that make it a year rather than a count ("by 2019").
_YEAR_WORDS = _MONTHS | _words(
    "in by since until till before after during of from to through year fy end early late mid "
    "q1 q2 q3 q4 h1 h2"
)
_VERSION_BEFORE = _words("version release v ver rel")
# Only with a decimal point: "the 11.3 release" is a version, "Ship 3 releases" a count.
_VERSION_AFTER = _words("release releases version versions")
# A time span after these words is a window the goal is measured over, not a target.
_WINDOW_WORDS = _words(
    "in within per every over each last next past for during after a an the first rolling"
)
_TIME_UNIT = re.compile(
    r"-?\s?(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|quarters?"
    r"|years?|yrs?)\b",
    re.I,
)
_CURRENCY_WORDS = {
    "usd": "$",
    "dollars": "$",
    "eur": "€",
    "euro": "€",
    "euros": "€",
    "gbp": "£",
    "pounds": "£",
}
# Units written glued to the number ("200ms", "5GB"); other glued letters make a name ("2FA").
_GLUED_UNITS = _words(
    "ms s sec secs h hr hrs d min mins kb mb gb tb pb px fps rps qps kbps mbps gbps pp pts"
)
_GLUED_TIME = _words("ms s sec secs h hr hrs d min mins")
_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9}
_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_WORD_NUMBERS = {
    word: float(n)
    for n, word in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
        start=1,
    )
}
# Words that end a unit or object phrase ("5 members to the committee" → "members").
_STOP = _words(
    "a an the of to from by in on at for with per and or than into across over under within "
    "is are was be this that these those each every as via during before after until while so "
    "which who more less fewer higher lower through among between about around up down "
    "being been have has had will would can could should must"
)

_INCREASE = (
    r"increas\w*|grow\w*|rais\w*|boost\w*|lift\w*|expand\w*|accelerat\w*|maximi[sz]\w*|gain\w*"
)
_DECREASE = (
    r"decreas\w*|reduc\w*|cut|cuts|cutting|lower|lowers|lowering|drop\w*|shrink\w*|declin\w*"
    r"|trim\w*|slash\w*|minimi[sz]\w*"
)
_DIRECTION_VERB = re.compile(rf"\b(?:(?P<up>{_INCREASE})|(?P<down>{_DECREASE}))\b", re.I)
_DIRECTION_NOUN = re.compile(
    r"\s*(?:(?P<up>increase|growth|lift|uplift|rise|gain|more|higher|improvement|boost|jump)"
    r"|(?P<down>decrease|reduction|drop|decline|cut|fewer|less|lower))\b",
    re.I,
)
_HOLD_VERB = r"(?:keep|maintain|preserve|sustain|hold|stay|remain)\w*"
_LEAD_IN = re.compile(
    r"^(?:(?:the|our|a|an|total|overall)\s+)*"
    r"(?:(?:number|amount|count|share|percentage|rate|volume)\s+of\s+)?"
    r"(?:(?:the|our|total|overall)\s+)*",
    re.I,
)

# --------------------------------------------------------------------------------------------
# Numbers in a sentence


@dataclass(frozen=True)
class _Quantity:
    value: float
    start: int  # span in the cleaned text
    end: int
    percent: bool = False
    currency: str = ""
    glued: str = ""  # a unit written against the number: "ms" in "200ms"
    times: bool = False  # "3x": a multiple
    countable: bool = True  # counts and money start from zero; "4.5" (a rating) does not
    role: str = "value"  # or why it is ignored: year, date, version, window, deadline, rate


_NUMBER = re.compile(
    r"(?<![\w.,/#@&$€£-])"  # glued to a word, version, path or reference: not a quantity
    r"(?P<cur>[$€£])?"
    r"(?P<digits>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)"
    r"(?P<frac>\.[0-9]+)?"
    r"(?:(?P<suffix>mn|bn|k|K|M|m|B)(?![\w])|\s?(?P<scale>thousand|million|billion)\b"
    r"|(?![xX](?![\w]))(?P<glued>[A-Za-z]{1,4})(?![\w]))?"  # "3x" is a multiple, not a unit
    r"(?P<pct>\s?(?:%|percent\b|pct\b))?"
    r"(?P<times>[xX×](?![\w]))?"
)
# What may not follow a number: "1.2.3", "8/10", "10:30", "2019-01", "1st", "401(k)".
_GLUED_AFTER = re.compile(r"[.,/:\-–][0-9]|[^\W\d_]|[0-9]|\s?\([A-Za-z]\)")
_WORD_NUMBER = re.compile(r"\b(?P<word>" + "|".join(_WORD_NUMBERS) + r")\b", re.I)
_PUNCT = ".,;:!?()[]{}\"'“”‘’"


def _prev_word(text: str, pos: int) -> str:
    words = text[:pos].split()
    return words[-1].strip(_PUNCT).lower() if words else ""


def _next_word(text: str, pos: int) -> str:
    words = text[pos:].split(maxsplit=1)
    return words[0].strip(_PUNCT).lower() if words else ""


def _scan(clean: str) -> list[_Quantity]:
    """Every number in the text, each with the role it plays."""
    found = [q for m in _NUMBER.finditer(clean) if (q := _quantity(clean, m)) is not None]
    if not any(q.role == "value" for q in found):
        # Only when no digits say it: "Hire two directors" is a count, "one of" is not.
        found += _word_numbers(clean)
    return found


def _quantity(clean: str, m: re.Match[str]) -> _Quantity | None:
    if _GLUED_AFTER.match(clean, m.end()):
        return None
    if m["glued"] and m["glued"].lower() not in _GLUED_UNITS:
        return None  # an ordinal ("1st") or a name ("2FA"), not an amount
    value = _scaled(m)
    if value is None:
        return None
    after = _next_word(clean, m.end())
    return _Quantity(
        value=value,
        start=m.start(),
        end=m.end(),
        percent=bool(m["pct"]),
        currency=m["cur"] or ("" if m["pct"] else _CURRENCY_WORDS.get(after, "")),
        glued=m["glued"] or "",
        times=bool(m["times"]),
        countable=not m["frac"] or bool(m["suffix"] or m["scale"] or m["cur"]),
        role=_role(clean, m, value),
    )


def _scaled(m: re.Match[str]) -> float | None:
    """The number a match stands for; Decimal keeps "$1.2M" at exactly 1200000."""
    try:
        number = Decimal(m["digits"].replace(",", "") + (m["frac"] or ""))
    except InvalidOperation:
        return None
    if m["suffix"]:
        number *= Decimal(_SCALES[m["suffix"].lower()])
    elif m["scale"]:
        number *= Decimal(_SCALE_WORDS[m["scale"].lower()])
    value = float(number)
    return value if math.isfinite(value) else None


def _role(clean: str, m: re.Match[str], value: float) -> str:
    before, after = _prev_word(clean, m.start()), _next_word(clean, m.end())
    plain = not any(m[g] for g in ("cur", "frac", "suffix", "scale", "glued", "pct", "times"))
    plain = plain and "," not in m["digits"]
    # "Reach 2000 users" counts users; "for the 2019 Summit" names a year.
    is_year = plain and len(m["digits"]) == 4 and 1900 <= value <= 2100
    if is_year and (before in _YEAR_WORDS or not after.endswith("s")):
        return "year"
    if plain and 1 <= value <= 31 and (before in _MONTHS or after in _MONTHS):
        return "date"
    if before in _VERSION_BEFORE or (m["frac"] and after in _VERSION_AFTER):
        return "version"
    if before == "per":
        return "rate"  # "defects per 1000 lines": the denominator of a rate
    glued_time = (m["glued"] or "").lower() in _GLUED_TIME
    unit = _TIME_UNIT.match(clean, m.end()) if not m["glued"] else None
    hyphenated = unit is not None and unit.group().startswith("-")  # "a 30-day trial"
    if hyphenated or ((unit or glued_time) and before in _WINDOW_WORDS):
        return "deadline" if before == "within" else "window"
    return "value"


def _word_numbers(clean: str) -> list[_Quantity]:
    found = []
    for m in _WORD_NUMBER.finditer(clean):
        after = _next_word(clean, m.end())
        glued = clean[m.end() : m.end() + 1] == "-"
        if after and after[0].isalpha() and after not in _STOP and not glued:
            value = _WORD_NUMBERS[m["word"].lower()]
            found.append(_Quantity(value=value, start=m.start(), end=m.end()))
    return found


# --------------------------------------------------------------------------------------------
# Cleaning and the template the rules match on

_PRIVATE = re.compile("[\ue000\ue001]")
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)


def _clean(text: str) -> str:
    """The words a reader sees: link text kept, link targets, code and emphasis dropped."""
    text = _PRIVATE.sub(" ", text)
    text = _CODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = text.replace("\\", "").replace("*", "")
    return " ".join(text.split())


def _tok(name: str) -> str:
    """A numbered placeholder standing for one quantity in the template."""
    return rf"\ue000(?P<{name}>[0-9]+)\ue001"


@dataclass
class _Context:
    title: str
    template: str  # cleaned text with each counted quantity replaced by a placeholder
    values: list[_Quantity]  # placeholder i stands for values[i]
    ignored: list[_Quantity]
    spans: list[tuple[int, int]] = field(default_factory=list)  # placeholders in template
    baseline: int | None = None  # "(current is 125k)"

    def rest(self, used: set[int]) -> list[int]:
        """Counted quantities a rule did not explain: the rule then does not apply."""
        return [i for i in range(len(self.values)) if i not in used and i != self.baseline]

    def before(self, i: int) -> str:
        return self.template[: self.spans[i][0]]

    def after(self, i: int) -> str:
        return self.template[self.spans[i][1] :]


def _context(title: str, clean: str) -> _Context:
    found = _scan(clean)
    values = sorted((q for q in found if q.role == "value"), key=lambda q: q.start)
    ctx = _Context(title, "", values, [q for q in found if q.role != "value"])
    parts, pos, length = [], 0, 0
    for i, q in enumerate(values):
        parts.append(clean[pos : q.start])
        length += len(parts[-1])
        token = f"\ue000{i}\ue001"
        ctx.spans.append((length, length + len(token)))
        parts.append(token)
        length += len(token)
        pos = q.end
    parts.append(clean[pos:])
    ctx.template = "".join(parts)
    ctx.baseline = _baseline(ctx.template)
    return ctx


_BASELINE = re.compile(
    r"\b(?:current(?:ly)?|now|today|baseline|(?:up|down)\s+from|was)\b"
    r"(?:\s+(?:is|at|of|stands\s+at))?\s*[:=]?\s*(?:~\s*|about\s+|around\s+)?" + _tok("q"),
    re.I,
)


def _baseline(template: str) -> int | None:
    m = _BASELINE.search(template)
    return int(m["q"]) if m else None


# --------------------------------------------------------------------------------------------
# Units


def _is_word(token: str) -> bool:
    word = token.strip(_PUNCT)
    return bool(word) and token[0] not in "([{" and word[0].isalpha() and word.lower() not in _STOP


def _head_noun(text: str) -> str:
    """Last word of the noun phrase that starts text: "3 key modules for" → "modules"."""
    tokens = text.split()[:6]
    words: list[str] = []
    for n, token in enumerate(tokens):
        if not _is_word(token):
            break
        word = token.strip(_PUNCT)
        following = tokens[n + 1] if n + 1 < len(tokens) else ""
        if words and word.lower().endswith("ed") and not _is_word(following):
            break  # "trials referred by": a participle ends the phrase ("labeled issues" does not)
        words.append(word)
        if len(words) == 4 or token.rstrip(_PUNCT) != token:
            break
    return words[-1] if words else ""


def _object_unit(before: str) -> str:
    """The thing a verb acts on: "Cut reported bugs by" → "bugs"."""
    verbs = list(_DIRECTION_VERB.finditer(before))
    if not verbs:
        return ""
    phrase = before[verbs[-1].end() :].strip()
    return _head_noun(_LEAD_IN.sub("", phrase))


def _unit(ctx: _Context, i: int) -> str:
    q = ctx.values[i]
    if q.percent:
        return "%"
    return q.currency or q.glued or _head_noun(ctx.after(i))


def _pair_unit(ctx: _Context, a: int, b: int) -> str:
    return _unit(ctx, a) or _unit(ctx, b) or _object_unit(ctx.before(min(a, b)))


# --------------------------------------------------------------------------------------------
# Rules: each returns a result, or None when the sentence is not of its shape


def _review(title: str, reason: str) -> ParsedKeyResult:
    return ParsedKeyResult(title, "milestone", needs_review=True, review_reason=reason)


def _change(ctx: _Context, unit: str, start: float | None, target: float) -> ParsedKeyResult:
    return ParsedKeyResult(ctx.title, "change", start=start, target=target, unit=unit)


def _baseline_value(ctx: _Context) -> float | None:
    return None if ctx.baseline is None else ctx.values[ctx.baseline].value


_DOUBLING = re.compile(r"\b(?P<word>double|triple|quadruple|halve)\b", re.I)
_DOUBLING_SIZE = {"double": 1.0, "triple": 2.0, "quadruple": 3.0, "halve": -0.5}
_STRONG_VERB = re.compile(r"\b(?:increase|decrease|reduce|grow|raise|boost|cut|lower)\b", re.I)


def _without_numbers(ctx: _Context) -> ParsedKeyResult | None:
    if ctx.values:
        return None
    if not any(c.isalpha() for c in ctx.template):
        return _review(ctx.title, "no words to read")
    if m := _DOUBLING.search(ctx.template):
        unit = _head_noun(_LEAD_IN.sub("", ctx.template[m.end() :].strip()))
        relative = _DOUBLING_SIZE[m["word"].lower()]
        return ParsedKeyResult(ctx.title, "change", unit=unit, relative=relative)
    deadline = [q for q in ctx.ignored if q.role == "deadline"]
    if len(deadline) == 1:  # "All uploads within 48 hours": the time is the bound
        q = deadline[0]
        unit = q.glued or _next_word(ctx.template, q.end).lstrip("-")
        return ParsedKeyResult(ctx.title, "at_most", target=q.value, unit=unit)
    if _STRONG_VERB.search(ctx.template):
        return _review(ctx.title, "says which way to move but not how far")
    return ParsedKeyResult(ctx.title, "milestone")


_LEVEL = re.compile(
    r"\b(?P<level>commit(?:ted|ment)?|target|stretch)\b\s*(?:of|is|at)?\s*[:=]?\s*" + _tok("q"),
    re.I,
)


def _levels(ctx: _Context) -> ParsedKeyResult | None:
    levels: dict[str, int] = {}
    for m in _LEVEL.finditer(ctx.template):
        level = m["level"].lower()
        levels["commit" if level.startswith("commit") else level] = int(m["q"])
    if len(levels) < 2 or ctx.rest(set(levels.values())):
        return None
    value = {level: ctx.values[i].value for level, i in levels.items()}
    unit = next((u for i in levels.values() if (u := _unit(ctx, i))), "")
    return ParsedKeyResult(
        ctx.title,
        "levels",
        low=value.get("commit"),
        target=value.get("target"),
        high=value.get("stretch"),
        unit=unit,
    )


_WITHIN = re.compile(
    r"\b(?:between|within|in\s+the\s+range\s+of|range\s+of)\s+"
    + _tok("a")
    + r"\s*(?:and|to|-|–)\s*"
    + _tok("b"),
    re.I,
)


def _within(ctx: _Context) -> ParsedKeyResult | None:
    m = _WITHIN.search(ctx.template)
    if not m:
        return None
    a, b = int(m["a"]), int(m["b"])
    if ctx.rest({a, b}):
        return None
    low, high = sorted((ctx.values[a].value, ctx.values[b].value))
    return ParsedKeyResult(ctx.title, "within", low=low, high=high, unit=_pair_unit(ctx, a, b))


_GAP = r"[^\ue000\ue001]{0,40}?"
_FROM_TO = [
    re.compile(r"\bfrom\s+" + _tok("a") + _GAP + r"(?:\bto\b|→|->)\s*" + _tok("b"), re.I),
    re.compile(r"\bto\s+" + _tok("b") + _GAP + r"\bfrom\s+" + _tok("a"), re.I),
    re.compile(_tok("a") + r"\s*(?:→|->|=>)\s*" + _tok("b")),
]


def _from_to(ctx: _Context) -> ParsedKeyResult | None:
    for pattern in _FROM_TO:
        m = pattern.search(ctx.template)
        if m:
            a, b = int(m["a"]), int(m["b"])
            if ctx.rest({a, b}):
                return None
            start, target = ctx.values[a].value, ctx.values[b].value
            return _change(ctx, _pair_unit(ctx, a, b), start, target)
    return None


_AT_LEAST = (
    r"at\s+least|no\s+(?:less|fewer)\s+than|not\s+(?:less|fewer)\s+than|(?:a\s+)?minimum\s+of"
    r"|min\.?|more\s+than|greater\s+than|over|above|exceed\w*|upwards\s+of"
)
_AT_MOST = (
    r"at\s+most|no\s+more\s+than|not\s+more\s+than|(?:a\s+)?maximum\s+of|max\.?|less\s+than"
    r"|fewer\s+than|below|under|up\s+to|within"
)
_OR = r"(?:\s+\w+){0,3}?\s+or\s+"  # "10 posts or more"
_BOUNDS = [
    (re.compile(rf"(?<!\w)(?:{_AT_LEAST})\s+" + _tok("q"), re.I), "at_least"),
    (re.compile(r"(?:>=|≥|>)\s*" + _tok("q")), "at_least"),
    (re.compile(rf"(?<!\w)(?:{_AT_MOST})\s+" + _tok("q"), re.I), "at_most"),
    (re.compile(r"(?:<=|≤|<)\s*" + _tok("q")), "at_most"),
    (re.compile(_tok("q") + _OR + r"(?:more|higher|greater|above)\b"), "at_least"),
    (re.compile(_tok("q") + _OR + r"(?:less|fewer|lower|below)\b"), "at_most"),
]


def _bound(ctx: _Context) -> ParsedKeyResult | None:
    # Per quantity, the phrase that starts earliest wins: "no more than" over "more than".
    hits: dict[int, tuple[int, str]] = {}
    for pattern, kind in _BOUNDS:
        for m in pattern.finditer(ctx.template):
            if re.search(r"\bby\s*$", ctx.template[: m.start()], re.I):
                continue  # "by over 20%" is the size of a change, not a bound
            i = int(m["q"])
            hits[i] = min(hits.get(i, (m.start(), kind)), (m.start(), kind))
    if len(hits) != 1:
        return None
    i, (_, kind) = next(iter(hits.items()))
    if ctx.rest({i}):
        return None
    return ParsedKeyResult(ctx.title, kind, target=ctx.values[i].value, unit=_unit(ctx, i))


def _direction(before: str, after: str) -> int:
    """+1 for up, -1 for down, 0 when the sentence does not say."""
    verbs = list(_DIRECTION_VERB.finditer(before))
    if verbs:
        return 1 if verbs[-1]["up"] else -1
    noun = _DIRECTION_NOUN.match(after)
    if noun:
        return 1 if noun["up"] else -1
    return 0


def _relative_size(q: _Quantity, direction: int) -> float | None:
    if q.times:
        if q.value == 0:
            return None
        return (q.value if direction > 0 else 1 / q.value) - 1
    if direction < 0 and q.value > 100:
        return None  # nothing shrinks by more than all of it
    return direction * q.value / 100


_BY = re.compile(r"\bby\s+(?:about\s+|around\s+|roughly\s+|~\s*)?" + _tok("q"), re.I)
_NOT_RELATIVE_BEFORE = re.compile(
    r"\b(?:to|of|at|is|reach\w*|achiev\w*|hit)\s*$|" + _HOLD_VERB + r"\s+$", re.I
)


def _relative(ctx: _Context) -> ParsedKeyResult | None:
    hits = list(_BY.finditer(ctx.template))
    if len(hits) > 1:
        return None
    if hits:
        return _by_amount(ctx, int(hits[0]["q"]))
    rest = ctx.rest(set())
    if len(rest) != 1:
        return None
    i = rest[0]
    q = ctx.values[i]
    # "Increase sessions on blog posts. 5% month over month": a lone percentage next to a verb.
    if not (q.percent or q.times) or _NOT_RELATIVE_BEFORE.search(ctx.before(i)):
        return None
    if re.match(r"\s*of\b", ctx.after(i), re.I):
        return None
    if _direction(ctx.before(i), ctx.after(i)) == 0:
        return None
    return _by_amount(ctx, i)


def _by_amount(ctx: _Context, i: int) -> ParsedKeyResult | None:
    if ctx.rest({i}):
        return None
    q = ctx.values[i]
    direction = _direction(ctx.before(i), ctx.after(i))
    unit = _object_unit(ctx.before(i))
    if direction == 0:
        return _review(ctx.title, f"changes by {_fmt(q)} without saying up or down")
    base = _baseline_value(ctx)
    if q.percent or q.times:
        relative = _relative_size(q, direction)
        if relative is None:
            return _review(ctx.title, f"cannot shrink by {_fmt(q)}")
        target = None if base is None else base * (1 + relative)
        return ParsedKeyResult(
            ctx.title, "change", start=base, target=target, unit=unit, relative=relative
        )
    unit = _unit(ctx, i) or unit
    if base is not None:
        return _change(ctx, unit, base, base + direction * q.value)
    if direction > 0:  # "Grow members by 5" counts the members gained, like "Add 5 members"
        return _change(ctx, unit, 0.0, q.value)
    return _review(ctx.title, "reduces by an amount but does not say from what")


_TO_TARGET = re.compile(r"\bto\s+(?:about\s+|around\s+)?" + _tok("q"), re.I)
_MOVE_VERB = re.compile(r"\b(?:bring|get|move|push|take)\w*\b", re.I)


def _to_target(ctx: _Context) -> ParsedKeyResult | None:
    hits = list(_TO_TARGET.finditer(ctx.template))
    if len(hits) != 1:
        return None
    i = int(hits[0]["q"])
    before = ctx.before(i)
    if ctx.rest({i}) or not (_DIRECTION_VERB.search(before) or _MOVE_VERB.search(before)):
        return None
    unit = _unit(ctx, i) or _object_unit(before)
    return _change(ctx, unit, _baseline_value(ctx), ctx.values[i].value)


_HOLDING = re.compile(rf"\b{_HOLD_VERB}\s+(?:\S+\s+){{0,3}}?$", re.I)


def _single(ctx: _Context) -> ParsedKeyResult | None:
    rest = ctx.rest(set())
    if len(rest) != 1:
        return None
    i = rest[0]
    q = ctx.values[i]
    unit = _unit(ctx, i)
    if q.times:
        return _review(ctx.title, f"{_fmt(q)} without saying of what")
    if _HOLDING.search(ctx.before(i)):  # "Preserve 100% of the error budget"
        return ParsedKeyResult(ctx.title, "at_least", target=q.value, unit=unit)
    if ctx.baseline is not None:
        return _change(ctx, unit or _unit(ctx, ctx.baseline), _baseline_value(ctx), q.value)
    if q.percent:  # "Achieve 95% CSAT": a level to reach, not a count from zero
        return ParsedKeyResult(ctx.title, "at_least", target=q.value, unit=unit)
    return _change(ctx, unit, 0.0 if q.countable else None, q.value)


_RULES: list[Callable[[_Context], ParsedKeyResult | None]] = [
    _without_numbers,
    _levels,
    _within,
    _from_to,
    _bound,
    _relative,
    _to_target,
    _single,
]


def _fmt(q: _Quantity) -> str:
    text = f"{q.currency}{q.value:g}"
    return text + ("%" if q.percent else "x" if q.times else "")


def parse_key_result(text: str) -> ParsedKeyResult:
    """Read a key result sentence; never raises, and falls back to a flagged milestone."""
    title, _ = split_result(text)
    if not title.strip():
        return _review(title, "empty text")
    clean = _clean(title)
    if not clean:
        return _review(title, "only a link or code, no words")
    ctx = _context(title, clean)
    for rule in _RULES:
        parsed = rule(ctx)
        if parsed is not None:
            return parsed
    numbers = ", ".join(_fmt(q) for q in ctx.values)
    return _review(title, f"found several numbers ({numbers}) and cannot tell the target")


# --------------------------------------------------------------------------------------------
# Results written inline: "…: 8/10 (80%)", "… - 70% (note)", "… => Done"

_NUM = r"[-−]?[0-9]+(?:\.[0-9]+)?"
_BLANK = r"[Xx?]"  # a placeholder for a value nobody has filled in yet
_DONE = (
    r"not\s+(?:yet\s+)?done|not\s+completed?|incomplete|done|completed?"
    r"|\[\s?\]|\[[xX✓✔]\]|✅|✔\ufe0f?|☑\ufe0f?|☒|❌|✗|✘|☐"
)
_VALUE = re.compile(
    rf"(?P<cur>{_BLANK}|{_NUM})\s*/\s*(?P<tgt>[0-9]+(?:\.[0-9]+)?)"
    rf"(?:\s*\(\s*(?P<fpct>{_BLANK}|{_NUM})\s*%\s*\))?"
    rf"|(?P<pct>{_BLANK}|{_NUM})\s*%"
    rf"|(?P<done>{_DONE})",
    re.I,
)
_LEAD_SEPARATOR = re.compile(r"\s*(?:=>|->|→|:|[-–—](?=\s))?\s*")
_LINKED = re.compile(r"\[(?P<inner>[^\[\]]+)\]\([^()\s]*\)(?P<rest>.*)", re.S)
_TRAILING_NOTE = re.compile(r"(?:[,;.]\s+|\s+(?:[-–—]|=>)\s+)(?P<note>.+)", re.S)
_NOT_DONE = re.compile(r"not|incomplete|\[\s?\]|❌|✗|✘|☐", re.I)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char in "([") - (char in ")]")
        if depth < 0:
            return False
    return depth == 0


def _parenthesised(text: str) -> bool:
    """True for "(a (b) c)", false for "(a) and (b)": the first parenthesis closes last."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for char in text[:-1]:
        depth += (char in "([") - (char in ")]")
        if depth <= 0:
            return False
    return _balanced(text)


def _note(tail: str) -> str | None:
    """Commentary after a result, or None when the tail is not commentary (then no result)."""
    rest = tail.strip()
    if not rest:
        return ""
    if _parenthesised(rest):
        return rest[1:-1].strip()
    m = _TRAILING_NOTE.fullmatch(tail)
    if m and _balanced(m["note"]):
        return m["note"].strip()
    return None


def _number(text: str | None) -> float | None:
    if text is None or text in ("X", "x", "?"):
        return None
    value = float(text.replace("−", "-"))
    return value if math.isfinite(value) else None


def parse_inline_result(text: str) -> InlineResult | None:
    """Read a result such as "8/10 (80%)", ": 94% (note)" or "Done"; None if text is not one."""
    body = _LEAD_SEPARATOR.sub("", text, count=1).strip()
    linked = _LINKED.fullmatch(body)
    value_text, tail = (linked["inner"].strip(), linked["rest"]) if linked else (body, "")
    m = _VALUE.match(value_text)
    if not m:
        return None
    if linked and m.end() != len(value_text):
        return None
    tail = value_text[m.end() :] + tail
    note = _note(tail)
    if note is None:
        return None
    if m["done"]:
        return InlineResult(body, done=not _NOT_DONE.match(m["done"]), note=note)
    if m["tgt"] is not None:
        return _fraction(body, m, note)
    progress = _number(m["pct"])
    if progress is None:
        return InlineResult(body, no_value=True, note=note)
    return InlineResult(body, progress=progress / 100, note=note)


def _fraction(body: str, m: re.Match[str], note: str) -> InlineResult:
    current, target, percent = _number(m["cur"]), _number(m["tgt"]), _number(m["fpct"])
    if current is None and percent is None:
        return InlineResult(body, target=target, no_value=True, note=note)
    measured = current / target * 100 if current is not None and target else None
    if percent is None:
        progress = None if measured is None else measured / 100
    elif measured is not None and abs(measured - percent) > 1:
        # "10/10 (110%)": the two disagree, so trust neither and show what was written.
        written = m.group().strip()
        note = f"{written}; {note}" if note else written
        progress = None
    else:
        progress = percent / 100
    return InlineResult(body, current=current, target=target, progress=progress, note=note)


_SEPARATOR = re.compile(r"\s*:\s+|\s+[-–]\s+|\s*=>\s*|\s*—\s*")
_TRAILING_FRACTION = re.compile(
    rf"\s+(?P<result>\[?(?:{_BLANK}|{_NUM})\s*/\s*[0-9]+(?:\.[0-9]+)?"
    rf"\s*\(\s*(?:{_BLANK}|{_NUM})\s*%\s*\)(?:\]\([^()\s]*\))?)\s*$"
)


def split_result(line: str) -> tuple[str, InlineResult | None]:
    """Split a trailing result off a line: ("Implement 10 fixes", 8/10) from "…: 8/10 (80%)".

    A result counts only after a separator (":", " - ", "=>", "—") or as a trailing
    "N/M (P%)", so a percentage inside the sentence ("Achieved 94.5% CSAT") stays put.
    """
    # Rightmost first: the result is what comes after the last separator that yields one.
    for sep in reversed(list(_SEPARATOR.finditer(line))):
        title = line[: sep.start()].rstrip()
        if not title.strip():
            continue
        result = parse_inline_result(line[sep.end() :])
        if result is not None:
            return title, result
    m = _TRAILING_FRACTION.search(line)
    if m and line[: m.start()].strip():
        result = parse_inline_result(m["result"])
        if result is not None:
            return line[: m.start()].rstrip(), result
    return line, None
