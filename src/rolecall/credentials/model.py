"""`Credentials`: what resolving a profile produces, whatever its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rolecall import clock


@dataclass(frozen=True)
class Credentials:
    """A set of AWS credentials. Secrets stay out of repr (and so out of logs)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)
    expiration: datetime | None = None  # aware UTC; None for long-term keys
    account_id: str | None = None
    role_name: str | None = None
    profile: str | None = None

    def seconds_left(self, now: datetime | None = None) -> float | None:
        if self.expiration is None:
            return None
        return (self.expiration - (now or clock.utcnow())).total_seconds()

    def process_json(self) -> dict:
        """The credential_process Version 1 document (what botocore parses)."""
        from rolecall.shells.formats import process_document

        return process_document(self)

