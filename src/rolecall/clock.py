"""The one source of "now", so tests can freeze or shift time."""

from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parse_timestamp(value: str) -> datetime:
    """Parse the ISO forms AWS tools write into an aware UTC datetime.

    Accepts `2024-01-01T00:00:00Z`, `…+00:00`, fractional seconds and the old
    CLI's `…UTC` suffix. A naive timestamp is taken as UTC (botocore would
    crash on it; we never write one).
    """
    text = value.strip()
    if text.endswith("UTC"):
        text = text[:-3].rstrip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_timestamp(value: datetime) -> str:
    """The AWS CLI's on-disk form: `%Y-%m-%dT%H:%M:%SZ`, always UTC."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(value: datetime) -> str:
    """ISO 8601 in UTC (`…+00:00`), the way `aws configure export-credentials` writes an expiry."""
    return value.astimezone(timezone.utc).isoformat()
