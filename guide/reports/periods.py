"""The stretch of time a figures page covers: this year, last year, or chosen dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    """Calendar days from ``start`` to ``end``, both included, counted in UTC."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def starts_at(self) -> dt.datetime:
        """The first moment of the period, for comparing with timestamps."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=dt.UTC)

    @property
    def ends_before(self) -> dt.datetime:
        """The first moment after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``, oldest first."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def reference_day(self, today: dt.date) -> dt.date:
        """The last day figures can look at: the period's end, or today if that is earlier."""
        return min(self.end, today)
