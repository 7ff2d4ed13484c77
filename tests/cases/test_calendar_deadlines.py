"""The deadline engine (``antq.cases.deadlines`` over ``antq.cases.calendar``) against real
dates, each row worked out by hand from the calendar and citing the article it checks.

The rules are the seeded ones (migration 0002), read as plain values: the rows check the
counting and the seeded numbers together. A few rows go through the services and read the
stored ``CaseDeadline`` rows, so the wiring (rule chosen on the stage's first day, calendar
overrides from ``CalendarDay``, suspensions recorded by transitions) is checked too.

Calendars used by hand (Monday first):

    02/2026  Mo Tu We Th Fr Sa Su        04/2026  Mo Tu We Th Fr Sa Su
                               1                         1  2  3  4  5
              2  3  4  5  6  7  8                  6  7  8  9 10 11 12
              9 10 11 12 13 14 15                 13 14 15 16 17 18 19
             16 17 18 19 20 21 22  Tết 16–20      20 21 22 23 24 25 26  Giỗ Tổ 26 (CN)
             23 24 25 26 27 28                    27 28 29 30           bù 27; 30/4

    03/2026  Mo Tu We Th Fr Sa Su        05/2026  Mo Tu We Th Fr Sa Su
                               1                               1  2  3  1/5
              2  3  4  5  6  7  8                  4  5  6  7  8  9 10
              9 10 11 12 13 14 15                 11 12 13 14 15 16 17
             16 17 18 19 20 21 22                 18 19 20 21 22 23 24
             23 24 25 26 27 28 29                 25 26 27 28 29 30 31
             30 31

    07/2026  Mo Tu We Th Fr Sa Su        08/2026  Mo Tu We Th Fr Sa Su
                   1  2  3  4  5                                 1  2
              6  7  8  9 10 11 12                  3  4  5  6  7  8  9
             13 14 15 16 17 18 19                 10 11 12 13 14 15 16
             20 21 22 23 24 25 26                 17 18 19 20 21 22 23  T7 22 làm bù
             27 28 29 30 31                       24 25 26 27 28 29 30
                                                  31                    nghỉ bù 31/8
    09/2026  Tu 1, We 2 off (Quốc khánh); Th 3 working.

    01/2027  Fr 1 off; Mo 4, 11, 18, 25     02/2027  Mo Tu We Th Fr Sa Su
                                                      1  2  3  4  5  6  7  Tết 04–10
    04/2027  Mo Tu We Th Fr Sa Su                     8  9 10 11 12 13 14
                       1  2  3  4                    15 16 17 18 19 20 21
              5  6  7  8  9 10 11                    22 23 24 25 26 27 28
             12 13 14 15 16 17 18  Giỗ Tổ 16 (T6)
             19 20 21 22 23 24 25                05/2027  Sa 1 off, Mo 3 nghỉ bù;
             26 27 28 29 30        30/4 (T6)               Mo 10, 17, 24, 31
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antq.cases import services
from antq.cases.calendar import WorkCalendar, make_calendar
from antq.cases.deadlines import MAX_DAYS, Period, days_for, due_date, rule_for
from antq.cases.models import CalendarDay, CalendarDayKind, CaseDeadline, DeadlineRule
from antq.cases.services import SealedInput
from antq.cases.status import CaseChannel, CaseKind, CaseStatus, Complexity, DayCount, Stage

D = dt.date
CAL = make_calendar()


@dataclasses.dataclass
class SeedRule:
    """A seeded ``DeadlineRule`` as plain values (the engine's ``Rule`` protocol)."""

    kind: str
    stage: str
    private_enterprise: bool
    law: str
    article: str
    effective_from: dt.date
    day_count: str
    days: int
    complex_days: int | None
    remote_days: int | None
    remote_complex_days: int | None
    extension_days: int
    extensions_complex: int
    extensions_very_complex: int


def _seeded() -> list[SeedRule]:
    seed = importlib.import_module("antq.cases.migrations.0002_deadline_rules")
    rules = []
    for row in seed.RULES:
        values = list(row[:-1])  # the note is not needed
        values[5] = dt.date.fromisoformat(values[5])
        rules.append(SeedRule(*values))
    return rules


RULES = _seeded()


@dataclasses.dataclass(frozen=True)
class Row:
    basis: str
    kind: str
    stage: str
    start: dt.date
    days: int  # the length days_for must give
    due: dt.date  # worked out by hand
    complexity: str = Complexity.NORMAL
    remote: bool = False
    extensions: int = 0
    private: bool = False
    suspensions: tuple[Period, ...] = ()
    law: str = ""  # the law of the rule that must be chosen, when the row is about it


DEN = CaseKind.DENUNCIATION
KN1 = CaseKind.COMPLAINT_FIRST
KN2 = CaseKind.COMPLAINT_SECOND
ACC = Stage.ACCEPTANCE
RES = Stage.RESOLUTION
CX = Complexity.COMPLEX
VCX = Complexity.VERY_COMPLEX

ROWS = [
    # -- working days across Tết 2026 (off Mon 16 – Fri 20/02) --------------------------------
    # Received Fri 13/02. Sat 14, Sun 15, Tết 16–20, Sat 21, Sun 22 skipped; Mon 23 (1),
    # 24 (2), 25 (3), 26 (4), 27 (5), Mon 02/03 (6), Tue 03/03 (7).
    Row("Luật Tố cáo 2018 Điều 24 khoản 1", DEN, ACC, D(2026, 2, 13), 7, D(2026, 3, 3)),
    # Received Wed 11/02: Thu 12 (1), Fri 13 (2), 14–22 skipped, 23–27 (3–7),
    # Mon 02/03 (8), 03/03 (9), 04/03 (10).
    Row("Luật Khiếu nại 2011 Điều 27", KN1, ACC, D(2026, 2, 11), 10, D(2026, 3, 4)),
    # Complex denunciation needing verification: 10 working days from Fri 13/02:
    # 23–27 (1–5), 02/03–06/03 (6–10).
    Row(
        "Luật Tố cáo 2018 Điều 24 khoản 1 (cần xác minh)",
        DEN,
        ACC,
        D(2026, 2, 13),
        10,
        D(2026, 3, 6),
        complexity=CX,
    ),
    # -- calendar days whose last day is a day off (BLDS 2015 Điều 148 khoản 5) ---------------
    # Accepted Tue 20/01: 21–31/01 is 11 days, 01–19/02 makes 30 → Thu 19/02, Tết; Fri 20
    # Tết, Sat 21, Sun 22 → Mon 23/02.
    Row(
        "Luật Tố cáo 2018 Điều 30; BLDS 2015 Điều 148 khoản 5",
        DEN,
        RES,
        D(2026, 1, 20),
        30,
        D(2026, 2, 23),
    ),
    # Tết days are counted in a calendar-day period: from Thu 05/02, 06–28/02 is 23 days,
    # 01–07/03 makes 30 → Sat 07/03 → Mon 09/03.
    Row(
        "Luật Khiếu nại 2011 Điều 28; BLDS 2015 Điều 148 khoản 5",
        KN1,
        RES,
        D(2026, 2, 5),
        30,
        D(2026, 3, 9),
    ),
    # From Fri 27/03: 28–31/03 is 4 days, 01–26/04 makes 30 → Sun 26/04 Giỗ Tổ; Mon 27/04
    # observed → Tue 28/04.
    Row(
        "Luật Khiếu nại 2011 Điều 28; BLDS 2015 Điều 148 khoản 5",
        KN1,
        RES,
        D(2026, 3, 27),
        30,
        D(2026, 4, 28),
    ),
    # From Sat 01/08: 02–31/08 is 30 → Mon 31/08, swapped day off; 01/09 and 02/09 Quốc
    # khánh → Thu 03/09.
    Row(
        "Luật Khiếu nại 2011 Điều 28; BLDS 2015 Điều 148 khoản 5",
        KN1,
        RES,
        D(2026, 8, 1),
        30,
        D(2026, 9, 3),
    ),
    # -- working days across Giỗ Tổ 2026 and 30/4–1/5 -------------------------------------------
    # From Fri 24/04: Sat 25, Sun 26 (Giỗ Tổ), Mon 27 (observed) skipped; Tue 28 (1),
    # Wed 29 (2); Thu 30/04, Fri 01/05, Sat 02, Sun 03 skipped; Mon 04 (3) … Fri 08/05 (7).
    Row("Luật Tố cáo 2018 Điều 24 khoản 1", DEN, ACC, D(2026, 4, 24), 7, D(2026, 5, 8)),
    # -- 2/9/2026 and the swap of Mon 31/08 with Sat 22/08 (worked) -------------------------------
    # From Thu 20/08, 5 working days: Fri 21 (1), Sat 22 worked (2), Sun 23 skipped,
    # Mon 24 (3), Tue 25 (4), Wed 26 (5). Without the swap it would be Thu 27/08.
    Row("Luật Tố cáo 2018 Điều 24 khoản 3", DEN, Stage.TRANSFER, D(2026, 8, 20), 5, D(2026, 8, 26)),
    # Conclusion Fri 21/08, 7 working days to publish: Sat 22 (1), Mon 24–Fri 28 (2–6);
    # Sat 29, Sun 30, Mon 31 (swap), Tue 01/09, Wed 02/09 skipped; Thu 03/09 (7).
    Row("Luật Tố cáo 2018 Điều 40", DEN, Stage.PUBLICATION, D(2026, 8, 21), 7, D(2026, 9, 3)),
    # -- Tết 2027 (off Thu 04 – Wed 10/02/2027) ---------------------------------------------------
    # Received Mon 01/02/2027: Tue 02 (1), Wed 03 (2), 04–10 skipped, Thu 11 (3), Fri 12 (4),
    # Mon 15 (5) … Fri 19 (9), Mon 22 (10).
    Row("Luật Khiếu nại 2011 Điều 36", KN2, ACC, D(2027, 2, 1), 10, D(2027, 2, 22)),
    # Accepted Wed 06/01/2027: 07–31/01 is 25 days, 01–05/02 makes 30 → Fri 05/02, Tết;
    # 06–10 Tết → Thu 11/02.
    Row(
        "Luật Tố cáo 2018 Điều 30; BLDS 2015 Điều 148 khoản 5",
        DEN,
        RES,
        D(2027, 1, 6),
        30,
        D(2027, 2, 11),
    ),
    # -- Giỗ Tổ 2027 (Fri 16/04) and 30/4–1/5/2027 (Fri 30/04, Sat 01/05, observed Mon 03/05) -----
    # Internal conflict, 5 working days from Tue 13/04: Wed 14 (1), Thu 15 (2), Fri 16
    # skipped, Mon 19 (3), Tue 20 (4), Wed 21 (5).
    Row(
        "Quy định nội bộ Công an thành phố",
        CaseKind.INTERNAL,
        ACC,
        D(2027, 4, 13),
        5,
        D(2027, 4, 21),
    ),
    # From Wed 28/04: Thu 29 (1), Fri 30, Sat 01, Sun 02, Mon 03 skipped, Tue 04 (2) …
    # Fri 07 (5), Mon 10 (6), Tue 11/05 (7).
    Row("Luật Tố cáo 2018 Điều 24 khoản 1", DEN, ACC, D(2027, 4, 28), 7, D(2027, 5, 11)),
    # -- plain weekends ---------------------------------------------------------------------------
    # From Thu 05/03: Fri 06 (1), Mon 09 (2) … Fri 13 (6), Mon 16 (7).
    Row("Luật Tố cáo 2018 Điều 24 khoản 1", DEN, ACC, D(2026, 3, 5), 7, D(2026, 3, 16)),
    # -- complex, remote (Luật Khiếu nại Điều 28: 30/45/45/60; Điều 37: 45/60/60/70) -------------
    # From Mon 02/03: 03–31/03 is 29 days, 01–30/04 is 30 (59), 01/05 is the 60th: Fri 01/05
    # off, Sat 02, Sun 03 → Mon 04/05.
    Row(
        "Luật Khiếu nại 2011 Điều 28 (vùng sâu, phức tạp)",
        KN1,
        RES,
        D(2026, 3, 2),
        60,
        D(2026, 5, 4),
        complexity=CX,
        remote=True,
    ),
    # From Mon 02/03: 29 days of March, 16th of April is the 45th → Thu 16/04.
    Row(
        "Luật Khiếu nại 2011 Điều 28 (vùng sâu)",
        KN1,
        RES,
        D(2026, 3, 2),
        45,
        D(2026, 4, 16),
        remote=True,
    ),
    # From Tue 10/03: 11–31/03 is 21 days, 24/04 is the 45th → Fri 24/04.
    Row(
        "Luật Khiếu nại 2011 Điều 28 (phức tạp)",
        KN1,
        RES,
        D(2026, 3, 10),
        45,
        D(2026, 4, 24),
        complexity=CX,
    ),
    # From Tue 10/03: 11–31/03 is 21 days, 01–09/04 makes 30 → Thu 09/04.
    Row("Luật Khiếu nại 2011 Điều 28", KN1, RES, D(2026, 3, 10), 30, D(2026, 4, 9)),
    # From Mon 02/03: 59 days to 30/04, 11/05 is the 70th → Mon 11/05.
    Row(
        "Luật Khiếu nại 2011 Điều 37 (vùng sâu, phức tạp)",
        KN2,
        RES,
        D(2026, 3, 2),
        70,
        D(2026, 5, 11),
        complexity=VCX,
        remote=True,
    ),
    # 45 days from Mon 02/03 → Thu 16/04 (as above).
    Row("Luật Khiếu nại 2011 Điều 37", KN2, RES, D(2026, 3, 2), 45, D(2026, 4, 16)),
    # 60 days from Mon 02/03 → Fri 01/05 (off) → Mon 04/05.
    Row(
        "Luật Khiếu nại 2011 Điều 37 (phức tạp)",
        KN2,
        RES,
        D(2026, 3, 2),
        60,
        D(2026, 5, 4),
        complexity=CX,
    ),
    Row(
        "Luật Khiếu nại 2011 Điều 37 (vùng sâu)",
        KN2,
        RES,
        D(2026, 3, 2),
        60,
        D(2026, 5, 4),
        remote=True,
    ),
    # -- extensions (Luật Tố cáo Điều 30: +30 once if complex, twice if very complex) ----------
    # Normal: no extension counts. 30 days from Mon 02/03 → Wed 01/04.
    Row("Luật Tố cáo 2018 Điều 30", DEN, RES, D(2026, 3, 2), 30, D(2026, 4, 1), extensions=1),
    # Complex, extended once: 60 days → Fri 01/05 (off) → Mon 04/05.
    Row(
        "Luật Tố cáo 2018 Điều 30 (gia hạn một lần)",
        DEN,
        RES,
        D(2026, 3, 2),
        60,
        D(2026, 5, 4),
        complexity=CX,
        extensions=1,
    ),
    # Complex, a second extension does not count: still 60.
    Row(
        "Luật Tố cáo 2018 Điều 30 (phức tạp: chỉ một lần)",
        DEN,
        RES,
        D(2026, 3, 2),
        60,
        D(2026, 5, 4),
        complexity=CX,
        extensions=2,
    ),
    # Very complex, extended twice: 90 days. 59 days to 30/04, 31 days of May → Sun 31/05
    # → Mon 01/06.
    Row(
        "Luật Tố cáo 2018 Điều 30 (gia hạn hai lần)",
        DEN,
        RES,
        D(2026, 3, 2),
        90,
        D(2026, 6, 1),
        complexity=VCX,
        extensions=2,
    ),
    # A third extension never counts: still 90.
    Row(
        "Luật Tố cáo 2018 Điều 30 (không quá hai lần)",
        DEN,
        RES,
        D(2026, 3, 2),
        90,
        D(2026, 6, 1),
        complexity=VCX,
        extensions=3,
    ),
    # -- suspensions (Luật Tố cáo Điều 34): days from the start up to the day before the end
    # are not counted --------------------------------------------------------------------------
    # From Mon 02/03, suspended 10/03–20/03: 03–09 counted (7), 10–19 not, 20–31 (12 → 19),
    # 01–11/04 (11 → 30) → Sat 11/04 → Mon 13/04.
    Row(
        "Luật Tố cáo 2018 Điều 30, 34",
        DEN,
        RES,
        D(2026, 3, 2),
        30,
        D(2026, 4, 13),
        suspensions=((D(2026, 3, 10), D(2026, 3, 20)),),
    ),
    # From Mon 02/02, suspended 09/02–16/02: 03–08 (6), 09–15 not, 16–28 (13 → 19),
    # 01–11/03 (11 → 30) → Wed 11/03 (unsuspended it is Wed 04/03).
    Row(
        "Luật Tố cáo 2018 Điều 30, 34",
        DEN,
        RES,
        D(2026, 2, 2),
        30,
        D(2026, 3, 11),
        suspensions=((D(2026, 2, 9), D(2026, 2, 16)),),
    ),
    # Suspended 25/02–05/03, before the stage started on 02/03: 03 and 04/03 not counted;
    # 05–31/03 (27), 01–03/04 (30) → Fri 03/04.
    Row(
        "Luật Tố cáo 2018 Điều 30, 34",
        DEN,
        RES,
        D(2026, 3, 2),
        30,
        D(2026, 4, 3),
        suspensions=((D(2026, 2, 25), D(2026, 3, 5)),),
    ),
    # A suspension that ended before the stage began changes nothing: Wed 01/04.
    Row(
        "Luật Tố cáo 2018 Điều 30, 34",
        DEN,
        RES,
        D(2026, 3, 2),
        30,
        D(2026, 4, 1),
        suspensions=((D(2026, 2, 10), D(2026, 3, 2)),),
    ),
    # Working days with a suspension: 7 from Mon 02/03, suspended Wed 04 – Mon 09/03:
    # Tue 03 (1), 04–08 not, Mon 09 (2), 10 (3), 11 (4), 12 (5), 13 (6), Mon 16 (7).
    Row(
        "Luật Tố cáo 2018 Điều 24, 34",
        DEN,
        ACC,
        D(2026, 3, 2),
        7,
        D(2026, 3, 16),
        suspensions=((D(2026, 3, 4), D(2026, 3, 9)),),
    ),
    # -- private enterprises (NĐ 24/2018): the labour rows ---------------------------------------
    # 7 working days from Fri 13/02 (as the first row) → Tue 03/03.
    Row(
        "Nghị định 24/2018/NĐ-CP (thụ lý khiếu nại lần đầu)",
        KN1,
        ACC,
        D(2026, 2, 13),
        7,
        D(2026, 3, 3),
        private=True,
        law="nd24_2018",
    ),
    # The same complaint in a public body: 10 working days → 23–27/02 (1–5), 02–06/03 → Fri 06/03.
    Row(
        "Luật Khiếu nại 2011 Điều 27",
        KN1,
        ACC,
        D(2026, 2, 13),
        10,
        D(2026, 3, 6),
        law="kn2011",
    ),
    # 7 working days from Mon 01/02/2027: Tue 02, Wed 03, Thu 11, Fri 12, Mon 15, 16, 17.
    Row(
        "Nghị định 24/2018/NĐ-CP (thụ lý khiếu nại lần hai)",
        KN2,
        ACC,
        D(2027, 2, 1),
        7,
        D(2027, 2, 17),
        private=True,
        law="nd24_2018",
    ),
    # No labour row for denunciations: the Luật Tố cáo row applies (7 days → Tue 03/03/2026).
    Row(
        "Luật Tố cáo 2018 Điều 24 khoản 1",
        DEN,
        ACC,
        D(2026, 2, 13),
        7,
        D(2026, 3, 3),
        private=True,
        law="tc2018",
    ),
]


def _compute(row: Row, rules: list[SeedRule] = RULES, calendar: WorkCalendar = CAL):
    rule = rule_for(
        rules, kind=row.kind, stage=row.stage, on=row.start, private_enterprise=row.private
    )
    assert rule is not None
    days = days_for(rule, complexity=row.complexity, remote=row.remote, extensions=row.extensions)
    return rule, days, due_date(row.start, days, rule.day_count, calendar, row.suspensions)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.basis} {r.start:%d/%m/%Y}" for r in ROWS])
def test_the_engine_gives_the_hand_computed_due_date(row: Row) -> None:
    rule, days, due = _compute(row)
    if row.law:
        assert rule.law == row.law
    assert days == row.days
    assert due == row.due, f"{row.basis}: {due:%d/%m/%Y} instead of {row.due:%d/%m/%Y}"


# (day, working?, basis): the calendar itself.
DAYS = [
    (D(2026, 2, 13), True, "Thứ Sáu trước Tết 2026"),
    (D(2026, 2, 14), False, "Thứ Bảy"),
    (D(2026, 2, 16), False, "Tết Nguyên đán 2026, BLLĐ 2019 Điều 112"),
    (D(2026, 2, 20), False, "Tết Nguyên đán 2026, BLLĐ 2019 Điều 112"),
    (D(2026, 2, 23), True, "ngày làm việc đầu tiên sau Tết 2026"),
    (D(2026, 4, 26), False, "Giỗ Tổ Hùng Vương 2026 (Chủ nhật), BLLĐ 2019 Điều 112"),
    (D(2026, 4, 27), False, "nghỉ bù Giỗ Tổ 2026, BLLĐ 2019 Điều 112 khoản 3"),
    (D(2026, 4, 28), True, "sau nghỉ bù Giỗ Tổ 2026"),
    (D(2026, 4, 30), False, "Ngày Chiến thắng, BLLĐ 2019 Điều 112"),
    (D(2026, 5, 1), False, "Quốc tế lao động, BLLĐ 2019 Điều 112"),
    (D(2026, 8, 22), True, "Thứ Bảy làm bù cho 31/08/2026"),
    (D(2026, 8, 31), False, "nghỉ hoán đổi với 22/08/2026"),
    (D(2026, 9, 1), False, "Quốc khánh 2026, BLLĐ 2019 Điều 112"),
    (D(2026, 9, 2), False, "Quốc khánh 2026, BLLĐ 2019 Điều 112"),
    (D(2026, 9, 3), True, "sau Quốc khánh 2026"),
    (D(2027, 2, 3), True, "trước Tết 2027"),
    (D(2027, 2, 4), False, "Tết Nguyên đán 2027"),
    (D(2027, 2, 10), False, "Tết Nguyên đán 2027"),
    (D(2027, 2, 11), True, "sau Tết 2027"),
    (D(2027, 4, 16), False, "Giỗ Tổ Hùng Vương 2027 (Thứ Sáu)"),
    (D(2027, 5, 3), False, "nghỉ bù 01/05/2027 (Thứ Bảy)"),
]


@pytest.mark.parametrize(("day", "working", "basis"), DAYS, ids=[f"{d:%d/%m/%Y}" for d, *_ in DAYS])
def test_the_calendar_knows_the_days_off_and_the_days_worked(
    day: dt.date, working: bool, basis: str
) -> None:
    assert CAL.is_working_day(day) is working, basis


# -- overrides (CalendarDay) ------------------------------------------------------------------

TUE_10_03 = D(2026, 3, 10)
SAT_07_03 = D(2026, 3, 7)


@pytest.mark.parametrize(
    ("overrides", "due"),
    [
        # 7 working days from Thu 05/03 (Luật Tố cáo Điều 24): Mon 16/03 (row above).
        ((), D(2026, 3, 16)),
        # Tue 10/03 off: Fri 06 (1), Mon 09 (2), Wed 11 (3), 12 (4), 13 (5), Mon 16 (6), 17 (7).
        (((TUE_10_03, False),), D(2026, 3, 17)),
        # Sat 07/03 worked: Fri 06 (1), Sat 07 (2), Mon 09 (3) … Fri 13 (7).
        (((SAT_07_03, True),), D(2026, 3, 13)),
    ],
    ids=["no override", "extra day off", "worked Saturday"],
)
def test_a_calendar_override_moves_a_working_day_deadline(overrides, due) -> None:
    calendar = make_calendar(overrides)
    assert due_date(D(2026, 3, 5), 7, DayCount.WORKING, calendar) == due


def test_a_calendar_period_ending_on_an_extra_day_off_ends_on_the_next_working_day() -> None:
    # 30 days from Sun 08/02: 09–28/02 (20), 01–10/03 (30) → Tue 10/03 (BLDS Điều 148 khoản 5).
    assert due_date(D(2026, 2, 8), 30, DayCount.CALENDAR, CAL) == TUE_10_03
    off = make_calendar([(TUE_10_03, False)])
    assert due_date(D(2026, 2, 8), 30, DayCount.CALENDAR, off) == D(2026, 3, 11)


def test_an_override_wins_over_the_holidays_package() -> None:
    # The government may cancel a swap or call a holiday a working day; the row decides.
    calendar = make_calendar([(D(2026, 8, 22), False), (D(2026, 2, 17), True)])
    assert calendar.is_working_day(D(2026, 8, 22)) is False
    assert calendar.is_working_day(D(2026, 2, 17)) is True
    assert calendar.next_working_day(D(2026, 2, 14)) == D(2026, 2, 17)


# -- the rule in force on the day a stage starts (Luật 136/2025 from 01/07/2026) ------------

# A hypothetical amendment shortening the first handling of a denunciation to 5 working days.
L136_ACCEPTANCE = dataclasses.replace(
    next(r for r in RULES if (r.kind, r.stage, r.private_enterprise) == (DEN, ACC, False)),
    law="l136_2025",
    article="Điều 1 (sửa Điều 24)",
    effective_from=D(2026, 7, 1),
    days=5,
)


@pytest.mark.parametrize(
    ("start", "law", "due"),
    [
        # Tue 30/06, 7 days: Wed 01/07 (1), 02, 03 (3), Mon 06 (4) … Thu 09/07 (7).
        (D(2026, 6, 30), "tc2018", D(2026, 7, 9)),
        # Wed 01/07, 5 days: Thu 02 (1), Fri 03 (2), Mon 06 (3), 07 (4), Wed 08/07 (5).
        (D(2026, 7, 1), "l136_2025", D(2026, 7, 8)),
        # Thu 02/07, 5 days: Fri 03 (1), Mon 06 (2) … Thu 09/07 (5).
        (D(2026, 7, 2), "l136_2025", D(2026, 7, 9)),
    ],
)
def test_a_later_rule_applies_only_to_stages_starting_on_or_after_its_date(
    start: dt.date, law: str, due: dt.date
) -> None:
    rule = rule_for([*RULES, L136_ACCEPTANCE], kind=DEN, stage=ACC, on=start)
    assert rule is not None and rule.law == law
    days = days_for(rule, complexity=Complexity.NORMAL, remote=False)
    assert due_date(start, days, rule.day_count, CAL) == due


def test_no_rule_is_in_force_before_the_law() -> None:
    assert rule_for(RULES, kind=DEN, stage=ACC, on=D(2018, 12, 31)) is None
    assert rule_for(RULES, kind=DEN, stage=ACC, on=D(2019, 1, 1)) is not None


@pytest.mark.parametrize("days", [0, -1, MAX_DAYS + 1])
def test_a_period_outside_one_to_max_days_is_refused(days: int) -> None:
    with pytest.raises(ValueError):
        due_date(D(2026, 3, 2), days, DayCount.CALENDAR, CAL)


def test_an_open_suspension_stops_the_clock() -> None:
    assert due_date(D(2026, 3, 2), 30, DayCount.CALENDAR, CAL, [(D(2026, 3, 10), None)]) is None


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        # 30 days from Mon 02/03 end Wed 01/04 (Luật Tố cáo Điều 30).
        (D(2026, 3, 10), None),  # opened while the time ran: it stands still
        (D(2026, 4, 1), None),  # opened on the last day: that day is not counted
        (D(2026, 4, 2), D(2026, 4, 1)),  # the day after: the deadline had passed
        (D(2026, 4, 15), D(2026, 4, 1)),  # a suspension gives no time back (Điều 34)
    ],
)
def test_a_suspension_opened_after_the_deadline_leaves_it_in_place(opened, due) -> None:
    assert due_date(D(2026, 3, 2), 30, DayCount.CALENDAR, CAL, [(opened, None)]) == due


# -- properties ----------------------------------------------------------------------------------

starts = st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
counts = st.sampled_from([DayCount.WORKING, DayCount.CALENDAR])


@st.composite
def closed_suspensions(draw: st.DrawFn) -> list[Period]:
    result: list[Period] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        begin = draw(st.dates(min_value=D(2024, 12, 1), max_value=D(2028, 6, 30)))
        length = draw(st.integers(min_value=0, max_value=60))
        result.append((begin, begin + dt.timedelta(days=length)))
    return result


@settings(deadline=None)
@given(start=starts, a=lengths, b=lengths, count=counts)
def test_a_longer_period_never_ends_earlier(start, a, b, count) -> None:
    short, long = sorted((a, b))
    first = due_date(start, short, count, CAL)
    second = due_date(start, long, count, CAL)
    assert first is not None and second is not None
    assert first <= second
    if count == DayCount.WORKING and short < long:
        assert first < second


@settings(deadline=None)
@given(start=starts, days=lengths, suspensions=closed_suspensions())
def test_a_working_day_count_ends_on_a_working_day_outside_any_suspension(
    start, days, suspensions
) -> None:
    due = due_date(start, days, DayCount.WORKING, CAL, suspensions)
    assert due is not None and due > start
    assert CAL.is_working_day(due)
    assert not any(begin <= due < end for begin, end in suspensions if end > start)


@settings(deadline=None)
@given(start=starts, days=lengths, suspensions=closed_suspensions())
def test_a_calendar_day_count_ends_on_a_working_day(start, days, suspensions) -> None:
    due = due_date(start, days, DayCount.CALENDAR, CAL, suspensions)
    assert due is not None and due >= start + dt.timedelta(days=days)
    assert CAL.is_working_day(due)


@settings(deadline=None)
@given(start=starts, days=lengths, count=counts, suspensions=closed_suspensions())
def test_a_suspension_never_makes_a_deadline_earlier(start, days, count, suspensions) -> None:
    plain = due_date(start, days, count, CAL)
    suspended = due_date(start, days, count, CAL, suspensions)
    assert plain is not None and suspended is not None
    assert suspended >= plain


@settings(deadline=None)
@given(start=starts, days=lengths, opened=st.integers(min_value=-10, max_value=200))
def test_an_open_suspension_blanks_a_deadline_only_if_it_began_in_time(start, days, opened) -> None:
    plain = due_date(start, days, DayCount.WORKING, CAL)
    assert plain is not None
    begin = start + dt.timedelta(days=opened)
    suspended = due_date(start, days, DayCount.WORKING, CAL, [(begin, None)])
    assert suspended == (None if begin <= plain else plain)


@settings(deadline=None)
@given(
    start=starts,
    days=st.integers(min_value=1, max_value=60),
    begin=st.integers(min_value=1, max_value=40),
    length=st.integers(min_value=1, max_value=20),
)
def test_a_calendar_day_suspension_inside_the_period_adds_its_length(
    start, days, begin, length
) -> None:
    # Without the BLDS Điều 148 khoản 5 adjustment, the last counted day moves by exactly the
    # suspended days when the suspension starts before the period would end.
    first = start + dt.timedelta(days=begin)
    last_plain = start + dt.timedelta(days=days)
    period = (first, first + dt.timedelta(days=length))
    every_day = WorkCalendar(extra_working=frozenset(_span(start, 120)))
    moved = due_date(start, days, DayCount.CALENDAR, every_day, [period])
    expected = last_plain + dt.timedelta(days=length) if first <= last_plain else last_plain
    assert moved == expected


def _span(start: dt.date, days: int) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range(days)]


# -- through the services and the database ----------------------------------------------------


def _register(cast, *, kind: str = DEN, received_on: dt.date, **fields):
    if kind == DEN:
        fields.setdefault("sealed", SealedInput(name="Nguyễn Văn Tố"))
    return services.case_register(
        actor=cast.department,
        kind=kind,
        subject="Tố cáo cán bộ thu tiền sai quy định",
        content="Nội dung đơn.",
        channel=CaseChannel.DIRECT,
        received_on=received_on,
        unit=fields.pop("unit", cast.unit_x),
        **fields,
    )


def _due(case, stage: str) -> CaseDeadline:
    return case.deadlines.get(stage=stage)


def test_a_registered_denunciation_gets_its_acceptance_deadline_across_tet(cast) -> None:
    # Luật Tố cáo Điều 24 khoản 1: received Fri 13/02/2026 → Tue 03/03/2026 (first row).
    case = _register(cast, received_on=D(2026, 2, 13))
    deadline = _due(case, ACC)
    assert (deadline.starts_on, deadline.due_on, deadline.met_on) == (
        D(2026, 2, 13),
        D(2026, 3, 3),
        None,
    )
    assert deadline.rule.law == "tc2018"
    case.refresh_from_db()
    assert case.next_due_on == D(2026, 3, 3)


def test_transitions_start_stop_and_suspend_the_deadlines(cast) -> None:
    case = _register(cast, received_on=D(2026, 2, 27))
    move = services.case_transition
    move(case=case, to=CaseStatus.INITIAL, actor=cast.department, on=D(2026, 2, 27))
    move(case=case, to=CaseStatus.ACCEPTED, actor=cast.department, on=D(2026, 3, 2))
    # Acceptance met on Mon 02/03; notice (Điều 29 khoản 3, 5 working days): Tue 03 (1) …
    # Fri 06 (4), Mon 09/03 (5); resolution (Điều 30, 30 days): Wed 01/04.
    assert _due(case, ACC).met_on == D(2026, 3, 2)
    assert _due(case, Stage.NOTICE).due_on == D(2026, 3, 9)
    assert _due(case, RES).due_on == D(2026, 4, 1)
    move(case=case, to=CaseStatus.VERIFYING, actor=cast.department, on=D(2026, 3, 5))
    move(
        case=case,
        to=CaseStatus.SUSPENDED,
        actor=cast.department,
        reason="Chờ kết quả giám định",
        on=D(2026, 3, 10),
    )
    assert _due(case, RES).due_on is None
    move(
        case=case,
        to=CaseStatus.VERIFYING,
        actor=cast.department,
        reason="Đã có kết quả giám định",
        on=D(2026, 3, 20),
    )
    # Suspended 10/03–20/03: 10 days not counted → Sat 11/04 → Mon 13/04 (table row).
    assert _due(case, RES).due_on == D(2026, 4, 13)
    case.refresh_from_db()
    assert case.next_due_on == D(2026, 3, 9)  # the notice is still open


def test_extensions_lengthen_the_resolution_and_a_third_is_refused(cast) -> None:
    from django.core.exceptions import ValidationError

    case = _register(cast, received_on=D(2026, 2, 27), complexity=VCX)
    move = services.case_transition
    for to, on in [
        (CaseStatus.INITIAL, D(2026, 2, 27)),
        (CaseStatus.ACCEPTED, D(2026, 3, 2)),
        (CaseStatus.VERIFYING, D(2026, 3, 3)),
    ]:
        move(case=case, to=to, actor=cast.department, on=on)
    assert _due(case, RES).due_on == D(2026, 4, 1)  # 30 days
    reason = "Vụ việc đặc biệt phức tạp"
    move(case=case, to=CaseStatus.EXTENDED, actor=cast.department, reason=reason, on=D(2026, 3, 30))
    assert _due(case, RES).due_on == D(2026, 5, 4)  # 60 days → Fri 01/05 off → Mon 04/05
    move(case=case, to=CaseStatus.EXTENDED, actor=cast.department, reason=reason, on=D(2026, 4, 28))
    assert _due(case, RES).due_on == D(2026, 6, 1)  # 90 days → Sun 31/05 → Mon 01/06
    with pytest.raises(ValidationError) as refused:
        move(case=case, to=CaseStatus.EXTENDED, actor=cast.department, reason=reason)
    assert "đã gia hạn 2 lần, luật cho phép 2 lần" in refused.value.message_dict["to"][0]
    case.refresh_from_db()
    assert (case.extensions, _due(case, RES).due_on) == (2, D(2026, 6, 1))


def test_a_complex_complaint_in_a_remote_area_gets_sixty_days(cast) -> None:
    # Luật Khiếu nại Điều 28: accepted Mon 02/03/2026, 60 days → Fri 01/05 → Mon 04/05.
    case = _register(cast, kind=KN1, received_on=D(2026, 2, 27), complexity=CX, remote_area=True)
    services.case_transition(
        case=case, to=CaseStatus.INITIAL, actor=cast.department, on=D(2026, 2, 27)
    )
    services.case_transition(
        case=case, to=CaseStatus.ACCEPTED, actor=cast.department, on=D(2026, 3, 2)
    )
    assert _due(case, RES).due_on == D(2026, 5, 4)


def test_a_complaint_in_a_private_enterprise_runs_on_the_labour_rules(cast) -> None:
    from antq.registry.status import UnitKind
    from tests.factories import make_unit

    firm = make_unit(area=cast.ward_a, kind=UnitKind.PRIVATE_ENTERPRISE, name="Công ty TNHH An Phú")
    case = _register(cast, kind=KN1, received_on=D(2026, 2, 13), unit=firm)
    assert case.private_enterprise is True
    deadline = _due(case, ACC)
    # NĐ 24/2018: 7 working days from Fri 13/02 → Tue 03/03 (a public body: Fri 06/03).
    assert (deadline.rule.law, deadline.due_on) == ("nd24_2018", D(2026, 3, 3))


def test_a_calendar_day_row_moves_the_stored_deadline(cast) -> None:
    CalendarDay.objects.create(day=TUE_10_03, kind=CalendarDayKind.OFF, note="Nghỉ thêm")
    case = _register(cast, received_on=D(2026, 3, 5))
    assert _due(case, ACC).due_on == D(2026, 3, 17)  # the override row above


def test_a_new_rule_row_applies_to_stages_that_start_after_its_date(cast) -> None:
    DeadlineRule.objects.create(
        law="l136_2025",
        article="Điều 1 (sửa Điều 24)",
        kind=DEN,
        stage=ACC,
        effective_from=D(2026, 7, 1),
        day_count=DayCount.WORKING,
        days=5,
        complex_days=8,
    )
    before = _register(cast, received_on=D(2026, 6, 30))
    after = _register(cast, received_on=D(2026, 7, 1))
    assert (_due(before, ACC).rule.law, _due(before, ACC).due_on) == ("tc2018", D(2026, 7, 9))
    assert (_due(after, ACC).rule.law, _due(after, ACC).due_on) == ("l136_2025", D(2026, 7, 8))
    # Recomputing later (complexity changed) keeps the rule the stage started under:
    # tc2018 complex = 10 working days from Tue 30/06: 01–03/07 (3), 06–10/07 (8), 13, 14/07.
    services.case_update(case=before, actor=cast.department, data={"complexity": CX})
    assert (_due(before, ACC).rule.law, _due(before, ACC).due_on) == ("tc2018", D(2026, 7, 14))
