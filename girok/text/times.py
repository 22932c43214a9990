"""Times as an office reads them: stored in UTC (naive, as the catalog keeps them), shown in the archive's time
zone (Asia/Seoul unless girok.toml says otherwise) with their offset, and typed in that zone.

    >>> local_iso(datetime(2026, 3, 1, 0, 30))          # 09:30 in Seoul
    '2026-03-01T09:30:00+09:00'
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

DEFAULT_ZONE = "Asia/Seoul"
KST = timezone(timedelta(hours=9), "KST")  # Korea has kept +09:00 without daylight saving since 1988


def zone(name: str = DEFAULT_ZONE) -> tzinfo:
    """The time zone named (IANA name); Asia/Seoul also where the system has no zone database."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:
        if name == DEFAULT_ZONE:
            return KST
        raise


def local(utc_naive: datetime, tz: tzinfo | None = None) -> datetime:
    """A catalog time (naive UTC) as an aware time in ``tz`` (default Asia/Seoul)."""
    return utc_naive.replace(tzinfo=UTC).astimezone(tz or zone())


def local_iso(utc_naive: datetime, tz: tzinfo | None = None) -> str:
    """ISO 8601 with the offset, to the second: 2026-03-01T09:30:00+09:00."""
    return local(utc_naive, tz).isoformat(timespec="seconds")


def parse_local(text: str, tz: tzinfo | None = None) -> datetime:
    """A date or date-time as typed (in ``tz`` unless it carries its own offset) as naive UTC. ValueError if
    it is not one."""
    at = datetime.fromisoformat(text.strip())
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz or zone())
    return at.astimezone(UTC).replace(tzinfo=None)
