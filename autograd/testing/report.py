"""GradCheckReport: the comparison table that check_grad returns and GradientMismatch prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograd.testing.errors import GradientMismatch


@dataclass(frozen=True)
class Row:
    """One compared derivative: which input (or pair), its value, both derivatives, errors."""

    name: str
    value: str
    analytic: float
    numeric: float
    ok: bool

    @property
    def abs_error(self) -> float:
        """|analytic - numeric|."""
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        """|analytic - numeric| / |numeric| (inf when numeric is 0 and they differ)."""
        if self.numeric == 0.0:
            return 0.0 if self.analytic == 0.0 else float("inf")
        return self.abs_error / abs(self.numeric)


@dataclass(frozen=True)
class GradCheckReport:
    """What a check compared, how, and whether every row is within atol + rtol * |numeric|."""

    title: str
    function: str
    point: str
    method: str
    step: str
    atol: float
    rtol: float
    rows: tuple[Row, ...]
    problems: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        """True when every row is within tolerance and no other problem was found."""
        return all(row.ok for row in self.rows) and not self.problems

    def table(self) -> str:
        """The rows as an aligned text table; failing rows are marked with <<."""
        header = ("input", "value", "analytic", "numeric", "abs error", "rel error")
        cells = [header] + [
            (r.name, r.value, f"{r.analytic:.17g}", f"{r.numeric:.17g}",
             f"{r.abs_error:.3g}", f"{r.rel_error:.3g}")
            for r in self.rows
        ]
        widths = [max(len(row[k]) for row in cells) for k in range(len(header))]
        lines = []
        for n, row in enumerate(cells):
            text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            if n > 0 and not self.rows[n - 1].ok:
                text += "  << mismatch"
            lines.append(text)
        return "\n".join(lines)

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [
            f"{self.title} {verdict} for {self.function} at {self.point}",
            f"method: {self.method}, step: {self.step}, atol={self.atol:g}, rtol={self.rtol:g}",
            self.table(),
        ]
        lines += [f"problem: {p}" for p in self.problems]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def close(analytic: float, numeric: float, atol: float, rtol: float) -> bool:
    """True when |analytic - numeric| <= atol + rtol * |numeric|."""
    return abs(analytic - numeric) <= atol + rtol * abs(numeric)


def passed_or_raise(report: GradCheckReport) -> GradCheckReport:
    """Return the report if it passed; else raise GradientMismatch carrying it."""
    __tracebackhide__ = True  # pytest shows the caller, not this frame
    if not report.passed:
        raise GradientMismatch(str(report), report)
    return report
