"""The evidence check: the facts of the original resume, normalized, and whether they support a
claim (same number in any format, same date, same skill after aliases...)."""

from __future__ import annotations

import re
from datetime import date

from . import patterns as p
from .facts import RANGE_RE, find_degrees
from .text import clean, contains_seq, keys_of


class Evidence:
    """Facts of the original resume, normalized for support checks."""

    def __init__(self, original: str, *, job: str | None = None, today: date | None = None) -> None:
        self.today = today or date.today()
        self.job = job or ""
        text = p.blank(clean(original), p.URL_EMAIL_RE)
        self.lines = [keys_of(ln) for ln in text.splitlines()]
        self.values: set[float] = set()
        self.percents: set[float] = set()
        self.team: set[float] = set()
        self.years: set[int] = set()
        self.months: set[tuple[int, int]] = set()
        self.durations: set[tuple[float, str]] = set()
        self.degrees: list[tuple[str, str | None]] = []
        self._read_numbers(text)
        self._read_dates(text)
        for line in text.splitlines():
            for d in find_degrees(line):
                self.degrees.append((d.level, d.flavor))

    def _read_numbers(self, text: str) -> None:
        for m in p.MONEY_RE.finditer(text):
            self.values.add(p.money_value(m))
        for m in p.NUMBER_RE.finditer(text):
            if m.group("w"):
                self.values.add(p.word_or_num(m.group("w")))
            else:
                self.values.add(p.value(m.group("n"), m.group("m")))
                self.values.add(p.value(m.group("n"), None))
        for m in p.NUMBER_WORD_RE.finditer(text):
            self.values.add(p.word_or_num(m.group(0)))
        for m in p.PERCENT_RE.finditer(text):
            self.percents.add(p.value(m.group("n"), None))
        for m in p.TEAM_RE.finditer(text):
            self.team.add(p.team_size(m))
        for m in p.PEOPLE_COUNT_RE.finditer(text):
            self.team.add(p.word_or_num(m.group("n")))

    def _read_dates(self, text: str) -> None:
        for m in p.DATE_RE.finditer(text):
            year, month = p.date_of(m)
            self.years.add(year)
            if month:
                self.months.add((year, month))
        for m in re.finditer(r"(?<!\d)(\d{4})(?!\d)", text):
            self.years.add(int(m.group(1)))
        for m in p.DURATION_RE.finditer(text):
            self.durations.add((p.word_or_num(m.group("n")), p.unit(m.group("u"))))
        for line in text.splitlines():
            units = {p.unit(m.group("u")) for m in p.DURATION_RE.finditer(line)}
            for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", line):
                for unit in units:  # "from 45 to 30 days" supports "45 days"
                    self.durations.add((round(float(m.group(0)), 6), unit))
        for m in RANGE_RE.finditer(text):
            b = m.group("b")
            if b.isdigit():
                self.durations.add((float(int(b) - int(m.group("a"))), "year"))

    def has_keys(self, keys: tuple[str, ...]) -> bool:
        return bool(keys) and any(contains_seq(line, keys) for line in self.lines)

    def has_skill(self, keys: tuple[str, ...]) -> bool:
        """Skill support; a vendor prefix is optional ("Photoshop" ~ "Adobe Photoshop")."""
        if self.has_keys(keys):
            return True
        rest = keys[1:]
        if len(keys) < 2 or keys[0] not in p.VENDORS or rest[0] in p.GENERIC_PRODUCT_WORDS:
            return False
        return self.has_keys(rest)

    def has_degree(self, level: str, flavor: str | None) -> bool:
        """A degree of the same level, and the same kind when both name one (B.S. vs B.A.)."""
        return any(
            lvl == level and (flavor is None or fl is None or fl == flavor)
            for lvl, fl in self.degrees
        )

    def has_duration(self, value: float, unit: str) -> bool:
        """The same duration; "18 months" is also supported by 1.5 years."""
        return (value, unit) in self.durations or (
            unit == "month" and (value / 12, "year") in self.durations
        )

    def has_date(self, year: int, month: int | None) -> bool:
        return (year, month) in self.months if month else year in self.years
