"""Parsing helpers shared by the readers: source text, numbers, dates and cycles.

Each helper raises :class:`ImportProblem` with the caller's :class:`Location`, so a
message always names the file, the row or line and the field that was wrong.
"""

from __future__ import annotations

import math
import re
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from northstar.interchange.document import CycleDoc, ImportProblem, Location
from northstar.lib.numbers import read_number

# Excel counts days from 1899-12-30 (its fictitious 1900-02-29 folds into that offset).
EXCEL_EPOCH = datetime(1899, 12, 30)
# Serial numbers outside this window are far more likely plain numbers than dates.
EXCEL_SERIAL_RANGE = (1, 2_958_465)


def load_text(path_or_text: str | Path) -> tuple[str, str]:
    """Return (text, default source name) for a path or for text passed directly.

    A ``str`` containing a newline is taken as the document itself: a path never holds
    one, and readers are often handed text pasted into a form.
    """
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return path_or_text, "<text>"
    path = Path(path_or_text)
    return path.read_text(encoding="utf-8-sig"), path.name


# --- numbers ---------------------------------------------------------------------------


def parse_number(text: str, location: Location, *, decimal_comma: bool = False) -> float | None:
    """Read a number as people type it; blank means "not given" (None).

    ``decimal_comma`` is for files whose delimiter is not a comma (typically semicolon
    CSVs from German or French Excel), where "4,5" is four and a half. Elsewhere a comma
    is accepted only as a thousands separator ("1,000").
    """
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        number = read_number(cleaned, decimal_comma=decimal_comma)
    except ValueError:
        raise ImportProblem(location, f"{text.strip()!r} is not a number") from None
    return finite_or_problem(number, text.strip(), location)


def finite_or_problem(number: float, text: str, location: Location) -> float:
    """Refuse inf and nan: float() reads "inf", "nan" and overflowing "1e999", but no key
    result can measure them, and "nan" must not pass for a blank cell ("no start")."""
    if not math.isfinite(number):
        raise ImportProblem(location, f"{text!r} is not a finite number")
    return number


# --- dates -----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_SERIAL = re.compile(r"\d+(\.\d+)?")


def zone_or_problem(name: str | None, location: Location) -> ZoneInfo | None:
    """Look a timezone name up once, so a typo fails before any row is read."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportProblem(location, f"unknown timezone {name!r}") from None


def excel_serial(serial: float) -> datetime:
    """The naive datetime an Excel serial day number stands for."""
    return EXCEL_EPOCH + timedelta(days=serial)


def parse_when(value: object, location: Location) -> date | datetime | None:
    """Read a date or timestamp from a cell or text; blank means None.

    Returns a ``date`` when no time of day is given (a datetime at exactly midnight, as
    spreadsheets store plain dates, counts as a date: shifting it through a timezone
    would move it to the previous or next day). Returns a ``datetime`` otherwise, naive
    unless the text carries an offset.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return _midnight_to_date(value)
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _midnight_to_date(_serial_or_problem(float(value), str(value), location))
    return _parse_when_text(str(value).strip(), location)


def _parse_when_text(text: str, location: Location) -> date | datetime | None:
    if not text:
        return None
    if _SERIAL.fullmatch(text):
        return _midnight_to_date(_serial_or_problem(float(text), text, location))
    if _ISO_DATE.match(text):
        return _parse_iso(text, location)
    day_month = _day_month_year(text, location)
    if day_month is not None:
        return day_month
    raise ImportProblem(location, f"{text!r} is not a date (write it as YYYY-MM-DD)")


def _parse_iso(text: str, location: Location) -> date | datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ImportProblem(location, f"{text!r} is not a date (write it as YYYY-MM-DD)") from None
    has_time = len(text) > 10
    return parsed if has_time else parsed.date()


def _day_month_year(text: str, location: Location) -> date | None:
    """Dotted dates are always day first; slashed ones only when unambiguous."""
    if match := _DOTTED_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
        return _checked_date(year, month, day, text, location)
    if match := _SLASHED_DATE.fullmatch(text):
        first, second, year = (int(part) for part in match.groups())
        if first > 12:
            return _checked_date(year, second, first, text, location)
        if second > 12:
            return _checked_date(year, first, second, text, location)
        raise ImportProblem(
            location, f"{text!r} could be day/month or month/day: write it as YYYY-MM-DD"
        )
    return None


def _checked_date(year: int, month: int, day: int, text: str, location: Location) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ImportProblem(location, f"{text!r} is not a valid date") from None


def _serial_or_problem(serial: float, text: str, location: Location) -> datetime:
    low, high = EXCEL_SERIAL_RANGE
    if not low <= serial <= high:
        raise ImportProblem(location, f"{text!r} is not a date")
    return excel_serial(serial)


def _midnight_to_date(moment: datetime) -> date | datetime:
    if moment.tzinfo is None and moment.time() == datetime.min.time():
        return moment.date()
    return moment


def as_local(moment: date | datetime, zone: ZoneInfo | None) -> date | datetime:
    """Apply the rule that file timestamps without an offset are UTC.

    With a zone the instant is converted to it and its calendar date returned (a
    check-in happens on a day, as seen by the people who made it); without one an
    aware UTC datetime is returned so no information is lost. Dates pass through.
    """
    if not isinstance(moment, datetime):
        return moment
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    if zone is None:
        return aware.astimezone(UTC)
    return aware.astimezone(zone).date()


def as_aware(moment: date | datetime, zone: ZoneInfo | None) -> datetime:
    """An aware datetime for bookkeeping timestamps such as "Created" (UTC if naive)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, datetime.min.time())
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone or UTC)


# --- cycles ----------------------------------------------------------------------------

# Years a cycle may fall in. Dates end at 9999, but a year outside this window is a typo
# (0000-Q1, --year 20024), and must be refused at its place rather than crash in date().
YEAR_RANGE = (1900, 2999)


def check_year(year: int, location: Location) -> int:
    """The year, or an ImportProblem when it is outside ``YEAR_RANGE``."""
    low, high = YEAR_RANGE
    if not low <= year <= high:
        raise ImportProblem(location, f"the year {year} is not between {low} and {high}")
    return year


_YEAR_QUARTER = re.compile(r"(\d{4})\s*[-/ ]?\s*Q([1-4])", re.IGNORECASE)
_QUARTER_YEAR = re.compile(r"Q([1-4])\s*[-/ ]?\s*(\d{4})", re.IGNORECASE)
_BARE_QUARTER = re.compile(r"Q([1-4])", re.IGNORECASE)
_QUARTER_ANYWHERE = re.compile(r"(?<![A-Za-z])Q[1-4](?!\d)", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_BACKLOG = {"backlog", "someday", "later", "icebox"}


def parse_cycle(
    text: str,
    location: Location,
    *,
    year: int | None,
    start: date | None = None,
    end: date | None = None,
) -> CycleDoc:
    """Turn a cycle label into a :class:`CycleDoc`.

    Calendar quarters ("2018-Q3", "2018 Q4", "Q4 2018", or "Q4" with ``year``) get the
    canonical name "YYYY-Qn" and their calendar dates; a year ("2019") spans the year;
    "Backlog" is undated. Any other label (fiscal quarters such as "GJ 24/25-Q2") keeps
    its text and takes the dates the file gives. Explicit dates always win.
    """
    label = text.strip()
    if label.casefold() in _BACKLOG:
        return CycleDoc(name=label, kind="backlog")
    calendar = _calendar_cycle(label, location, year=year, dated=start is not None)
    if calendar is not None:
        return CycleDoc(
            name=calendar.name,
            start=start or calendar.start,
            end=end or calendar.end,
            kind=calendar.kind,
        )
    kind = "quarter" if _QUARTER_ANYWHERE.search(label) else "custom"
    return CycleDoc(name=label, start=start, end=end, kind=kind)


def _calendar_cycle(
    label: str, location: Location, *, year: int | None, dated: bool
) -> CycleDoc | None:
    if match := _YEAR_QUARTER.fullmatch(label):
        return quarter_cycle(check_year(int(match[1]), location), int(match[2]))
    if match := _QUARTER_YEAR.fullmatch(label):
        return quarter_cycle(check_year(int(match[2]), location), int(match[1]))
    if match := _BARE_QUARTER.fullmatch(label):
        if year is not None:
            return quarter_cycle(check_year(year, location), int(match[1]))
        if dated:
            return None  # The file's own dates say which quarter; no year needed.
        raise ImportProblem(
            location,
            f"the quarter {label!r} has no year: pass --year (for example --year 2018) "
            "or write the year in the file (e.g. '2018-Q4')",
        )
    if _YEAR.fullmatch(label):
        number = check_year(int(label), location)
        return CycleDoc(str(number), date(number, 1, 1), date(number, 12, 31), "year")
    return None


def quarter_cycle(year: int, quarter: int) -> CycleDoc:
    """The calendar quarter ``quarter`` of ``year``."""
    first_month = 3 * (quarter - 1) + 1
    last_month = first_month + 2
    return CycleDoc(
        name=f"{year}-Q{quarter}",
        start=date(year, first_month, 1),
        end=date(year, last_month, monthrange(year, last_month)[1]),
        kind="quarter",
    )
