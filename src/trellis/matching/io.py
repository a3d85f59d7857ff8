"""The spreadsheet command, `trellis match PEOPLE.csv --out PAIRS.csv`: reads mentors and mentees
from one CSV, matches them with the engine and writes the pairs with their reasons. It needs no
database, no settings and no server (docs/matching.md, "Spreadsheet command")."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import re
import sys
import tempfile
import time
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from trellis import csvfiles
from trellis.matching.criteria import (
    Criterion,
    Profile,
    allowed_pairs,
    criterion_options,
)
from trellis.matching.explain import explain_pair, explain_unmatched
from trellis.matching.factors import ScoreModel
from trellis.matching.solve import assign

__all__ = [
    "DEFAULT_WEIGHTS",
    "MatchConfig",
    "MatchInputError",
    "MatchOutcome",
    "Participants",
    "load_config",
    "main",
    "match_participants",
    "read_config",
    "read_participants",
]

EXIT_BAD_INPUT = 2
LIST_SEPARATOR = ";"
MAX_ERRORS_SHOWN = 200

# Criteria and weights used without --config (options keep the scorers' defaults).
DEFAULT_WEIGHTS: dict[str, float] = {
    "skills": 3.0,
    "goals": 2.0,
    "seniority": 2.0,
    "department": 1.0,
    "time_zone": 1.0,
    "language": 1.0,
    "text": 1.0,
}

# Other names a column may have. Headers match ignoring case, spaces, underscores, hyphens and
# dots, so "Skills Offered", "skills_offered" and "SKILLS-OFFERED" are one column.
# Keep docs/matching.md in step with this table.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "role": ("role", "participant_role", "program_role"),
    "id": ("id", "employee_id", "person_id", "emp_id", "staff_id"),
    "name": ("name", "full_name", "display_name"),
    "email": ("email", "e-mail", "work_email", "email_address"),
    "department": ("department", "dept"),
    "title": ("title", "job_title", "position"),
    "level": ("level", "grade", "job_level"),
    "hire_date": ("hire_date", "start_date", "date_hired"),
    "tenure_years": ("tenure_years", "tenure", "years_of_service"),
    "location": ("location", "office", "site"),
    "time_zone": ("time_zone", "timezone", "tz"),
    "languages": ("languages", "language"),
    "skills_offered": ("skills_offered", "offers", "can_help_with", "expertise"),
    "skills_sought": ("skills_sought", "seeks", "wants_to_learn", "skills_wanted"),
    "goals": ("goals", "goal"),
    "manager_id": ("manager_id", "manager", "manager_employee_id", "reports_to", "line_manager"),
    "capacity": ("capacity", "max_mentees", "mentee_capacity"),
    "exclude_ids": ("exclude_ids", "exclude", "exclusions", "do_not_match"),
    "about": ("about", "bio", "free_text"),
}
REQUIRED_COLUMNS = ("role", "id")
ROLES = ("mentor", "mentee")

_LEVEL = re.compile(r"^(?:[a-z]{1,6}[ \-]?)?(\d{1,3}(?:\.\d+)?)$", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_INTEGER = re.compile(r"^\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UTC_OFFSET = re.compile(r"^(?:utc|gmt) ?([+-]) ?(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


_HEADER_LOOKUP = {
    csvfiles.header_key(alias): name
    for name, aliases in HEADER_ALIASES.items()
    for alias in aliases
}


class MatchInputError(ValueError):
    """The file or the configuration cannot be used; `problems` says where and why."""

    def __init__(self, summary: str, problems: Sequence[str] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        super().__init__(summary if not problems else f"{summary}\n" + "\n".join(problems))


# ----------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class MatchConfig:
    """criteria: the weighted criteria (weight > 0); min_score: pairs below it are not allowed;
    fairness: maximise the weakest pair before the total; mentor_capacity: places for a mentor
    whose capacity cell is blank; seniority_from: "level" or "tenure" (years) for the seniority
    criterion; reference_date: the day tenure and daylight-saving offsets are taken on."""

    criteria: tuple[Criterion, ...]
    min_score: float | None = None
    fairness: bool = False
    mentor_capacity: int = 1
    seniority_from: str = "level"
    reference_date: dt.date | None = None


def default_config() -> MatchConfig:
    """DEFAULT_WEIGHTS with the scorers' default options; no minimum score, no fairness."""
    return MatchConfig(criteria=tuple(Criterion(n, w) for n, w in DEFAULT_WEIGHTS.items()))


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# Settings of [matching] besides weights and options; at the top level they are a mistake.
_MATCHING_KEYS = (
    "weights",
    "options",
    "min_score",
    "fairness",
    "seniority_from",
    "reference_date",
)


def read_config(data: Mapping[str, Any], source: str = "config") -> MatchConfig:
    """A MatchConfig from parsed TOML; every problem is reported at once as MatchInputError.

    The file may be a program template (src/trellis/programs/template_library/*.toml): only
    [matching] and the top-level mentor_capacity are read, other tables are ignored.
    """
    problems: list[str] = []

    def error(key: str, message: str) -> None:
        problems.append(f"{source}: {key}: {message}")

    for key in _MATCHING_KEYS:
        if key in data:
            error(key, f"belongs in the [matching] table ([matching] {key} = ...)")
    matching = data.get("matching")
    if not isinstance(matching, Mapping):
        error("matching", "the file needs a [matching] table (see docs/matching.md)")
        raise MatchInputError(f"{source} is not a usable matching configuration.", problems)
    for key in matching:
        if key not in _MATCHING_KEYS:
            error(f"matching.{key}", f"unknown setting; known: {', '.join(_MATCHING_KEYS)}")

    known = criterion_options()
    criteria: list[Criterion] = []
    weights = matching.get("weights")
    options = matching.get("options", {})
    if weights is None:
        weights = dict(DEFAULT_WEIGHTS)
    if not isinstance(weights, Mapping):
        error("matching.weights", "must be a table of criterion = weight")
        weights = {}
    if not isinstance(options, Mapping):
        error("matching.options", "must be a table of criterion tables")
        options = {}
    for name, weight in weights.items():
        if name not in known:
            error(f"matching.weights.{name}", f"unknown criterion; known: {', '.join(known)}")
        elif not _is_number(weight) or weight < 0:
            error(f"matching.weights.{name}", f"must be a number >= 0, found {weight!r}")
    for name, given in options.items():
        where = f"matching.options.{name}"
        if name not in known:
            error(where, f"unknown criterion; known: {', '.join(known)}")
        elif not isinstance(given, Mapping):
            error(where, "must be a table of option = value")
        elif name not in weights:
            error(where, f"the {name} criterion has no weight in [matching.weights]")
        elif not known[name]:
            error(where, f"the {name} criterion has no options")
        else:
            for option, value in given.items():
                message = _option_problem(name, option, value, given, known[name])
                if message:
                    error(f"{where}.{option}", message)
    if not problems:
        for name, weight in weights.items():
            if weight > 0:
                chosen = dict(options.get(name, {}))
                if "taxonomy" in chosen:
                    chosen["taxonomy"] = {str(k): str(v) for k, v in chosen["taxonomy"].items()}
                criteria.append(Criterion(name, float(weight), chosen))
        if not criteria:
            error("matching.weights", "give at least one criterion a weight above 0")

    min_score = matching.get("min_score")
    if min_score is not None and not (_is_number(min_score) and 0 <= min_score <= 1):
        error("matching.min_score", f"must be a number from 0 to 1, found {min_score!r}")
    fairness = matching.get("fairness", False)
    if not isinstance(fairness, bool):
        error("matching.fairness", f"must be true or false, found {fairness!r}")
    seniority_from = matching.get("seniority_from", "level")
    if seniority_from not in ("level", "tenure"):
        error("matching.seniority_from", f'must be "level" or "tenure", found {seniority_from!r}')
    reference_date = matching.get("reference_date")
    if reference_date is not None and (
        not isinstance(reference_date, dt.date) or isinstance(reference_date, dt.datetime)
    ):
        error(
            "matching.reference_date",
            f"must be a TOML date such as 2025-09-01 (no quotes), found {reference_date!r}",
        )
    capacity = data.get("mentor_capacity", 1)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        error("mentor_capacity", f"must be a whole number >= 0, found {capacity!r}")
    if problems:
        raise MatchInputError(f"{source} is not a usable matching configuration.", problems)
    return MatchConfig(
        criteria=tuple(criteria),
        min_score=None if min_score is None else float(min_score),
        fairness=fairness,
        mentor_capacity=capacity,
        seniority_from=seniority_from,
        reference_date=reference_date,
    )


def _option_problem(
    name: str, option: str, value: object, given: Mapping[str, Any], defaults: Mapping[str, Any]
) -> str:
    """Why `value` is not acceptable for criterion `name`'s `option` ("" when it is)."""
    if option not in defaults:
        known = ", ".join(defaults)
        return f"unknown option of the {name} criterion; known: {known}"
    default = defaults[option]
    if option == "taxonomy":
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            return 'must be a table of skill = "family"'
        return ""
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else f"must be true or false, found {value!r}"
    if isinstance(default, int | float):
        if not _is_number(value):
            return f"must be a number, found {value!r}"
        number = float(value)
        if option == "partial" and not 0 <= number <= 1:
            return "must be between 0 and 1"
        if option == "slack" and number <= 0:
            return "must be above 0"
        ceiling = given.get("max_gap", defaults.get("max_gap"))
        if option == "min_gap" and _is_number(ceiling) and number > ceiling:
            return "must not exceed max_gap"
        return ""
    if isinstance(default, str):
        if not isinstance(value, str):
            return f"must be text, found {value!r}"
        if name == "department" and option == "prefer" and value not in ("same", "different"):
            return f'must be "same" or "different", found {value!r}'
    return ""


def load_config(path: str | os.PathLike[str]) -> MatchConfig:
    """Read a CRITERIA.toml file (see read_config)."""
    source = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise MatchInputError(f"Cannot read the configuration {source}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise MatchInputError(f"{source} is not valid TOML: {exc}.") from None
    return read_config(data, source)


# ----------------------------------------------------------------------------- the people file


@dataclass(frozen=True)
class Participants:
    """The people of one file, in file order; ignored_columns: headers the command does not
    know, as written."""

    mentees: tuple[Profile, ...]
    mentors: tuple[Profile, ...]
    ignored_columns: tuple[str, ...] = ()


@dataclass
class _Row:
    line: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)


def _decode(data: bytes | str) -> str:
    try:
        return csvfiles.decode(data)
    except csvfiles.CsvFileError as error:
        raise MatchInputError(str(error)) from None


def _split_list(value: str) -> frozenset[str]:
    return frozenset(" ".join(part.split()) for part in value.split(LIST_SEPARATOR) if part.strip())


_ZONE_NAMES: dict[str, str] | None = None


def _zone_name(text: str) -> str | None:
    """The IANA name `text` stands for, ignoring case; None when there is none."""
    global _ZONE_NAMES
    if _ZONE_NAMES is None:
        _ZONE_NAMES = {name.casefold(): name for name in zoneinfo.available_timezones()}
    return _ZONE_NAMES.get(text.casefold())


def _utc_offset(text: str, on: dt.date, cache: dict[str, float | None]) -> float | None:
    """Hours east of UTC at noon UTC on `on`, for an IANA name or "UTC+5:30"; None if unknown."""
    key = text.casefold()
    if key in cache:
        return cache[key]
    offset: float | None = None
    match = _UTC_OFFSET.match(text)
    if match:
        hours = int(match.group(2)) + int(match.group(3) or 0) / 60
        if hours <= 14 and int(match.group(3) or 0) < 60:
            offset = hours if match.group(1) == "+" else -hours
    elif name := _zone_name(text):
        zone = zoneinfo.ZoneInfo(name)
        moment = dt.datetime.combine(on, dt.time(12), tzinfo=dt.UTC).astimezone(zone)
        delta = moment.utcoffset()
        offset = None if delta is None else delta.total_seconds() / 3600
    cache[key] = offset
    return offset


def _read_rows(
    text: str,
) -> tuple[dict[str, str], list[str], list[_Row], list[tuple[int, str]]]:
    """(canonical column -> header as written, ignored headers, rows, (line, problem)s)."""
    try:
        reader, header_info = csvfiles.read_header(text, _HEADER_LOOKUP)
    except csvfiles.CsvFileError as error:
        message = str(error)
        if error.line and not message.startswith("Line"):
            message = f"Line {error.line}: {message}"
        raise MatchInputError(message) from None
    header = header_info.cells
    columns, ignored = header_info.columns, header_info.ignored
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(repr(h) for h in header) or "nothing"
        raise MatchInputError(
            f"Line 1: the file has no {' or '.join(missing)} column; the first line must name "
            f"the columns, including role and id (found: {found})."
        )
    if "hire_date" in columns and "tenure_years" in columns:
        raise MatchInputError(
            f"Line 1: give hire_date or tenure_years, not both (found {columns['hire_date']!r} "
            f"and {columns['tenure_years']!r})."
        )
    rows: list[_Row] = []
    problems: list[tuple[int, str]] = []
    try:
        for line, values in csvfiles.data_rows(reader, header_info):
            if isinstance(values, str):
                problems.append((line, f"line {line}: {values[0].lower()}{values[1:]}"))
            else:
                rows.append(_Row(line, values))
    except csvfiles.CsvFileError as error:
        raise MatchInputError(str(error)) from None
    if not rows and not problems:
        raise MatchInputError("The file has column names but no people in it.")
    return columns, ignored, rows, problems


def _check_row(
    row: _Row,
    fail: Callable[[_Row, str, str], None],
    on: dt.date,
    zone_cache: dict[str, float | None],
) -> None:
    """Parse one row's cells into row.values, calling fail(row, column, message) per problem."""
    raw, values = row.raw, row.values
    role = raw["role"].casefold()
    if not role:
        fail(row, "role", "the role is required; use mentor or mentee.")
    elif role not in ROLES:
        fail(row, "role", f"{raw['role']!r} is not a role; use mentor or mentee.")
    values["role"] = role
    if not raw["id"]:
        fail(row, "id", "the id is required.")
    values["id"] = raw["id"]
    email = raw.get("email", "")
    if email and not _EMAIL.match(email):
        fail(row, "email", f"{email!r} is not an email address.")
    for name in ("name", "department", "title", "location", "about"):
        values[name] = " ".join(raw.get(name, "").split())

    text = raw.get("level", "")
    match = _LEVEL.match(text)
    values["level"] = float(match.group(1)) if match else None
    if text and not match:
        fail(row, "level", f"{text!r} is not a level; use a number such as 5, L5 or IC5.")

    values["tenure"] = None
    text = raw.get("hire_date", "")
    if text:
        hired = None
        if not _ISO_DATE.match(text):
            fail(
                row, "hire_date", f"{text!r} is not a date in YYYY-MM-DD form, such as 2021-03-31."
            )
        else:
            try:
                hired = dt.date.fromisoformat(text)
            except ValueError:
                fail(row, "hire_date", f"{text!r} is not a real date.")
        if hired is not None:
            values["tenure"] = max((on - hired).days / 365.25, 0.0)
    text = raw.get("tenure_years", "")
    if text:
        if _NUMBER.match(text) and float(text) <= 80:
            values["tenure"] = float(text)
        else:
            fail(row, "tenure_years", f"{text!r} is not a number of years, such as 3 or 2.5.")

    text = raw.get("time_zone", "")
    values["utc_offset"] = _utc_offset(text, on, zone_cache) if text else None
    if text and values["utc_offset"] is None:
        fail(
            row,
            "time_zone",
            f"{text!r} is not a known time zone; use an IANA name such as Europe/Paris or "
            "an offset such as UTC+5:30.",
        )

    text = raw.get("capacity", "")
    values["capacity"] = int(text) if _INTEGER.match(text) else None
    if text and values["capacity"] is None:
        fail(row, "capacity", f"{text!r} is not a whole number of mentees (0 or more).")

    for name in ("languages", "skills_offered", "skills_sought", "goals", "exclude_ids"):
        values[name] = _split_list(raw.get(name, ""))
    values["manager_id"] = raw.get("manager_id", "") or None


def _manager_loops(managers: Mapping[str, str | None]) -> list[list[str]]:
    """Every loop in the reporting line (each a list of ids), found in one pass."""
    done: set[str] = set()
    loops: list[list[str]] = []
    for start in managers:
        path: list[str] = []
        position: dict[str, int] = {}
        current: str | None = start
        while (
            current is not None
            and current in managers
            and current not in done
            and current not in position
        ):
            position[current] = len(path)
            path.append(current)
            current = managers[current]
        if current in position:
            loops.append(path[position[current] :])
        done.update(path)
    return loops


def read_participants(data: bytes | str, config: MatchConfig | None = None) -> Participants:
    """Parse and check a people file; every bad row is reported at once as MatchInputError.

    Rows are checked on their own (role, level, dates, time zone, capacity ...) and together
    (duplicate ids, exclusions naming nobody, reporting-line loops).
    """
    config = config or default_config()
    on = config.reference_date or dt.date.today()
    columns, ignored, rows, errors = _read_rows(_decode(data))

    def fail(row: _Row, column: str, message: str) -> None:
        errors.append((row.line, f"line {row.line}, column {columns[column]}: {message}"))

    zone_cache: dict[str, float | None] = {}
    for row in rows:
        _check_row(row, fail, on, zone_cache)

    # The same id may appear once as a mentor and once as a mentee (one person in both roles).
    first: dict[tuple[str, str], _Row] = {}
    by_id: dict[str, list[_Row]] = {}
    for row in rows:
        person, role = row.values["id"], row.values["role"]
        if not person or role not in ROLES:
            continue
        if (person, role) in first:
            fail(
                row,
                "id",
                f"duplicate id {person!r}: line {first[person, role].line} already has "
                f"this {role}.",
            )
            continue
        first[person, role] = row
        others = by_id.setdefault(person, [])
        if others and others[0].values["manager_id"] != row.values["manager_id"]:
            fail(
                row,
                "manager_id",
                f"{person!r} has manager {row.values['manager_id'] or 'none'} here but "
                f"{others[0].values['manager_id'] or 'none'} on line {others[0].line}.",
            )
        others.append(row)
    ids = {row.values["id"] for row in rows}
    for row in rows:
        unknown = sorted(x for x in row.values["exclude_ids"] if x not in ids)
        if unknown:
            fail(
                row,
                "exclude_ids",
                f"no one in the file has the id {', '.join(repr(x) for x in unknown)}.",
            )
    managers = {person: group[0].values["manager_id"] for person, group in by_id.items()}
    for loop in _manager_loops(managers):
        for k, person in enumerate(loop):
            seen_from_here = " → ".join([*loop[k:], *loop[: k + 1]])
            fail(by_id[person][0], "manager_id", f"the reporting line loops: {seen_from_here}.")
    if errors:
        errors.sort(key=lambda e: e[0])
        raise MatchInputError(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the file",
            [message for _, message in errors],
        )

    excluded = {
        person: frozenset().union(*(r.values["exclude_ids"] for r in group))
        for person, group in by_id.items()
    }
    mentees: list[Profile] = []
    mentors: list[Profile] = []
    for row in rows:
        v = row.values
        profile = Profile(
            id=v["id"],
            name=v["name"],
            department=v["department"],
            title=v["title"],
            location=v["location"],
            level=v["tenure"] if config.seniority_from == "tenure" else v["level"],
            utc_offset=v["utc_offset"],
            languages=v["languages"],
            skills_offered=v["skills_offered"],
            skills_sought=v["skills_sought"],
            goals=v["goals"],
            text=v["about"],
            manager_id=v["manager_id"],
            capacity=config.mentor_capacity if v["capacity"] is None else v["capacity"],
            exclude_ids=excluded[v["id"]],
        )
        (mentors if v["role"] == "mentor" else mentees).append(profile)
    if not mentees or not mentors:
        missing = "mentee" if not mentees else "mentor"
        raise MatchInputError(
            f"The file has no {missing}s: give at least one row with role {missing}."
        )
    return Participants(tuple(mentees), tuple(mentors), tuple(ignored))


# ----------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class MatchOutcome:
    """header and rows of the output CSV, and the figures of the summary."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    n_matched: int
    pair_scores: tuple[float, ...]
    unmatched_reasons: Mapping[str, int]
    certified: bool


def _score_text(value: float) -> str:
    return f"{value:.3f}"


def match_participants(
    people: Participants, config: MatchConfig, *, explain: bool = False
) -> MatchOutcome:
    """Score, apply the hard constraints, solve exactly and explain (one row per mentee)."""
    mentees, mentors = list(people.mentees), list(people.mentors)
    criteria = list(config.criteria)
    model = ScoreModel(mentees, mentors, criteria)
    allowed = allowed_pairs(mentees, mentors)
    capacity = np.array([p.capacity for p in mentors], dtype=np.int64)
    result = assign(
        model, capacity, allowed=allowed, min_score=config.min_score, fairness=config.fairness
    )
    matched = np.flatnonzero(result.mentor >= 0)
    parts = model.parts(matched, result.mentor[matched])
    header: tuple[str, ...] = ("mentee_id", "mentor_id", "score", "reasons")
    if explain:
        header += tuple(f"{c.name}_contribution" for c in criteria)
    rows: list[tuple[str, ...]] = []
    pair_scores: list[float] = []
    unmatched: dict[str, int] = {}
    for i, mentee in enumerate(mentees):
        j = int(result.mentor[i])
        if j < 0:
            code = result.reasons[i]
            unmatched[code] = unmatched.get(code, 0) + 1
            sentence = explain_unmatched(
                code,
                0,
                model.block(np.array([i])),
                capacity,
                allowed=allowed[[i]],
                min_score=config.min_score,
            )
            rows.append((mentee.id, "", "", sentence) + ("",) * (len(header) - 4))
            continue
        explanation = explain_pair(mentee, mentors[j], parts, criteria, i, j)
        pair_scores.append(explanation.score)
        row: tuple[str, ...] = (
            mentee.id,
            mentors[j].id,
            _score_text(explanation.score),
            explanation.sentence,
        )
        if explain:
            row += tuple(_score_text(explanation.contributions[c.name]) for c in criteria)
        rows.append(row)
    return MatchOutcome(
        header=header,
        rows=tuple(rows),
        n_matched=result.n_matched,
        pair_scores=tuple(pair_scores),
        unmatched_reasons=unmatched,
        certified=result.certified,
    )


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write all rows or nothing: a temporary file beside `path`, renamed into place."""
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_REASON_WORDS = {
    "mentors_full": "suitable mentors full",
    "no_allowed_mentor": "no allowed mentor",
    "no_mentor_capacity": "no mentor capacity",
    "scores_below_minimum": "scores below the minimum",
}


def _summary(people: Participants, outcome: MatchOutcome, seconds: float, out: Path) -> str:
    n = len(people.mentees)
    places = sum(p.capacity for p in people.mentors)
    parts = [
        f"{n} mentee{'s' if n != 1 else ''} and {len(people.mentors)} mentor"
        f"{'s' if len(people.mentors) != 1 else ''} ({places} places)",
        f"matched {outcome.n_matched} of {n}",
    ]
    if outcome.unmatched_reasons:
        why = ", ".join(
            f"{count} {_REASON_WORDS.get(code, code)}"
            for code, count in sorted(outcome.unmatched_reasons.items())
        )
        parts.append(f"{n - outcome.n_matched} unmatched ({why})")
    if outcome.pair_scores:
        mean = sum(outcome.pair_scores) / len(outcome.pair_scores)
        parts.append(f"score mean {mean:.3f}, minimum {min(outcome.pair_scores):.3f}")
    parts.append(f"{seconds:.2f} s")
    return f"trellis match: {'; '.join(parts)}. Wrote {out}."


def main(argv: Sequence[str] | None = None) -> int:
    """`trellis match PEOPLE.csv --out PAIRS.csv [--config CRITERIA.toml] [--explain]`.

    Returns the exit code: 0 when the pairs were written, 2 for bad input (nothing written).
    """
    started = time.perf_counter()
    parser = argparse.ArgumentParser(
        prog="trellis match",
        description="Match mentees with mentors from one CSV file and write the pairs as CSV. "
        "Needs no database. The columns are described in docs/matching.md.",
    )
    parser.add_argument("people", metavar="PEOPLE.csv", help="one row per mentor or mentee")
    parser.add_argument("--out", required=True, metavar="PAIRS.csv", help="where to write pairs")
    parser.add_argument("--config", metavar="CRITERIA.toml", help="criteria, weights, options")
    parser.add_argument(
        "--explain", action="store_true", help="add each criterion's contribution to the score"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        if out.resolve() == Path(args.people).resolve():
            raise MatchInputError("--out names the people file itself; choose another file.")
        config = load_config(args.config) if args.config else default_config()
        try:
            data = Path(args.people).read_bytes()
        except OSError as exc:
            raise MatchInputError(f"Cannot read {args.people}: {exc.strerror}.") from None
        try:
            people = read_participants(data, config)
        except MatchInputError as exc:
            exc.summary = f"{args.people}: {exc.summary}"
            raise
        outcome = match_participants(people, config, explain=args.explain)
        try:
            _write_csv(out, outcome.header, outcome.rows)
        except OSError as exc:
            raise MatchInputError(f"Cannot write {out}: {exc.strerror}.") from None
    except MatchInputError as exc:
        ending = "; nothing was written:" if exc.problems else ". Nothing was written."
        lines = [f"trellis match: {exc.summary.rstrip('.')}{ending}"]
        lines += [f"  {p}" for p in exc.problems[:MAX_ERRORS_SHOWN]]
        if len(exc.problems) > MAX_ERRORS_SHOWN:
            lines.append(f"  ... and {len(exc.problems) - MAX_ERRORS_SHOWN} more.")
        print("\n".join(lines), file=sys.stderr)
        return EXIT_BAD_INPUT
    if people.ignored_columns:
        print(
            f"trellis match: ignored columns: {', '.join(people.ignored_columns)}.",
            file=sys.stderr,
        )
    print(_summary(people, outcome, time.perf_counter() - started, out), file=sys.stderr)
    return 0
