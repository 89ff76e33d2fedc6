"""Errors of the login flows (the rest are in rolecall.errors)."""

from __future__ import annotations

from rolecall.errors import RolecallError


class LoginFailed(RolecallError):
    """A login did not complete: denied, expired, state mismatch, timed out."""
