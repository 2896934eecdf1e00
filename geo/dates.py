"""Publication dates: read from ISO 8601, RFC 822 or written English, and checked for sense."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from geo.errors import ArticleError

# "March 28, 2022", "Mar 28, 2022", "28 March 2022", "28 Mar 2022" (English month names: the C
# locale's, which Python uses unless a program sets another).
_WRITTEN_DATES = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%d %B %Y", "%d %b %Y", "%b. %d, %Y")


def parse_date(value: object) -> date | None:
    """A publication date from ISO 8601, RFC 822 or written text ('March 28, 2022'); None when empty.

    Time zones are never converted: a timestamp gives the calendar date in its own offset, as
    its writer saw it (`2022-03-01T23:30:00-05:00` and `Tue, 01 Mar 2022 23:30:00 -0500` are
    both March 1, although it was already March 2 in UTC). Raises ArticleError when the value
    is present but is not a date.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ArticleError(f"publication date is a {type(value).__name__}, not text")
    s = value.strip()
    if not s:
        return None
    if len(s) > 100:  # no date is that long; dateparser would take seconds on it
        raise ArticleError(f"unreadable publication date {s[:40]!r}…")
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        pass
    if re.search(r"\d{1,2}\s+[A-Za-z]{3}\w*\s+\d{4}", s):
        try:
            return parsedate_to_datetime(s).date()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    for fmt in _WRITTEN_DATES:  # the common English forms, without loading dateparser
        try:
            return datetime.strptime(s, fmt).date()  # noqa: DTZ007 (a date, no time zone)
        except ValueError:
            pass
    import dateparser  # slow to import and to start; most dates are ISO or written above

    try:
        parsed = dateparser.parse(
            s, languages=["en"], settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"}
        )
    except (ValueError, OverflowError) as err:
        raise ArticleError(f"unreadable publication date {s[:40]!r}") from err
    if parsed is None:
        raise ArticleError(f"unreadable publication date {s[:40]!r}")
    return parsed.date()


def date_warning(day: date) -> str | None:
    """Why a readable publication date is suspicious (before 1900 or after today), or None.

    "Today" is the UTC date plus one day, so that dates written in time zones ahead of UTC
    are not flagged.
    """
    if day.year < 1900:
        return f"publication date {day.isoformat()} is before 1900: kept, please check it"
    if day > datetime.now(UTC).date() + timedelta(days=1):
        return f"publication date {day.isoformat()} is in the future: kept, please check it"
    return None


def _read_date(value: object, notes: list[str]) -> date | None:
    """parse_date, but an unreadable or odd date is a note, not an error."""
    try:
        day = parse_date(value)
    except ArticleError as err:
        notes.append(f"{err}: kept as undated")
        return None
    if day is not None and (warning := date_warning(day)):
        notes.append(warning)
    return day
