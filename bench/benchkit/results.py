"""What a benchmark section found: timed rows, targets with PASS/FAIL, notes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Row:
    label: str
    median: float | None  # seconds; None when not measured (text says why)
    runs: int = 0
    text: str = ""  # replaces the median when it is not a plain time ("> 300 s", "unavailable: …")
    baseline: float | None = None  # the section's bare-python median, for the ratio column
    minimum: float | None = None  # fastest run: less sensitive to a busy machine than the median

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.baseline:
            return None
        return self.median / self.baseline


@dataclass
class Target:
    text: str  # "≤ 2.0× bare python"
    measured: str  # "1.73×"
    ok: bool | None  # None: could not be measured (counts as not passing)

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "N/A"}[self.ok]


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0  # how long the section took to run

    def row(self, label: str) -> Row | None:
        return next((r for r in self.rows if r.label == label), None)


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def times(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def at_most(label: str, value: float | None, limit: float) -> Target:
    """A `value ≤ limit×` ratio target."""
    return Target(f"{label} ≤ {limit:g}×", times(value), None if value is None else value <= limit)


def at_least(label: str, value: float | None, limit: float, *, lower_bound: bool = False) -> Target:
    """A `value ≥ limit×` speed-up target; `lower_bound`: the value is a '>' figure (a peer timed out)."""
    shown = times(value) if not lower_bound or value is None else f"> {value:.1f}×"
    return Target(f"{label} ≥ {limit:g}×", shown, None if value is None else value >= limit)
