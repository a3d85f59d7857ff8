"""HR outcomes: importing them from a CSV file (every bad row reported by line, column and
reason; nothing written unless the whole file is good or skipping bad rows was asked for),
comparing the promotion and retention of a program's participants with comparable colleagues,
and the ROI estimate built on that comparison."""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from trellis import csvfiles
from trellis.enrolment.models import Participant
from trellis.mentorships.models import Mentorship
from trellis.people.models import Person
from trellis.programs.models import Program

from .figures import MIN_GROUP_SIZE, PUBLISHED, Table
from .models import Outcome, OutcomeImport, OutcomeKind, ReportSettings

# ----------------------------------------------------------------------------------- import

COLUMNS = {
    "employee_id": ("employee id", "employee_id", "employee number", "emp id", "id"),
    "email": ("email", "e-mail", "work email", "email address"),
    "kind": ("kind", "outcome", "event", "type", "change"),
    "date": ("date", "effective date", "occurred on", "when"),
    "new_title": ("new title", "title", "new job title", "job title"),
    "new_level": ("new level", "level", "grade"),
    "note": ("note", "notes", "comment", "reason"),
}
KIND_WORDS = {
    "promotion": OutcomeKind.PROMOTION,
    "promoted": OutcomeKind.PROMOTION,
    "role change": OutcomeKind.ROLE_CHANGE,
    "rolechange": OutcomeKind.ROLE_CHANGE,
    "role_change": OutcomeKind.ROLE_CHANGE,
    "transfer": OutcomeKind.ROLE_CHANGE,
    "lateral move": OutcomeKind.ROLE_CHANGE,
    "exit": OutcomeKind.EXIT,
    "left": OutcomeKind.EXIT,
    "leaver": OutcomeKind.EXIT,
    "termination": OutcomeKind.EXIT,
    "resignation": OutcomeKind.EXIT,
}
_LEVEL = re.compile(r"^(?:[a-z]{1,6}[ \-]?)?(\d{1,3})(?:\.0+)?$", re.IGNORECASE)


class OutcomeImportError(ValueError):
    """A problem with an outcomes import that the person running it can fix."""


class OutcomeFileError(OutcomeImportError):
    """The file as a whole cannot be read."""


class InvalidOutcomeRowsError(OutcomeImportError):
    def __init__(self, result: OutcomeImportResult):
        self.result = result
        self.valid_rows = result.rows_read - result.bad_rows
        super().__init__(
            f"{result.bad_rows:,} bad row{'s' if result.bad_rows != 1 else ''}: "
            "nothing was imported."
        )


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass
class OutcomeImportResult:
    rows_read: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def bad_rows(self) -> int:
        return len({e.line for e in self.errors})

    def summary_line(self) -> str:
        bad = f"{self.bad_rows:,} bad row{'s' if self.bad_rows != 1 else ''}"
        if self.applied:
            return (
                f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} "
                f"unchanged, {bad}{' skipped' if self.bad_rows else ''}"
            )
        return (
            f"would create {self.created:,}, update {self.updated:,}, leave "
            f"{self.unchanged:,} unchanged; {bad}"
        )

    def as_summary(self, limit: int = 200) -> dict:
        return {
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "by_kind": self.by_kind,
            "bad_rows": self.bad_rows,
            "errors": [asdict(e) for e in self.errors[:limit]],
        }


@dataclass
class _Row:
    line: int
    person_id: int | None = None
    kind: str = ""
    occurred_on: datetime.date | None = None
    new_title: str = ""
    new_level: int | None = None
    note: str = ""


def _lookup() -> dict[str, str]:
    return {
        csvfiles.header_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases
    }


def plan_outcomes(
    data: bytes | str, *, today: datetime.date | None = None
) -> tuple[OutcomeImportResult, list[_Row]]:
    """Read and check every row; count what applying would create, update or leave."""
    today = today or timezone.localdate()
    try:
        text = csvfiles.decode(data)
        reader, header = csvfiles.read_header(text, _lookup())
    except csvfiles.CsvFileError as exc:
        raise OutcomeFileError(str(exc)) from None
    if "employee_id" not in header.columns and "email" not in header.columns:
        raise OutcomeFileError(
            "The file needs a column naming the person: 'employee_id' or 'email'."
        )
    missing = [name for name in ("kind", "date") if name not in header.columns]
    if missing:
        raise OutcomeFileError(
            "Missing column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing) + "."
        )
    result = OutcomeImportResult(columns=header.columns, ignored_columns=header.ignored)
    by_employee = dict(Person.objects.values_list("employee_id", "pk"))
    by_email = {email.casefold(): pk for email, pk in Person.objects.values_list("email", "pk")}
    rows: list[_Row] = []
    seen: dict[tuple, int] = {}
    try:
        for line, cells in csvfiles.data_rows(reader, header):
            result.rows_read += 1
            if isinstance(cells, str):
                result.errors.append(RowError(line, "", "", cells))
                continue
            row = _check_row(line, cells, header.columns, by_employee, by_email, today, result)
            if row is None:
                continue
            key = (row.person_id, row.kind, row.occurred_on)
            if key in seen:
                result.errors.append(
                    RowError(
                        line,
                        header.columns["kind"],
                        cells.get("kind", ""),
                        f"the same {row.kind.replace('_', ' ')} of the same person on the same "
                        f"day is already on line {seen[key]}",
                    )
                )
                continue
            seen[key] = line
            rows.append(row)
    except csvfiles.CsvFileError as exc:
        raise OutcomeFileError(str(exc)) from None
    if result.rows_read == 0:
        raise OutcomeFileError("The file has a header but no rows.")
    existing = {
        (o.person_id, o.kind, o.occurred_on): o
        for o in Outcome.objects.filter(person_id__in={r.person_id for r in rows})
    }
    for row in rows:
        result.by_kind[row.kind] = result.by_kind.get(row.kind, 0) + 1
        old = existing.get((row.person_id, row.kind, row.occurred_on))
        if old is None:
            result.created += 1
        elif (old.new_title, old.new_level, old.note) != (row.new_title, row.new_level, row.note):
            result.updated += 1
        else:
            result.unchanged += 1
    return result, rows


def _check_row(line, cells, columns, by_employee, by_email, today, result) -> _Row | None:
    errors_before = len(result.errors)

    def fail(name: str, reason: str) -> None:
        result.errors.append(RowError(line, columns.get(name, name), cells.get(name, ""), reason))

    row = _Row(line)
    employee_id, email = cells.get("employee_id", ""), cells.get("email", "")
    if employee_id:
        row.person_id = by_employee.get(employee_id)
        if row.person_id is None:
            fail("employee_id", f"no one in the directory has employee id {employee_id!r}")
    elif email:
        row.person_id = by_email.get(email.casefold())
        if row.person_id is None:
            fail("email", f"no one in the directory has the email {email!r}")
    else:
        fail("employee_id" if "employee_id" in columns else "email", "the person is missing")
    kind = cells.get("kind", "")
    row.kind = KIND_WORDS.get(" ".join(kind.casefold().replace("-", " ").split()), "")
    if not row.kind:
        fail("kind", f"{kind!r} is not an outcome: use promotion, role change or exit")
    value = cells.get("date", "")
    try:
        row.occurred_on = datetime.date.fromisoformat(value)
    except ValueError:
        fail("date", f"{value!r} is not a date: write it as YYYY-MM-DD")
    else:
        if row.occurred_on > today:
            fail("date", f"{value} is in the future: import outcomes once they happen")
    row.new_title = cells.get("new_title", "")[:200]
    level = cells.get("new_level", "")
    if level:
        match = _LEVEL.match(level)
        if match is None:
            fail("new_level", f"{level!r} is not a level (a number such as 5 or L5)")
        else:
            row.new_level = int(match.group(1))
    row.note = cells.get("note", "")[:500]
    return row if len(result.errors) == errors_before else None


def import_outcomes(
    data: bytes | str,
    *,
    skip_invalid: bool = False,
    dry_run: bool = False,
    source: OutcomeImport | None = None,
) -> OutcomeImportResult:
    """Plan, then (unless a dry run) write every good row in one transaction. Bad rows stop
    the import unless `skip_invalid`; re-importing the same file changes nothing."""
    result, rows = plan_outcomes(data)
    if result.errors and not skip_invalid and not dry_run:
        raise InvalidOutcomeRowsError(result)
    if dry_run:
        return result
    with transaction.atomic():
        existing = {
            (o.person_id, o.kind, o.occurred_on): o
            for o in Outcome.objects.select_for_update().filter(
                person_id__in={r.person_id for r in rows}
            )
        }
        new, changed = [], []
        for row in rows:
            old = existing.get((row.person_id, row.kind, row.occurred_on))
            values = (row.new_title, row.new_level, row.note)
            if old is None:
                new.append(
                    Outcome(
                        person_id=row.person_id,
                        kind=row.kind,
                        occurred_on=row.occurred_on,
                        new_title=row.new_title,
                        new_level=row.new_level,
                        note=row.note,
                        source=source,
                    )
                )
            elif (old.new_title, old.new_level, old.note) != values:
                old.new_title, old.new_level, old.note = values
                changed.append(old)
        Outcome.objects.bulk_create(new, batch_size=1000)
        Outcome.objects.bulk_update(changed, ["new_title", "new_level", "note"], batch_size=1000)
        if source is not None:
            source.status = OutcomeImport.Status.APPLIED
            source.applied_at = timezone.now()
            result.applied = True
            source.summary = result.as_summary()
            source.content = ""  # HR data: keep what was done, not the file
            source.save(update_fields=["status", "applied_at", "summary", "content"])
    result.applied = True
    return result


def create_outcome_import(*, file_name: str, data: bytes, uploaded_by) -> OutcomeImport:
    """Keep an uploaded file for preview; a file that cannot be read at all is refused."""
    try:
        text = csvfiles.decode(data)
    except csvfiles.CsvFileError as exc:
        raise OutcomeFileError(str(exc)) from None
    plan_outcomes(text)  # raises OutcomeFileError for a file with no usable header or rows
    return OutcomeImport.objects.create(
        file_name=file_name[:255], content=text, uploaded_by=uploaded_by
    )


def apply_outcome_import(upload: OutcomeImport, *, skip_invalid: bool) -> OutcomeImportResult:
    with transaction.atomic():
        upload = OutcomeImport.objects.select_for_update().get(pk=upload.pk)
        if upload.is_applied:
            raise OutcomeImportError("This file was already imported.")
        return import_outcomes(upload.content, skip_invalid=skip_invalid, source=upload)


# ------------------------------------------------------------------------------- comparison

Z_95 = 1.959963984540054
TENURE_BANDS = ((1, "under 1 year"), (3, "1-3 years"), (5, "3-5 years"), (10, "5-10 years"))


def tenure_band(hire_date: datetime.date | None, on: datetime.date) -> str:
    if hire_date is None:
        return "unknown"
    years = (on - hire_date).days / 365.25
    for limit, label in TENURE_BANDS:
        if years < limit:
            return label
    return "10 years or more"


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 %)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class RateComparison:
    """One outcome: participants' rate and comparable colleagues' (standardised to the
    participants' mix of strata), with 95 % intervals; rates are shares in [0, 1]."""

    outcome: str
    participants: float
    participants_low: float
    participants_high: float
    comparison: float
    comparison_low: float
    comparison_high: float
    difference: float
    difference_low: float
    difference_high: float
    participant_events: int
    comparison_events: int
    participant_count: int
    comparison_count: int

    @property
    def interval_includes_zero(self) -> bool:
        return self.difference_low <= 0 <= self.difference_high

    @property
    def few_events(self) -> bool:
        """Fewer than 5 of the rarer outcome on either side (for retention: exits), where the
        normal approximation behind the intervals is rough."""
        return (
            min(
                self.participant_events,
                self.participant_count - self.participant_events,
                self.comparison_events,
                self.comparison_count - self.comparison_events,
            )
            < 5
        )


@dataclass
class OutcomeComparison:
    start: datetime.date | None
    end: datetime.date
    participants: int = 0  # in a published pair, eligible
    matched: int = 0  # with at least one comparable colleague
    unmatched: int = 0
    comparison_people: int = 0  # comparable colleagues used
    strata: int = 0
    excluded_unknown: int = 0  # inactive people with no exit recorded
    hired_after_start: int = 0  # participants who joined the organisation after the start
    promotion: RateComparison | None = None
    retention: RateComparison | None = None
    reason: str = ""  # why there is no comparison

    @property
    def has_data(self) -> bool:
        return self.promotion is not None


def _smoothed(events: int, n: int) -> float:
    """The share with one event and one non-event added (Agresti and Caffo): used for the
    variances only, so a small group with no event still carries uncertainty."""
    return (events + 1) / (n + 2)


def _compare(
    name: str,
    groups: dict[tuple, tuple[list[bool], list[bool]]],
) -> RateComparison:
    """Standardise the comparison group to the participants' strata (weights n1_s / n1).

    Rates are the plain shares; the intervals of the comparison rate and of the difference
    are normal approximations whose variances use smoothed shares (see `_smoothed`)."""
    n1 = sum(len(p) for p, _ in groups.values())
    x1 = sum(sum(p) for p, _ in groups.values())
    p1 = x1 / n1
    p0 = var0 = 0.0
    events0 = count0 = 0
    for members, others in groups.values():
        weight = len(members) / n1
        events = sum(others)
        events0 += events
        count0 += len(others)
        p0 += weight * events / len(others)
        smoothed = _smoothed(events, len(others))
        var0 += weight * weight * smoothed * (1 - smoothed) / len(others)
    smoothed1 = _smoothed(x1, n1)
    var1 = smoothed1 * (1 - smoothed1) / n1
    low1, high1 = wilson(x1, n1)
    half0 = Z_95 * math.sqrt(var0)
    half = Z_95 * math.sqrt(var1 + var0)
    diff = p1 - p0
    return RateComparison(
        outcome=name,
        participants=p1,
        participants_low=low1,
        participants_high=high1,
        comparison=p0,
        comparison_low=max(0.0, p0 - half0),
        comparison_high=min(1.0, p0 + half0),
        difference=diff,
        difference_low=diff - half,
        difference_high=diff + half,
        participant_events=x1,
        comparison_events=events0,
        participant_count=n1,
        comparison_count=count0,
    )


def compare_outcomes(program: Program, *, today: datetime.date | None = None):
    """Promotion and retention from the program's start to today: everyone who was in a
    published pair against colleagues who never registered for it and were in no pair of
    another program, in the same department, level and tenure band (exact strata; strata
    without a colleague are left out)."""
    end = today or timezone.localdate()
    first_pair = Mentorship.objects.filter(program=program, status__in=PUBLISHED).aggregate(
        first=Min("started_on")
    )["first"]
    start = program.starts_on or first_pair
    comparison = OutcomeComparison(start=start, end=end)
    if first_pair is None or start is None:
        comparison.reason = "No pair has started yet, so there is no one to compare."
        return comparison
    if start >= end:
        comparison.reason = "The program has not started yet."
        return comparison
    pairs = Mentorship.objects.filter(program=program, status__in=PUBLISHED).order_by()
    pair_people = set(pairs.values_list("mentor__person_id", flat=True)) | set(
        pairs.values_list("mentee__person_id", flat=True)
    )
    registered = set(
        Participant.objects.filter(program=program).order_by().values_list("person_id", flat=True)
    )
    # Colleagues in a pair of another program are not a comparison: leave them out.
    others = Mentorship.objects.filter(status__in=PUBLISHED).exclude(program=program).order_by()
    registered |= set(others.values_list("mentor__person_id", flat=True))
    registered |= set(others.values_list("mentee__person_id", flat=True))
    promoted: set[int] = set()
    exited_before: set[int] = set()
    exited: set[int] = set()
    exited_later: set[int] = set()  # left after `end`: stayed through the period compared
    for person_id, kind, day in Outcome.objects.filter(
        Q(kind="promotion") | Q(kind="exit")
    ).values_list("person_id", "kind", "occurred_on"):
        if kind == "exit":
            if day < start:
                exited_before.add(person_id)
            elif day <= end:
                exited.add(person_id)
            else:
                exited_later.add(person_id)
        elif start <= day <= end:
            promoted.add(person_id)
    strata: dict[tuple, tuple[list[bool], list[bool]]] = defaultdict(lambda: ([], []))
    excluded = 0
    people = Person.objects.filter(Q(hire_date__isnull=True) | Q(hire_date__lte=start)).order_by()
    for pk, department, level, hired, is_active in people.values_list(
        "pk", "department_id", "level", "hire_date", "is_active"
    ).iterator(chunk_size=5000):
        if pk in exited_before:
            continue
        if not is_active and pk not in exited and pk not in exited_later:
            if pk in pair_people or pk not in registered:
                excluded += 1  # left, but no exit is recorded: we cannot tell when
            continue
        if pk in registered and pk not in pair_people:
            continue  # registered but never paired: neither group
        key = (department, level, tenure_band(hired, start))
        outcome = (pk in promoted, pk not in exited)
        strata[key][0 if pk in pair_people else 1].append(outcome)
    comparison.excluded_unknown = excluded
    comparison.hired_after_start = (
        Person.objects.filter(hire_date__gt=start)
        .filter(
            Q(pk__in=pairs.values("mentor__person_id"))
            | Q(pk__in=pairs.values("mentee__person_id"))
        )
        .count()
    )
    comparison.participants = sum(len(p) for p, _ in strata.values())
    usable = {k: (p, o) for k, (p, o) in strata.items() if p and o}
    comparison.matched = sum(len(p) for p, _ in usable.values())
    comparison.unmatched = comparison.participants - comparison.matched
    comparison.comparison_people = sum(len(o) for _, o in usable.values())
    comparison.strata = len(usable)
    if comparison.matched < MIN_GROUP_SIZE:
        comparison.reason = (
            f"Fewer than {MIN_GROUP_SIZE} participants have a comparable colleague, too few to "
            "compare without describing individuals."
        )
        return comparison
    comparison.promotion = _compare(
        "Promotion",
        {k: ([o[0] for o in p], [o[0] for o in c]) for k, (p, c) in usable.items()},
    )
    comparison.retention = _compare(
        "Retention",
        {k: ([o[1] for o in p], [o[1] for o in c]) for k, (p, c) in usable.items()},
    )
    return comparison


# ---------------------------------------------------------------------------------------- ROI


def report_settings(program: Program) -> ReportSettings:
    """The program's settings, or the defaults (unsaved until someone saves them)."""
    return ReportSettings.objects.filter(program=program).first() or ReportSettings(program=program)


@dataclass(frozen=True)
class RoiEstimate:
    currency: str
    people: int
    exits_avoided: float
    exits_avoided_low: float
    exits_avoided_high: float
    cost_per_exit: Decimal
    savings: Decimal
    savings_low: Decimal
    savings_high: Decimal
    program_cost: Decimal
    net: Decimal
    roi: float | None  # net ÷ cost; None without a cost
    interval_includes_zero: bool


def roi_estimate(comparison: OutcomeComparison, settings: ReportSettings) -> RoiEstimate | None:
    """Exits avoided = (participants' retention - comparable colleagues') x participants;
    each avoided exit saves replacement_cost_share x average salary."""
    retention = comparison.retention
    if retention is None:
        return None
    people = comparison.matched
    cost_per_exit = (settings.average_salary * settings.replacement_cost_share).quantize(Decimal(1))

    def money(exits: float) -> Decimal:
        return (Decimal(str(round(exits, 4))) * cost_per_exit).quantize(Decimal(1))

    avoided = retention.difference * people
    low, high = retention.difference_low * people, retention.difference_high * people
    savings = money(avoided)
    net = savings - settings.program_cost
    return RoiEstimate(
        currency=settings.currency,
        people=people,
        exits_avoided=round(avoided, 2),
        exits_avoided_low=round(low, 2),
        exits_avoided_high=round(high, 2),
        cost_per_exit=cost_per_exit,
        savings=savings,
        savings_low=money(low),
        savings_high=money(high),
        program_cost=settings.program_cost,
        net=net,
        roi=float(net / settings.program_cost) if settings.program_cost else None,
        interval_includes_zero=retention.interval_includes_zero,
    )


def _percent(value: float) -> float:
    return round(100 * value, 1)


def comparison_table(comparison: OutcomeComparison) -> Table:
    rows = []
    for rate in (comparison.promotion, comparison.retention):
        if rate is None:
            continue
        rows.append(
            [
                rate.outcome,
                _percent(rate.participants),
                f"({_percent(rate.participants_low)} to {_percent(rate.participants_high)})",
                _percent(rate.comparison),
                f"({_percent(rate.comparison_low)} to {_percent(rate.comparison_high)})",
                _percent(rate.difference),
                f"({_percent(rate.difference_low)} to {_percent(rate.difference_high)})",
            ]
        )
    return Table(
        "outcomes",
        "Outcomes against comparable colleagues",
        [
            "Outcome",
            "Participants (%)",
            "95% interval",
            "Comparable colleagues (%)",
            "95% interval",
            "Difference (points)",
            "95% interval",
        ],
        rows,
        note=f"From {comparison.start} to {comparison.end}. {comparison.matched} participants "
        f"compared with {comparison.comparison_people} colleagues of the same department, "
        "level and tenure band. An association, not proof that the program caused it.",
    )
