"""Directory import from an HRIS CSV export: read, validate, plan, and apply in one transaction.

`plan_people_import` reads a file and the directory and says what would change without writing;
`import_people` applies the plan atomically; the `DirectoryImport` functions back the admin's
upload, preview and confirm pages. docs/import.md describes the file format for people.
"""

import datetime
import re
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connections, router, transaction
from django.utils import timezone

from trellis import csvfiles

from .models import (
    Department,
    DirectoryImport,
    Language,
    Location,
    Person,
    Skill,
    available_time_zones,
    normalise_name,
)
from .services import (
    rebuild_reporting_paths,
    skill_lookup,
    update_people_fields,
)
from .signals import people_activation_changed

REQUIRED_COLUMNS = ("employee_id", "email", "first_name", "last_name")

# Other names HRIS exports use for each column. Headers are matched ignoring case, spaces,
# underscores, hyphens and dots, so "Employee ID", "employee_id" and "EMPLOYEE-ID" are one name.
# Keep docs/import.md in step with this table.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": (
        "employee_id",
        "employee_number",
        "employee_no",
        "employee_num",
        "emp_id",
        "emp_no",
        "worker_id",
        "staff_id",
        "personnel_number",
    ),
    "email": ("email", "e-mail", "work_email", "email_address", "work_email_address", "mail"),
    "first_name": ("first_name", "firstname", "given_name", "forename"),
    "last_name": ("last_name", "lastname", "surname", "family_name"),
    "title": ("title", "job_title", "position", "position_title"),
    "department": ("department", "dept", "department_name"),
    "location": ("location", "office", "site", "work_location", "office_location"),
    "time_zone": ("time_zone", "timezone", "tz"),
    "hire_date": ("hire_date", "start_date", "date_of_joining", "joining_date", "date_hired"),
    "manager_id": (
        "manager_id",
        "manager",
        "manager_employee_id",
        "manager_email",
        "supervisor_id",
        "supervisor",
        "reports_to",
        "line_manager",
    ),
    "level": ("level", "grade", "job_level"),
    "skills": ("skills", "skill", "competencies"),
    "languages": ("languages", "language"),
}

LIST_SEPARATOR = ";"
MAX_LENGTHS = {
    "employee_id": 64,
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "title": 200,
    "department": 200,
    "location": 200,
}
TAXONOMY_NAME_MAX_LENGTH = 100
# Changes written after the people rows themselves: they need every person's primary key.
LINK_CHANGES = frozenset({"manager", "skills", "languages"})
BATCH_SIZE = 500


_HEADER_LOOKUP = {
    csvfiles.header_key(alias): name
    for name, aliases in HEADER_ALIASES.items()
    for alias in aliases
}

# "5", "05", "5.0", "L5", "IC5", "Level 5", "grade-5".
_LEVEL = re.compile(r"^(?:[a-z]{1,6}[ \-]?)?(\d{1,3})(?:\.0+)?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeopleImportError(ValueError):
    """A problem with an import that the person running it can fix; the message says how."""


class ImportFileError(PeopleImportError):
    """The file as a whole cannot be read: wrong encoding, missing columns, no rows."""


class InvalidRowsError(PeopleImportError):
    """Some rows are bad and skipping them was not asked for, so nothing was changed."""

    def __init__(self, result: "ImportResult"):
        self.result = result
        self.valid_rows = result.rows_read - result.bad_rows
        super().__init__(f"{_plural(result.bad_rows, 'bad row')}: nothing was imported.")


class ImportAlreadyAppliedError(PeopleImportError):
    """An uploaded file was already applied; applying it again is refused."""


class SelfDeactivationError(PeopleImportError):
    """The file would deactivate the admin applying it, who would lose access mid-import."""


def deactivates_user(result: "ImportResult", user) -> bool:
    """Would applying this result deactivate the given user's own directory record?"""
    person = getattr(user, "person", None)
    if person is None:
        return False
    return any(change.employee_id == person.employee_id for change in result.deactivated)


@dataclass(frozen=True)
class RowError:
    """One problem on one row. `line` is the physical line in the file; the header is line 1."""

    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class PersonChange:
    """A person the import creates, updates, leaves alone or deactivates."""

    employee_id: str
    name: str
    line: int | None = None
    fields: tuple[str, ...] = ()

    @property
    def is_reactivation(self) -> bool:
        return "is_active" in self.fields


@dataclass
class ImportResult:
    """What an import would do (a plan) or did (`applied`)."""

    rows_read: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    created: list[PersonChange] = field(default_factory=list)
    updated: list[PersonChange] = field(default_factory=list)
    unchanged: list[PersonChange] = field(default_factory=list)
    deactivated: list[PersonChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    deactivate_missing: bool = True
    applied: bool = False

    @property
    def bad_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    @property
    def bad_rows(self) -> int:
        return len(self.bad_lines)

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "deactivated": len(self.deactivated),
            "bad_rows": self.bad_rows,
        }

    def summary_line(self) -> str:
        """Counts in words: "12 created, ..." once applied, "would create 12, ..." before."""
        counts = self.counts()
        bad = _plural(counts["bad_rows"], "bad row")
        if self.applied:
            return (
                f"{counts['created']:,} created, {counts['updated']:,} updated, "
                f"{counts['unchanged']:,} unchanged, {counts['deactivated']:,} deactivated, "
                f"{bad}{' skipped' if counts['bad_rows'] else ''}"
            )
        return (
            f"would create {counts['created']:,}, update {counts['updated']:,}, leave "
            f"{counts['unchanged']:,} unchanged, deactivate {counts['deactivated']:,}; {bad}"
        )

    def as_summary(self, limit: int = 200) -> dict:
        """A JSON-ready record of the result, lists capped at `limit` entries each."""
        return {
            "counts": self.counts(),
            "rows_read": self.rows_read,
            "deactivate_missing": self.deactivate_missing,
            "applied": self.applied,
            "created": [asdict(change) for change in self.created[:limit]],
            "updated": [asdict(change) for change in self.updated[:limit]],
            "deactivated": [asdict(change) for change in self.deactivated[:limit]],
            "errors": [asdict(error) for error in self.errors[:limit]],
        }


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


# Reading the file.


def decode_file(data: bytes | str) -> str:
    """The file's text (see trellis.csvfiles.decode); unreadable files raise ImportFileError."""
    try:
        return csvfiles.decode(data)
    except csvfiles.CsvFileError as error:
        raise ImportFileError(str(error)) from None


@dataclass
class _Row:
    line: int
    raw: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    employee_id: str = ""
    email: str = ""
    values: dict[str, object] = field(default_factory=dict)
    skills: dict[str, str] = field(default_factory=dict)  # normalised name -> name as written
    languages: dict[str, str] = field(default_factory=dict)
    manager_ref: str = ""
    manager_row: "_Row | None" = None
    manager_key: str | None = None  # employee id of the resolved manager

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return f"{self.raw.get('first_name', '')} {self.raw.get('last_name', '')}".strip()


@dataclass
class _ParsedFile:
    columns: dict[str, str]  # field -> header as written
    ignored_columns: list[str]
    rows: list[_Row]
    errors: list[RowError]  # rows that could not be read into columns at all


def read_people_file(data: bytes | str) -> _ParsedFile:
    """Split the file into rows keyed by field name; file-level problems raise ImportFileError."""
    text = decode_file(data)
    try:
        reader, header_info = csvfiles.read_header(text, _HEADER_LOOKUP)
    except csvfiles.CsvFileError as error:
        raise ImportFileError(str(error)) from None
    header = header_info.cells
    columns, ignored = header_info.columns, header_info.ignored
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}. "
            f"Every import needs {', '.join(REQUIRED_COLUMNS)}; the first line must be the "
            f"column names (found: {', '.join(repr(h) for h in header) or 'nothing'})."
        )

    rows: list[_Row] = []
    errors: list[RowError] = []
    try:
        for line, values in csvfiles.data_rows(reader, header_info):
            if isinstance(values, str):
                errors.append(RowError(line, "", "", values))
            else:
                rows.append(_Row(line, values))
    except csvfiles.CsvFileError as error:
        raise ImportFileError(str(error)) from None
    if not rows and not errors:
        raise ImportFileError("The file has column names but no people in it.")
    return _ParsedFile(columns, ignored, rows, errors)


# Checking each row on its own.


_TIME_ZONE_LOOKUP: dict[str, str] | None = None


def _time_zone_lookup() -> dict[str, str]:
    global _TIME_ZONE_LOOKUP
    if _TIME_ZONE_LOOKUP is None:
        _TIME_ZONE_LOOKUP = {name.casefold(): name for name in available_time_zones()}
    return _TIME_ZONE_LOOKUP


def _split_list(value: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for part in value.split(LIST_SEPARATOR):
        part = " ".join(part.split())
        key = normalise_name(part)
        if key and key not in names:
            names[key] = part
    return names


def _check_row(row: _Row, columns: dict[str, str]) -> None:
    raw = row.raw

    def fail(name: str, reason: str) -> None:
        value = raw.get(name, "")
        row.errors.append(RowError(row.line, columns[name], value[:200], reason))

    for name in REQUIRED_COLUMNS:
        if not raw[name]:
            fail(name, f"{name.replace('_', ' ').capitalize()} is required.")
    for name, limit in MAX_LENGTHS.items():
        if len(raw.get(name, "")) > limit:
            fail(name, f"Longer than the {limit} characters allowed.")

    row.employee_id = raw["employee_id"]
    email = raw["email"]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            fail("email", f"{email!r} is not a valid email address.")
        else:
            # Only a valid address takes part in the duplicate check: one bad value repeated
            # on several lines is reported once per line, as invalid.
            row.email = email.lower()
    values = row.values
    for name in ("first_name", "last_name", "title", "department", "location"):
        if name in raw:
            values[name] = " ".join(raw[name].split())

    if "time_zone" in raw:
        zone = raw["time_zone"]
        values["time_zone"] = _time_zone_lookup().get(zone.casefold(), "")
        if zone and not values["time_zone"]:
            fail(
                "time_zone",
                f"{zone!r} is not a known time zone; use an IANA name such as Europe/Paris.",
            )

    if "hire_date" in raw:
        text = raw["hire_date"]
        values["hire_date"] = None
        if text and not _ISO_DATE.match(text):
            fail("hire_date", f"{text!r} is not a date in YYYY-MM-DD form (such as 2024-03-31).")
        elif text:
            try:
                values["hire_date"] = datetime.date.fromisoformat(text)
            except ValueError:
                fail("hire_date", f"{text!r} is not a real date.")

    if "level" in raw:
        text = raw["level"]
        match = _LEVEL.match(text)
        values["level"] = int(match.group(1)) if match else None
        if text and not match:
            fail("level", f"{text!r} is not a level: use a whole number such as 5, L5 or IC5.")

    for name in ("skills", "languages"):
        if name in raw:
            names = _split_list(raw[name])
            too_long = [
                n for k, n in names.items() if max(len(k), len(n)) > TAXONOMY_NAME_MAX_LENGTH
            ]
            if too_long:
                fail(
                    name,
                    f"The name starting {too_long[0][:30]!r} is longer than "
                    f"{TAXONOMY_NAME_MAX_LENGTH} characters.",
                )
            setattr(row, name, names)

    row.manager_ref = raw.get("manager_id", "")


# Planning against the directory.


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _display_language(name: str) -> str:
    return name.title() if name.islower() or name.isupper() else name


def _cycle_text(cycle: list[str], start: str) -> str:
    at = cycle.index(start)
    ordered = cycle[at:] + cycle[:at]
    if len(ordered) > 8:
        shown = " → ".join(ordered[:6])
        return f"{shown} → … ({len(ordered)} people) → {start}"
    return " → ".join([*ordered, start])


class _Plan:
    """One file checked against the directory as it is now; `apply()` carries it out."""

    def __init__(self, data: bytes | str, *, deactivate_missing: bool):
        parsed = read_people_file(data)
        self.deactivate_missing = deactivate_missing
        self.columns = parsed.columns
        self.rows = parsed.rows
        self.result = ImportResult(
            rows_read=len(parsed.rows) + len(parsed.errors),
            columns=dict(parsed.columns),
            ignored_columns=parsed.ignored_columns,
            deactivate_missing=deactivate_missing,
        )
        self._load_directory()
        for row in self.rows:
            _check_row(row, self.columns)
        self._check_duplicates()
        self._check_references()
        self._plan_changes()
        errors = parsed.errors + [error for row in self.rows for error in row.errors]
        self.result.errors = sorted(errors, key=lambda error: error.line)

    # Everything the checks and the apply need, read once.
    def _load_directory(self) -> None:
        self.people = {person.employee_id: person for person in Person.objects.all()}
        self.people_by_pk = {person.pk: person for person in self.people.values()}
        self.people_by_email = {person.email.lower(): person for person in self.people.values()}
        self.departments = {
            _name_key(name): pk for pk, name in Department.objects.values_list("pk", "name")
        }
        self.locations = {
            _name_key(name): pk for pk, name in Location.objects.values_list("pk", "name")
        }
        self.skill_ids = skill_lookup()
        self.language_ids = dict(Language.objects.values_list("normalised_name", "pk"))
        self.person_skills: dict[int, set[int]] = defaultdict(set)
        for person_id, skill_id in Person.skills.through.objects.values_list(
            "person_id", "skill_id"
        ):
            self.person_skills[person_id].add(skill_id)
        self.person_languages: dict[int, set[int]] = defaultdict(set)
        through = Person.languages.through.objects.values_list("person_id", "language_id")
        for person_id, language_id in through:
            self.person_languages[person_id].add(language_id)

    def _check_duplicates(self) -> None:
        first_by_id: dict[str, _Row] = {}
        first_by_email: dict[str, _Row] = {}
        for row in self.rows:
            if row.employee_id:
                first = first_by_id.setdefault(row.employee_id, row)
                if first is not row:
                    row.errors.append(
                        RowError(
                            row.line,
                            self.columns["employee_id"],
                            row.employee_id,
                            f"Duplicate employee id {row.employee_id!r}: already used on line "
                            f"{first.line}.",
                        )
                    )
            if row.email:
                first = first_by_email.setdefault(row.email, row)
                if first is not row:
                    row.errors.append(
                        RowError(
                            row.line,
                            self.columns["email"],
                            row.raw["email"],
                            f"Duplicate email {row.raw['email']!r}: already used on line "
                            f"{first.line}.",
                        )
                    )
        self.file_by_id = first_by_id
        self.file_by_email = first_by_email

    def _check_references(self) -> None:
        """Checks that depend on other rows: managers, cycles, emails held in the directory.

        A row that fails one of these makes the rows depending on it fail too ("manager on line
        12 has errors"), so a skipped row never leaves a half-connected reporting line behind.
        """
        has_manager_column = "manager_id" in self.columns
        manager_header = self.columns.get("manager_id", "")
        email_header = self.columns["email"]
        reports_of: dict[int, list[_Row]] = defaultdict(list)
        waiting_for_email: dict[int, list[_Row]] = defaultdict(list)
        queue: list[_Row] = []

        def invalidate(row: _Row, error: RowError) -> None:
            was_valid = row.is_valid
            row.errors.append(error)
            if was_valid:
                queue.append(row)

        for row in self.rows:
            if has_manager_column:
                self._resolve_manager(row, manager_header)
                if row.manager_row is not None:
                    reports_of[row.manager_row.line].append(row)
            holder = self.people_by_email.get(row.email)
            if row.employee_id and holder is not None and holder.employee_id != row.employee_id:
                holder_row = self.file_by_id.get(holder.employee_id)
                if holder_row is None:
                    row.errors.append(
                        RowError(
                            row.line,
                            email_header,
                            row.raw["email"],
                            f"{row.raw['email']!r} already belongs to employee "
                            f"{holder.employee_id!r} ({holder.full_name}) in the directory, "
                            "who is not in this file.",
                        )
                    )
                elif holder_row is not row:
                    waiting_for_email[holder_row.line].append(row)
        queue.extend(row for row in self.rows if not row.is_valid)

        while True:
            while queue:
                failed = queue.pop()
                for report in reports_of.get(failed.line, ()):
                    if report.is_valid:
                        invalidate(
                            report,
                            RowError(
                                report.line,
                                manager_header,
                                report.manager_ref,
                                f"The manager {report.manager_ref!r} is on line {failed.line}, "
                                "which has errors.",
                            ),
                        )
                for waiting in waiting_for_email.get(failed.line, ()):
                    if waiting.is_valid:
                        invalidate(
                            waiting,
                            RowError(
                                waiting.line,
                                email_header,
                                waiting.raw["email"],
                                f"{waiting.raw['email']!r} belongs to employee "
                                f"{failed.employee_id!r} in the directory, whose row on line "
                                f"{failed.line} has errors.",
                            ),
                        )
            if has_manager_column:
                for cycle in self._find_cycles():
                    for employee_id in cycle:
                        row = self.file_by_id.get(employee_id)
                        if row is not None and row.is_valid:
                            invalidate(
                                row,
                                RowError(
                                    row.line,
                                    manager_header,
                                    row.manager_ref,
                                    f"Manager cycle: {_cycle_text(cycle, employee_id)}.",
                                ),
                            )
            if not queue:
                break

    def _resolve_manager(self, row: _Row, header: str) -> None:
        ref = row.manager_ref
        if not ref:
            return
        folded = ref.lower()
        target = self.file_by_id.get(ref) or self.file_by_email.get(folded)
        if target is None:
            person = self.people.get(ref) or self.people_by_email.get(folded)
            if person is not None:
                target = self.file_by_id.get(person.employee_id)
                row.manager_key = person.employee_id
        if target is not None:
            row.manager_key = target.employee_id
        if target is row or (row.employee_id and row.manager_key == row.employee_id):
            row.manager_key = None
            row.errors.append(
                RowError(row.line, header, ref, "A person cannot be their own manager.")
            )
            return
        row.manager_row = target
        if row.manager_key is None:
            row.errors.append(
                RowError(
                    row.line,
                    header,
                    ref,
                    f"Unknown manager {ref!r}: no employee id or email in this file or in the "
                    "directory matches.",
                )
            )

    def _find_cycles(self) -> list[list[str]]:
        """Manager cycles in the directory as it would be after the valid rows are applied."""
        manager_of: dict[str, str | None] = {}
        for person in self.people.values():
            manager = self.people_by_pk.get(person.manager_id) if person.manager_id else None
            manager_of[person.employee_id] = manager.employee_id if manager else None
        for row in self.rows:
            if row.is_valid:
                manager_of[row.employee_id] = row.manager_key
        cycles: list[list[str]] = []
        done: set[str] = set()
        for start in manager_of:
            path: list[str] = []
            on_path: dict[str, int] = {}
            node: str | None = start
            while node is not None and node not in done:
                if node in on_path:
                    cycles.append(path[on_path[node] :])
                    break
                on_path[node] = len(path)
                path.append(node)
                node = manager_of.get(node)
            done.update(path)
        return cycles

    def _skill_set(self, row: _Row) -> set[int | str]:
        return {self.skill_ids.get(key, f"new:{key}") for key in row.skills}

    def _language_set(self, row: _Row) -> set[int | str]:
        return {self.language_ids.get(key, f"new:{key}") for key in row.languages}

    def _taxonomy_id(self, kind: str, name: str) -> int | str | None:
        if not name:
            return None
        lookup = self.departments if kind == "department" else self.locations
        key = _name_key(name)
        return lookup.get(key, f"new:{key}")

    def _plan_changes(self) -> None:
        result = self.result
        columns = self.columns
        self.creates: list[_Row] = []
        self.updates: list[tuple[_Row, Person, tuple[str, ...]]] = []
        for row in self.rows:
            if not row.is_valid:
                continue
            person = self.people.get(row.employee_id)
            if person is None:
                self.creates.append(row)
                result.created.append(PersonChange(row.employee_id, row.name, row.line))
                continue
            changed: list[str] = []
            if person.email != row.email:
                changed.append("email")
            for name in ("first_name", "last_name", "title", "hire_date", "level"):
                if name in columns and getattr(person, name) != row.values[name]:
                    changed.append(name)
            # People set their own time zone, skills and languages on their profile: the file
            # sets a time zone only when it gives one, and adds skills and languages without
            # removing any.
            zone = row.values.get("time_zone")
            if zone and person.time_zone != zone:
                changed.append("time_zone")
            for name in ("department", "location"):
                if name in columns:
                    wanted = self._taxonomy_id(name, row.values[name])
                    if getattr(person, f"{name}_id") != wanted:
                        changed.append(name)
            if "manager_id" in columns:
                current = self.people_by_pk.get(person.manager_id) if person.manager_id else None
                if (current.employee_id if current else None) != row.manager_key:
                    changed.append("manager")
            if self._skill_set(row) - self.person_skills.get(person.pk, set()):
                changed.append("skills")
            if self._language_set(row) - self.person_languages.get(person.pk, set()):
                changed.append("languages")
            if not person.is_active:
                changed.append("is_active")
            change = PersonChange(row.employee_id, row.name, row.line, tuple(changed))
            if changed:
                self.updates.append((row, person, tuple(changed)))
                result.updated.append(change)
            else:
                result.unchanged.append(change)

        self.deactivations: list[Person] = []
        if self.deactivate_missing:
            # People on bad rows are still in the file: their rows are skipped, not deleted.
            present_ids = {row.employee_id for row in self.rows if row.employee_id}
            present_emails = {row.email for row in self.rows if row.email and not row.is_valid}
            for person in self.people.values():
                if (
                    person.is_active
                    and person.employee_id not in present_ids
                    and person.email.lower() not in present_emails
                ):
                    self.deactivations.append(person)
            self.deactivations.sort(key=lambda p: p.employee_id)
            result.deactivated = [
                PersonChange(person.employee_id, person.full_name) for person in self.deactivations
            ]

    # Writing.

    def apply(self) -> None:
        """Carry out the plan for the valid rows. Call inside transaction.atomic."""
        now = timezone.now()
        columns = self.columns
        rows = [row for row, _, _ in self.updates] + self.creates
        department_ids = self._create_taxonomy(Department, "department", self.departments, rows)
        location_ids = self._create_taxonomy(Location, "location", self.locations, rows)
        skill_ids = self._create_skills(rows)
        language_ids = self._create_languages(rows)

        def scalar_values(row: _Row) -> dict[str, object]:
            values: dict[str, object] = {"email": row.email}
            for name in ("first_name", "last_name", "title", "hire_date", "level"):
                if name in columns:
                    values[name] = row.values[name]
            if row.values.get("time_zone"):
                values["time_zone"] = row.values["time_zone"]
            if "department" in columns:
                name = row.values["department"]
                values["department"] = department_ids[_name_key(name)] if name else None
            if "location" in columns:
                name = row.values["location"]
                values["location"] = location_ids[_name_key(name)] if name else None
            return values

        # Updates first, so emails they give up are free for the people created after them.
        # Changed emails go through a temporary unique address first, so two people may swap
        # addresses without tripping the unique constraint halfway.
        update_people_fields(
            ["email"],
            [
                (person.pk, f"import-{person.pk}-{uuid.uuid4().hex}@swap.invalid")
                for _, person, changed in self.updates
                if "email" in changed
            ],
        )
        fields = sorted({"updated_at", "is_active"}.union(*(c for _, _, c in self.updates)))
        fields = [name for name in fields if name not in LINK_CHANGES]
        updates = []
        for row, person, _ in self.updates:
            values = {
                "updated_at": now,
                "is_active": True,
                "time_zone": person.time_zone,
                **scalar_values(row),
            }
            updates.append((person.pk, *(values[name] for name in fields)))
        update_people_fields(fields, updates)

        creates = []
        for row in self.creates:
            values = scalar_values(row)
            values["department_id"] = values.pop("department", None)
            values["location_id"] = values.pop("location", None)
            creates.append(Person(employee_id=row.employee_id, **values))
        Person.objects.bulk_create(creates, batch_size=BATCH_SIZE)
        person_ids = dict(Person.objects.values_list("employee_id", "pk"))

        # Managers in a second pass: a new person's manager may be further down the file.
        managers: list[tuple[int, int | None]] = []
        if "manager_id" in columns:
            for row, person, changed in self.updates:
                if "manager" in changed:
                    managers.append((person.pk, person_ids.get(row.manager_key or "")))
            for row in self.creates:
                if row.manager_key:
                    managers.append((person_ids[row.employee_id], person_ids[row.manager_key]))
            update_people_fields(["manager"], managers)

        self._add_links(
            Person.skills.through,
            "skill",
            [(row, {skill_ids[key] for key in row.skills}) for row in self._linked_rows("skills")],
            self.person_skills,
            person_ids,
        )
        self._add_links(
            Person.languages.through,
            "language",
            [
                (row, {language_ids[key] for key in row.languages})
                for row in self._linked_rows("languages")
            ],
            self.person_languages,
            person_ids,
        )

        deactivate_ids = [person.pk for person in self.deactivations]
        for start in range(0, len(deactivate_ids), BATCH_SIZE):
            Person.objects.filter(pk__in=deactivate_ids[start : start + BATCH_SIZE]).update(
                is_active=False, updated_at=now
            )
        if managers or self.creates:
            rebuild_reporting_paths()
        if deactivate_ids:
            people_activation_changed.send(Person, person_ids=deactivate_ids, is_active=False)
        reactivated = [person.pk for _, person, changed in self.updates if "is_active" in changed]
        if reactivated:
            people_activation_changed.send(Person, person_ids=reactivated, is_active=True)
        self.result.applied = True

    def _create_taxonomy(
        self, model, name: str, lookup: dict[str, int], rows: list[_Row]
    ) -> dict[str, int]:
        if name not in self.columns:
            return lookup
        missing: dict[str, str] = {}
        for row in rows:
            value = row.values[name]
            if value and _name_key(value) not in lookup:
                missing.setdefault(_name_key(value), value)
        if not missing:
            return lookup
        model.objects.bulk_create([model(name=value) for value in missing.values()])
        return {_name_key(value): pk for pk, value in model.objects.values_list("pk", "name")}

    def _create_skills(self, rows: list[_Row]) -> dict[str, int]:
        if "skills" not in self.columns:
            return self.skill_ids
        missing: dict[str, str] = {}
        for row in rows:
            for key, value in row.skills.items():
                if key not in self.skill_ids:
                    missing.setdefault(key, value)
        if not missing:
            return self.skill_ids
        Skill.objects.bulk_create([Skill(name=v, normalised_name=k) for k, v in missing.items()])
        return skill_lookup()

    def _create_languages(self, rows: list[_Row]) -> dict[str, int]:
        if "languages" not in self.columns:
            return self.language_ids
        missing: dict[str, str] = {}
        for row in rows:
            for key, value in row.languages.items():
                if key not in self.language_ids:
                    missing.setdefault(key, value)
        if not missing:
            return self.language_ids
        Language.objects.bulk_create(
            [Language(name=_display_language(v), normalised_name=k) for k, v in missing.items()]
        )
        return dict(Language.objects.values_list("normalised_name", "pk"))

    def _linked_rows(self, column: str) -> list[_Row]:
        """New people, and people gaining skills or languages: the rows whose links are written."""
        return [row for row, _, changed in self.updates if column in changed] + self.creates

    def _add_links(
        self,
        through,
        target: str,
        wanted: list[tuple[_Row, set[int]]],
        existing: dict[int, set[int]],
        person_ids: dict[str, int],
    ) -> None:
        """Add the many-to-many rows people lack; links the file does not mention are kept."""
        links = []
        for row, linked in wanted:
            person_id = person_ids[row.employee_id]
            links.extend(
                (person_id, item) for item in sorted(linked - existing.get(person_id, set()))
            )
        _insert_links(through, target, links)


# Bulk writes. Django's bulk_update writes one CASE WHEN per field per row and bulk_create builds
# a model instance per link row: at 10,000 people that is seconds. SQLite runs a prepared
# statement many times in-process in milliseconds; PostgreSQL would pay a round trip per row, so
# there one statement reads every row from arrays with unnest().


def _insert_links(through, target: str, links: list[tuple[int, int]]) -> None:
    """INSERT (person id, target id) rows into a many-to-many through table."""
    if not links:
        return
    connection = connections[router.db_for_write(through)]
    quote = connection.ops.quote_name
    meta = through._meta
    person, linked = meta.get_field("person"), meta.get_field(target)
    columns = f"{quote(meta.db_table)} ({quote(person.column)}, {quote(linked.column)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            person_type, linked_type = person.db_type(connection), linked.db_type(connection)
            cursor.execute(
                f"INSERT INTO {columns} "  # noqa: S608
                f"SELECT * FROM unnest(%s::{person_type}[], %s::{linked_type}[])",
                [list(column) for column in zip(*links, strict=True)],
            )
        else:
            cursor.executemany(f"INSERT INTO {columns} VALUES (%s, %s)", links)  # noqa: S608


def plan_people_import(data: bytes | str, *, deactivate_missing: bool = True) -> ImportResult:
    """What importing the file would do, without writing anything.

    Raises ImportFileError when the file as a whole cannot be used.
    """
    return _Plan(data, deactivate_missing=deactivate_missing).result


def import_people(
    data: bytes | str,
    *,
    deactivate_missing: bool = True,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Import people from an HRIS CSV export; the file is the source of truth for its columns.

    Valid rows create or update people (matched on employee id); with `deactivate_missing`,
    active people absent from the file are deactivated (never deleted). With bad rows and
    neither `skip_invalid` nor `dry_run`, nothing is written and InvalidRowsError carries the
    result. All writes happen in one transaction.
    """
    if dry_run:
        return plan_people_import(data, deactivate_missing=deactivate_missing)
    with transaction.atomic():
        plan = _Plan(data, deactivate_missing=deactivate_missing)
        if plan.result.errors and not skip_invalid:
            raise InvalidRowsError(plan.result)
        plan.apply()
    return plan.result


# The admin's upload, preview and confirm flow.


def create_directory_import(
    *, file_name: str, data: bytes, uploaded_by, deactivate_missing: bool
) -> DirectoryImport:
    """Keep an uploaded file for preview; files unusable as a whole are refused here."""
    text = decode_file(data)
    read_people_file(text)
    return DirectoryImport.objects.create(
        file_name=file_name[:255],
        content=text,
        uploaded_by=uploaded_by,
        deactivate_missing=deactivate_missing,
    )


def preview_directory_import(directory_import: DirectoryImport) -> ImportResult:
    return plan_people_import(
        directory_import.content, deactivate_missing=directory_import.deactivate_missing
    )


def apply_directory_import(
    directory_import: DirectoryImport, *, applied_by, skip_invalid: bool
) -> ImportResult:
    """Apply an uploaded file once, checked again against the directory as it is now."""
    with transaction.atomic():
        locked = DirectoryImport.objects.select_for_update().get(pk=directory_import.pk)
        if locked.is_applied:
            raise ImportAlreadyAppliedError(
                f"This file was already imported on {locked.applied_at:%Y-%m-%d %H:%M} UTC. "
                "Upload it again to import it again."
            )
        result = import_people(
            locked.content,
            deactivate_missing=locked.deactivate_missing,
            skip_invalid=skip_invalid,
        )
        if deactivates_user(result, applied_by):
            # Raising inside the transaction rolls the whole import back.
            raise SelfDeactivationError(
                f"This file does not include you ({applied_by.person.employee_id}), so importing "
                "it would deactivate your own record and end your access. Add yourself to the "
                "file, or upload it again without deactivating missing people."
            )
        locked.status = DirectoryImport.Status.APPLIED
        locked.applied_at = timezone.now()
        locked.applied_by = applied_by
        locked.summary = result.as_summary()
        locked.save(update_fields=["status", "applied_at", "applied_by", "summary"])
    directory_import.refresh_from_db()
    return result
