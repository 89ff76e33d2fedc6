"""Helpers the tests share (imported by tests; conftest files only declare fixtures)."""
