"""Helpers behind `make bench` (bench/run.py): timing, peers, sandbox worlds, report.

Not part of the rolecall package and not a test: a script that measures.
"""
