"""The table on stdout and bench/results.md."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from benchkit.results import Section, ms, times


def table(sections: list[Section]) -> str:
    rows = [("#", "command", "median", "min", "runs", "× bare python")]
    for sec in sections:
        if sec.error:
            rows.append((sec.key, f"{sec.title}: ERROR {sec.error.splitlines()[0][:100]}", "", "", "", ""))
            continue
        for row in sec.rows:
            rows.append((sec.key, row.label, row.text or ms(row.median), ms(row.minimum) if row.minimum else "",
                         str(row.runs or ""), times(row.ratio) if row.ratio is not None else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(cell.ljust(widths[j]) if j == 1 else cell.rjust(widths[j]) if j else cell.ljust(widths[j])
                             for j, cell in enumerate(r)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    out.append("")
    out.append("targets:")
    for sec in sections:
        for target in sec.targets:
            out.append(f"  {sec.key}. {target.verdict:4}  {target.text}: {target.measured}")
        if sec.error:
            out.append(f"  {sec.key}. N/A   {sec.title}: not measured ({sec.error.splitlines()[0][:120]})")
    return "\n".join(out)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(sections: list[Section], *, machine: dict[str, str], tools: dict[str, str], settings: dict[str, str],
             diagnostics: list[str], notes: list[str], load_end: str, total_seconds: float) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# rolecall benchmarks",
        "",
        f"Written by `make bench` (bench/run.py) on {when}; the whole run took {total_seconds:.0f} s. "
        "Medians of wall-clock time (hyperfine unless noted); ratios against the same run's `python3 -c pass` on "
        "rolecall's own interpreter.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine.items()]
    lines.append(f"- load average at the end (1/5/15 min): {load_end}")
    lines += ["", "## Tools", ""]
    lines += [f"- {k}: {v}" for k, v in tools.items()]
    lines += ["", "## Settings", ""]
    lines += [f"- {k}: {v}" for k, v in settings.items()]
    lines += ["", "## Targets", "", "| # | target | measured | result |", "|---|---|---|---|"]
    for sec in sections:
        for target in sec.targets:
            lines.append(f"| {sec.key} | {_md_cell(target.text)} | {_md_cell(target.measured)} | "
                         f"**{target.verdict}** |")
        if sec.error:
            lines.append(f"| {sec.key} | {_md_cell(sec.title)} | not measured: {_md_cell(sec.error.splitlines()[0])} "
                         "| **N/A** |")
    lines += ["", "## Results", ""]
    for sec in sections:
        lines += [f"### {sec.key}. {sec.title}", ""]
        if sec.error:
            lines += ["Not measured:", "", "```", sec.error, "```", ""]
            continue
        lines += ["| command | median | min | runs | × bare python (medians) |", "|---|---:|---:|---:|---:|"]
        for row in sec.rows:
            lines.append(f"| {_md_cell(row.label.strip())} | {_md_cell(row.text or ms(row.median))} | "
                         f"{ms(row.minimum) if row.minimum else ''} | {row.runs or ''} | "
                         f"{times(row.ratio) if row.ratio is not None else ''} |")
        lines.append("")
        lines += [f"- {note}" for note in sec.notes]
        lines.append(f"- section run time: {sec.seconds:.0f} s")
        lines.append("")
    if diagnostics:
        lines += ["## Why: where the hot paths spend their time", ""] + diagnostics + [""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
