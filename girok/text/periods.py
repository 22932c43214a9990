"""Retention periods (보존기간) as the Public Records Act names them, and the arithmetic of when one runs out.

Korean public records carry one of seven retention periods: 영구, 준영구, 30년, 10년, 5년, 3년, 1년.
A period counts from 1 January of the year after the business was completed; 영구 and 준영구 are never due.
"""

from __future__ import annotations

from datetime import date

CLASSES = ("영구", "준영구", "30년", "10년", "5년", "3년", "1년")
YEARS = {"30년": 30, "10년": 10, "5년": 5, "3년": 3, "1년": 1}  # 영구, 준영구: never due
ALIASES = {"permanent": "영구", "semi-permanent": "준영구", "30y": "30년", "10y": "10년", "5y": "5년",
           "3y": "3년", "1y": "1년"}
SAFE_DEFAULT = "영구"  # without a schedule nothing ever becomes due


def parse_class(value: str) -> str | None:
    """The canonical class for ``value`` ("5년", "5 년", "5y", "permanent", ...), or None."""
    v = "".join(str(value).split()).lower()
    return v if v in CLASSES else ALIASES.get(v)


def due_date(retention_class: str, completed_on: date) -> date | None:
    """First day the record may be disposed of: 1 January after completion year + period; None = never."""
    years = YEARS.get(retention_class)
    return None if years is None else date(completed_on.year + 1 + years, 1, 1)
