"""Writes for programs: the template library (read, validate, sync), creating and editing programs,
their lifecycle, saving a program as a template, and the goal's objectives and key results.

Template files and saved templates share one shape, documented in docs/programs.md;
`validate_definition` is the single reader of that shape.
"""

import datetime
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import slugify

from trellis.enrolment.models import Participant
from trellis.matching.criteria import criterion_options as matching_criterion_options
from trellis.people.models import Department, Location

from .models import (
    Cadence,
    Criterion,
    Format,
    KeyResult,
    MatchingMode,
    Metric,
    Objective,
    Program,
    ProgramModel,
    ProgramTemplate,
    Question,
    QuestionKind,
    Role,
    Status,
)

logger = logging.getLogger(__name__)

TEMPLATE_LIBRARY = Path(__file__).resolve().parent / "template_library"

# `programs/templates/` and `programs/new/<key>/` are pages of their own: never program slugs.
RESERVED_SLUGS = frozenset({"templates", "new"})

# Participants who still take part (the enrolment app's `Participant.is_active`).
ACTIVE_PARTICIPANT_STATUSES = ("applied", "approved", "waitlisted", "matched")

# The unit each named metric is measured in; a key result on a metric uses it.
METRIC_UNITS = {
    Metric.PARTICIPATION: "%",
    Metric.MATCH_RATE: "%",
    Metric.MEETINGS_PER_PAIR_PER_MONTH: "meetings",
    Metric.AVERAGE_MEETING_RATING: "out of 4",
    Metric.GOAL_COMPLETION: "%",
    Metric.PROMOTION_RATE: "%",
    Metric.RETENTION_RATE: "%",
}

SURVEY_KINDS = {
    "first_meeting_fit": "First-meeting fit",
    "midpoint": "Midpoint check-in",
    "end_of_program": "End of program",
    "periodic": "Periodic check-in",
}
SURVEY_QUESTION_KINDS = (
    QuestionKind.SCALE,
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.YES_NO,
    QuestionKind.SHORT_TEXT,
    QuestionKind.LONG_TEXT,
)
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)

# Options of a criterion are the scorer's keyword-only parameters, except those Trellis fills in
# itself when it runs a match (the skill taxonomy comes from the directory, not from a template).
_COMPUTED_OPTIONS = frozenset({"taxonomy"})
_KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SURVEY_QUESTION_KEY = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


class TemplateError(ValueError):
    """A template file or saved definition is malformed; the message names the source and key."""


class ProgramError(Exception):
    """A change to a program that cannot be made; the message says why and what to do instead."""


class ProgramTransitionError(ProgramError):
    """A status change that the lifecycle does not allow, or whose preconditions are unmet."""


# --- The template format -----------------------------------------------------------------------


def criterion_options() -> dict[str, dict[str, Any]]:
    """criterion name -> {option: default} for the options a template may set."""
    return matching_criterion_options(exclude=_COMPUTED_OPTIONS)


class _Reader:
    """Reads one definition, collecting every problem as "source: path: message"."""

    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
        )

    @staticmethod
    def at(path: str, key: str) -> str:
        return f"{path}.{key}" if path else key

    def table(self, data: Any, path: str, allowed: Iterable[str]) -> dict:
        if data is None:
            return {}
        if not isinstance(data, Mapping):
            self.error(path, f"expected a table, found {type(data).__name__}")
            return {}
        allowed = list(allowed)
        for key in data:
            if key not in allowed:
                self.error(
                    self.at(path, str(key)),
                    f"unknown key; expected one of: {', '.join(allowed)}",
                )
        return dict(data)

    def items(self, data: Mapping, key: str, path: str) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(self.at(path, key), "expected a list (use [[" + key + "]] blocks in TOML)")
            return []
        return value

    def text(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = False,
        max_length: int | None = None,
    ) -> str:
        value = data.get(key)
        where = self.at(path, key)
        if value is None:
            if required:
                self.error(where, "is required")
            return ""
        if not isinstance(value, str):
            self.error(where, f"expected text, found {value!r}")
            return ""
        value = value.strip()
        if required and not value:
            self.error(where, "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.error(where, f"is {len(value)} characters long; at most {max_length} allowed")
        return value

    def integer(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
        default: int | None = None,
    ) -> int | None:
        value = data.get(key)
        where = self.at(path, key)
        if value is None:
            if required:
                self.error(where, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, f"expected a whole number, found {value!r}")
            return default
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.error(where, f"{value} is outside the allowed range {minimum} to {maximum}")
            return default
        return value

    def number(
        self,
        data: Mapping,
        key: str,
        path: str,
        *,
        required: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
        exclusive_minimum: bool = False,
    ) -> float | None:
        value = data.get(key)
        where = self.at(path, key)
        if value is None:
            if required:
                self.error(where, "is required")
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.error(where, f"expected a number, found {value!r}")
            return None
        too_low = minimum is not None and (
            value <= minimum if exclusive_minimum else value < minimum
        )
        if too_low:
            self.error(where, f"must be {'above' if exclusive_minimum else 'at least'} {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.error(where, f"must be at most {maximum}")
            return None
        return float(value)

    def boolean(self, data: Mapping, key: str, path: str, *, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(self.at(path, key), f"expected true or false, found {value!r}")
            return default
        return value

    def choice(
        self,
        data: Mapping,
        key: str,
        path: str,
        choices: Iterable[str],
        *,
        required: bool = False,
        default: str = "",
    ) -> str:
        choices = [str(c) for c in choices]
        value = data.get(key)
        where = self.at(path, key)
        if value is None:
            if required:
                self.error(where, f"is required; one of: {', '.join(c for c in choices if c)}")
            return default
        if value not in choices:
            self.error(
                where, f"{value!r} is not allowed; use one of: {', '.join(c for c in choices if c)}"
            )
            return default
        return value

    def strings(self, data: Mapping, key: str, path: str, *, max_length: int) -> list[str]:
        value = data.get(key)
        where = self.at(path, key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(where, "expected a list of texts")
            return []
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            self.error(where, "contains an empty entry")
        if len({v.casefold() for v in cleaned}) != len(cleaned):
            self.error(where, "contains the same entry twice")
        for v in cleaned:
            if len(v) > max_length:
                self.error(where, f"{v[:40]!r}… is longer than {max_length} characters")
        return cleaned


_TOP_LEVEL_KEYS = (
    "key",
    "name",
    "summary",
    "description",
    "format",
    "model",
    "matching_mode",
    "mentor_capacity",
    "circle_size",
    "meeting_cadence",
    "duration_weeks",
    "enrolment_weeks",
    "allow_both_roles",
    "requires_approval",
    "consent_text",
    "north_star",
    "eligibility",
    "matching",
    "questions",
    "surveys",
    "okrs",
)


def validate_definition(data: Any, *, source: str) -> dict:
    """Check a template definition and return it normalised (every key present, defaults filled).

    Raises TemplateError listing every problem, each as "source: path: message", where a path
    counts list entries from 1 ("questions #2.kind").
    """
    reader = _Reader(source)
    data = reader.table(data, "", _TOP_LEVEL_KEYS)
    out: dict[str, Any] = {}
    key = reader.text(data, "key", "", required=True, max_length=80)
    if key and not _KEY_PATTERN.match(key):
        reader.error("key", f"{key!r} must be lower-case letters, digits and single hyphens")
    out["key"] = key
    out["name"] = reader.text(data, "name", "", required=True, max_length=200)
    out["summary"] = reader.text(data, "summary", "", max_length=300)
    out["description"] = reader.text(data, "description", "")
    program_format = reader.choice(data, "format", "", Format.values, required=True)
    out["format"] = program_format
    model = reader.choice(data, "model", "", ProgramModel.values, required=True)
    out["model"] = model
    out["matching_mode"] = reader.choice(
        data, "matching_mode", "", MatchingMode.values, required=True
    )
    out["mentor_capacity"] = reader.integer(
        data, "mentor_capacity", "", minimum=1, maximum=50, default=1
    )
    if program_format == Format.CIRCLE:
        out["circle_size"] = reader.integer(
            data, "circle_size", "", required=True, minimum=2, maximum=30
        )
    else:
        if data.get("circle_size") is not None:
            reader.error("circle_size", "only circle programs have a circle size; remove it")
        out["circle_size"] = None
    out["meeting_cadence"] = reader.choice(
        data, "meeting_cadence", "", Cadence.values, required=True
    )
    if model == ProgramModel.EVERGREEN:
        for timeline_key in ("duration_weeks", "enrolment_weeks"):
            if data.get(timeline_key) is not None:
                reader.error(
                    timeline_key,
                    "evergreen programs are always open and have no fixed timeline; remove it",
                )
        out["duration_weeks"] = None
        out["enrolment_weeks"] = None
    else:
        out["duration_weeks"] = reader.integer(data, "duration_weeks", "", minimum=1, maximum=156)
        out["enrolment_weeks"] = reader.integer(data, "enrolment_weeks", "", minimum=1, maximum=52)
    out["allow_both_roles"] = reader.boolean(data, "allow_both_roles", "", default=False)
    out["requires_approval"] = reader.boolean(data, "requires_approval", "", default=False)
    out["consent_text"] = reader.text(data, "consent_text", "")
    out["north_star"] = reader.text(data, "north_star", "", max_length=300)
    out["eligibility"] = _read_eligibility(reader, data.get("eligibility"))
    out["matching"] = _read_matching(reader, data.get("matching"), "matching")
    roles = _roles_of(program_format)
    out["questions"] = [
        _read_question(reader, item, f"questions #{i}", roles)
        for i, item in enumerate(reader.items(data, "questions", ""), start=1)
    ]
    out["surveys"] = _read_surveys(reader, reader.items(data, "surveys", ""))
    out["okrs"] = [
        _read_objective(reader, item, f"okrs #{i}")
        for i, item in enumerate(reader.items(data, "okrs", ""), start=1)
    ]
    if reader.errors:
        raise TemplateError("\n".join(reader.errors))
    return out


def _roles_of(program_format: str) -> tuple[str, ...]:
    """Roles a question may be addressed to ("" is everyone)."""
    if program_format == Format.PEER:
        return ("", Role.PEER)
    return ("", Role.MENTOR, Role.MENTEE)


def _read_eligibility(reader: _Reader, data: Any) -> dict:
    path = "eligibility"
    data = reader.table(
        data,
        path,
        (
            "mentor_min_level",
            "mentor_min_tenure_months",
            "mentee_max_level",
            "departments",
            "locations",
        ),
    )
    return {
        "mentor_min_level": reader.integer(data, "mentor_min_level", path, minimum=0, maximum=100),
        "mentor_min_tenure_months": reader.integer(
            data, "mentor_min_tenure_months", path, minimum=0, maximum=600
        ),
        "mentee_max_level": reader.integer(data, "mentee_max_level", path, minimum=0, maximum=100),
        "departments": reader.strings(data, "departments", path, max_length=200),
        "locations": reader.strings(data, "locations", path, max_length=200),
    }


def _read_matching(reader: _Reader, data: Any, path: str) -> dict:
    data = reader.table(data, path, ("weights", "options"))
    known = criterion_options()
    weights_path = reader.at(path, "weights")
    weights_data = reader.table(data.get("weights"), weights_path, known)
    weights: dict[str, float] = {}
    for name in known:
        weight = reader.number(weights_data, name, weights_path, minimum=0, maximum=100)
        if weight is not None:
            weights[name] = weight
    if not any(w > 0 for w in weights.values()):
        reader.error(
            weights_path,
            f"give at least one criterion a weight above 0 (criteria: {', '.join(known)})",
        )
    options_path = reader.at(path, "options")
    options_data = reader.table(data.get("options"), options_path, known)
    options: dict[str, dict[str, Any]] = {}
    for name, given in options_data.items():
        if name not in known:
            continue
        where = reader.at(options_path, name)
        if not known[name]:
            reader.error(where, f"the {name} criterion has no options")
            continue
        given = reader.table(given, where, known[name])
        chosen: dict[str, Any] = {}
        for option, value in given.items():
            if option not in known[name]:
                continue
            default = known[name][option]
            option_where = reader.at(where, option)
            if isinstance(default, bool):
                if not isinstance(value, bool):
                    reader.error(option_where, f"expected true or false, found {value!r}")
                    continue
            elif isinstance(default, int | float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    reader.error(option_where, f"expected a number, found {value!r}")
                    continue
                value = float(value)
            elif isinstance(default, str) and not isinstance(value, str):
                reader.error(option_where, f"expected text, found {value!r}")
                continue
            chosen[option] = value
        _check_criterion_options(reader, name, chosen, known[name], where)
        if chosen:
            options[name] = chosen
    return {"weights": weights, "options": options}


def _check_criterion_options(
    reader: _Reader, name: str, chosen: dict, defaults: dict, where: str
) -> None:
    """Rules the scorers' signatures cannot say."""
    if name == "department" and chosen.get("prefer", "different") not in ("same", "different"):
        reader.error(reader.at(where, "prefer"), 'must be "same" or "different"')
    if "partial" in chosen and not 0 <= chosen["partial"] <= 1:
        reader.error(reader.at(where, "partial"), "must be between 0 and 1")
    if name == "seniority":
        low = chosen.get("min_gap", defaults.get("min_gap"))
        high = chosen.get("max_gap", defaults.get("max_gap"))
        if low is not None and high is not None and low > high:
            reader.error(where, f"min_gap ({low:g}) must not exceed max_gap ({high:g})")
        if chosen.get("slack", 1) <= 0:
            reader.error(reader.at(where, "slack"), "must be above 0")


def _read_choices_and_scale(
    reader: _Reader, data: Mapping, path: str, kind: str, out: dict
) -> None:
    """Choices for choice questions, bounds and labels for scales; each refused elsewhere."""
    if kind in CHOICE_KINDS:
        choices = reader.strings(data, "choices", path, max_length=200)
        if len(choices) < 2:
            reader.error(reader.at(path, "choices"), f"a {kind} question needs at least 2 choices")
        out["choices"] = choices
    else:
        if data.get("choices"):
            reader.error(reader.at(path, "choices"), f"a {kind} question has no choices")
        out["choices"] = []
    scale_path = reader.at(path, "scale")
    if kind == QuestionKind.SCALE:
        scale = reader.table(
            data.get("scale"), scale_path, ("min", "max", "min_label", "max_label")
        )
        low = reader.integer(scale, "min", scale_path, minimum=-100, maximum=100, default=1)
        high = reader.integer(scale, "max", scale_path, minimum=-100, maximum=100, default=5)
        if low is not None and high is not None and low >= high:
            reader.error(scale_path, f"min ({low}) must be below max ({high})")
        out["scale"] = {
            "min": low,
            "max": high,
            "min_label": reader.text(scale, "min_label", scale_path, max_length=60),
            "max_label": reader.text(scale, "max_label", scale_path, max_length=60),
        }
    else:
        if data.get("scale") is not None:
            reader.error(scale_path, f"only scale questions have a scale, not {kind}")
        out["scale"] = None


def _read_question(reader: _Reader, data: Any, path: str, roles: tuple[str, ...]) -> dict:
    data = reader.table(
        data,
        path,
        (
            "role",
            "kind",
            "label",
            "help_text",
            "required",
            "choices",
            "max_selections",
            "scale",
            "criterion",
            "private",
        ),
    )
    out: dict[str, Any] = {
        "role": reader.choice(data, "role", path, roles, default=""),
        "kind": reader.choice(data, "kind", path, QuestionKind.values, required=True),
        "label": reader.text(data, "label", path, required=True, max_length=300),
        "help_text": reader.text(data, "help_text", path, max_length=500),
        "required": reader.boolean(data, "required", path, default=True),
    }
    kind = out["kind"]
    _read_choices_and_scale(reader, data, path, kind, out)
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.SKILLS):
        most = len(out["choices"]) if kind == QuestionKind.MULTIPLE_CHOICE else 50
        out["max_selections"] = reader.integer(
            data, "max_selections", path, minimum=1, maximum=max(most, 1)
        )
    else:
        if data.get("max_selections") is not None:
            reader.error(
                reader.at(path, "max_selections"),
                "only multiple-choice and skills questions limit selections",
            )
        out["max_selections"] = None
    out["criterion"] = reader.choice(data, "criterion", path, Criterion.values, default="")
    out["private"] = reader.boolean(data, "private", path, default=False)
    return out


def _read_surveys(reader: _Reader, items: list) -> list[dict]:
    surveys = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        path = f"surveys #{i}"
        data = reader.table(item, path, ("kind", "title", "every_weeks", "questions"))
        kind = reader.choice(data, "kind", path, SURVEY_KINDS, required=True)
        if kind and kind in seen:
            reader.error(reader.at(path, "kind"), f"a template runs one {kind} survey at most")
        seen.add(kind)
        survey: dict[str, Any] = {
            "kind": kind,
            "title": reader.text(data, "title", path, max_length=200) or SURVEY_KINDS.get(kind, ""),
        }
        if kind == "periodic":
            survey["every_weeks"] = reader.integer(
                data, "every_weeks", path, required=True, minimum=1, maximum=52
            )
        else:
            if data.get("every_weeks") is not None:
                reader.error(
                    reader.at(path, "every_weeks"), "only periodic surveys repeat every N weeks"
                )
            survey["every_weeks"] = None
        questions = []
        keys: set[str] = set()
        for j, question_data in enumerate(reader.items(data, "questions", path), start=1):
            question_path = f"{path}.questions #{j}"
            question_data = reader.table(
                question_data,
                question_path,
                ("key", "kind", "label", "required", "choices", "scale"),
            )
            question: dict[str, Any] = {
                "key": reader.text(
                    question_data, "key", question_path, required=True, max_length=60
                ),
                "kind": reader.choice(
                    question_data, "kind", question_path, SURVEY_QUESTION_KINDS, required=True
                ),
                "label": reader.text(
                    question_data, "label", question_path, required=True, max_length=300
                ),
                "required": reader.boolean(question_data, "required", question_path, default=True),
            }
            if question["key"] and not _SURVEY_QUESTION_KEY.match(question["key"]):
                reader.error(
                    reader.at(question_path, "key"),
                    f"{question['key']!r} must be lower-case letters, digits and underscores",
                )
            if question["key"] in keys:
                reader.error(reader.at(question_path, "key"), "is used twice in this survey")
            keys.add(question["key"])
            _read_choices_and_scale(
                reader, question_data, question_path, question["kind"], question
            )
            questions.append(question)
        if not questions:
            reader.error(path, "a survey needs at least one question")
        survey["questions"] = questions
        surveys.append(survey)
    return surveys


def _read_objective(reader: _Reader, data: Any, path: str) -> dict:
    data = reader.table(data, path, ("objective", "key_results"))
    key_results = []
    for i, item in enumerate(reader.items(data, "key_results", path), start=1):
        where = f"{path}.key_results #{i}"
        item = reader.table(
            item, where, ("title", "metric", "target", "unit", "deadline_weeks", "deadline_days")
        )
        metric = reader.choice(item, "metric", where, ["", *Metric.values], default="")
        unit = reader.text(item, "unit", where, max_length=30)
        if metric:
            expected = METRIC_UNITS[metric]
            if not unit:
                unit = expected
            elif unit != expected:
                reader.error(
                    reader.at(where, "unit"),
                    f"{metric} is measured in {expected!r}, not {unit!r}; leave the unit out",
                )
        weeks = reader.integer(item, "deadline_weeks", where, minimum=0, maximum=520)
        days = reader.integer(item, "deadline_days", where, minimum=0, maximum=3650)
        if weeks is not None and days is not None:
            reader.error(where, "give deadline_weeks or deadline_days, not both")
        key_result: dict[str, Any] = {
            "title": reader.text(item, "title", where, required=True, max_length=300),
            "metric": metric,
            "target": reader.number(
                item, "target", where, required=True, minimum=0, exclusive_minimum=True
            ),
            "unit": unit,
        }
        if days is not None:
            key_result["deadline_days"] = days
        else:
            key_result["deadline_weeks"] = weeks
        key_results.append(key_result)
    return {
        "objective": reader.text(data, "objective", path, required=True, max_length=300),
        "key_results": key_results,
    }


def load_template_file(path: Path) -> dict:
    """Read and validate one template file; its `key` must be the file name without `.toml`."""
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{source}: not valid TOML: {error}") from error
    except OSError as error:
        raise TemplateError(f"{source}: cannot be read: {error}") from error
    definition = validate_definition(data, source=source)
    if definition["key"] != path.stem:
        raise TemplateError(
            f"{source}: key: {definition['key']!r} must match the file name ({path.stem!r})"
        )
    return definition


def load_builtin_templates(directory: Path = TEMPLATE_LIBRARY) -> list[dict]:
    """Every `*.toml` in the library, validated, in file-name order."""
    return [load_template_file(path) for path in sorted(directory.glob("*.toml"))]


def sync_builtin_templates(
    *, directory: Path = TEMPLATE_LIBRARY, template_model=ProgramTemplate, using: str = "default"
) -> list[str]:
    """Make the built-in ProgramTemplate rows mirror the library files; return the keys synced.

    Built-in rows whose file is gone are deleted (programs keep their copied settings). A saved
    template that happens to use a built-in key is left alone, with a warning in the log.
    `template_model` lets the post_migrate handler pass the historical model.
    """
    definitions = load_builtin_templates(directory)
    manager = template_model._default_manager.db_manager(using)
    synced = []
    with transaction.atomic(using=using):
        existing = {t.key: t for t in manager.select_for_update()}
        for definition in definitions:
            row = existing.get(definition["key"])
            if row is not None and not row.is_builtin:
                logger.warning(
                    "Saved template %r uses the key of a built-in template; the built-in one "
                    "was not installed. Rename the saved template to install it.",
                    row.key,
                )
                continue
            fields = {
                "name": definition["name"],
                "summary": definition["summary"],
                "definition": definition,
                "is_builtin": True,
            }
            if row is None:
                manager.create(key=definition["key"], **fields)
            elif any(getattr(row, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(row, name, value)
                row.save()
            synced.append(definition["key"])
        manager.filter(is_builtin=True).exclude(key__in=synced).delete()
    return synced


def template_definition(template: ProgramTemplate) -> dict:
    """The template's stored definition, validated (an admin may have edited the JSON)."""
    return validate_definition(template.definition, source=f"template {template.key!r}")


# --- Programs ----------------------------------------------------------------------------------

# Settings copied from a template and editable on the program.
_SETTING_FIELDS = (
    "summary",
    "description",
    "format",
    "model",
    "matching_mode",
    "mentor_capacity",
    "circle_size",
    "meeting_cadence",
    "north_star",
    "allow_both_roles",
    "requires_approval",
    "consent_text",
    "mentor_min_level",
    "mentor_min_tenure_months",
    "mentee_max_level",
    "matching_weights",
    "matching_options",
    "surveys",
)
DATE_FIELDS = ("enrolment_opens_on", "enrolment_closes_on", "starts_on", "ends_on")
_RELATED_FIELDS = ("eligible_departments", "eligible_locations", "managers")
SELF_MATCHING_FIELDS = ("request_limit", "request_expiry_days", "evergreen_matching")
EDITABLE_FIELDS = (
    "name",
    *_SETTING_FIELDS,
    *SELF_MATCHING_FIELDS,
    *DATE_FIELDS,
    *_RELATED_FIELDS,
)


def _settings_from_definition(definition: dict) -> dict:
    eligibility = definition["eligibility"]
    return {
        "summary": definition["summary"],
        "description": definition["description"],
        "format": definition["format"],
        "model": definition["model"],
        "matching_mode": definition["matching_mode"],
        "mentor_capacity": definition["mentor_capacity"],
        "circle_size": definition["circle_size"],
        "meeting_cadence": definition["meeting_cadence"],
        "north_star": definition["north_star"],
        "allow_both_roles": definition["allow_both_roles"],
        "requires_approval": definition["requires_approval"],
        "consent_text": definition["consent_text"],
        "mentor_min_level": eligibility["mentor_min_level"],
        "mentor_min_tenure_months": eligibility["mentor_min_tenure_months"],
        "mentee_max_level": eligibility["mentee_max_level"],
        "matching_weights": dict(definition["matching"]["weights"]),
        "matching_options": {k: dict(v) for k, v in definition["matching"]["options"].items()},
        "surveys": list(definition["surveys"]),
    }


def suggested_timeline(definition: dict, today: datetime.date | None = None) -> dict:
    """Dates a new cohort program could start from: enrolment opens today and stays open for the
    template's enrolment_weeks (3 by default), a week for matching, then duration_weeks."""
    if definition["model"] != ProgramModel.COHORT:
        return dict.fromkeys(DATE_FIELDS)
    today = today or timezone.localdate()
    closes = today + datetime.timedelta(weeks=definition["enrolment_weeks"] or 3)
    starts = closes + datetime.timedelta(weeks=1)
    ends = starts + datetime.timedelta(weeks=definition["duration_weeks"] or 12)
    return {
        "enrolment_opens_on": today,
        "enrolment_closes_on": closes,
        "starts_on": starts,
        "ends_on": ends,
    }


def timeline_problems(
    model: str,
    status: str,
    *,
    enrolment_opens_on: datetime.date | None,
    enrolment_closes_on: datetime.date | None,
    starts_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> list[tuple[str, str]]:
    """(field, message) for every rule the dates break. Evergreen programs have no dates.

    Cohort rules: the window opens on or before it closes, closes on or before the start, and
    the program starts before it ends. A draft may leave dates empty; once enrolment has opened
    all four are needed.
    """
    dates = {
        "enrolment_opens_on": enrolment_opens_on,
        "enrolment_closes_on": enrolment_closes_on,
        "starts_on": starts_on,
        "ends_on": ends_on,
    }
    problems: list[tuple[str, str]] = []
    if model == ProgramModel.EVERGREEN:
        for name, value in dates.items():
            if value is not None:
                problems.append(
                    (
                        name,
                        "An evergreen program is always open and has no dates; leave this empty.",
                    )
                )
        return problems
    if status != Status.DRAFT:
        for name, value in dates.items():
            if value is None:
                problems.append(
                    (name, "A cohort program needs this date once enrolment has opened.")
                )
    if (enrolment_opens_on is None) != (enrolment_closes_on is None):
        missing = "enrolment_closes_on" if enrolment_closes_on is None else "enrolment_opens_on"
        problems.append((missing, "Give both ends of the enrolment window, or neither."))
    if enrolment_opens_on and enrolment_closes_on and enrolment_opens_on > enrolment_closes_on:
        problems.append(
            ("enrolment_closes_on", "Enrolment must close on or after the day it opens.")
        )
    if enrolment_closes_on and starts_on and enrolment_closes_on > starts_on:
        problems.append(
            ("enrolment_closes_on", "Enrolment must close on or before the program starts.")
        )
    if enrolment_opens_on and starts_on and enrolment_opens_on > starts_on:
        problems.append(("enrolment_opens_on", "Enrolment must open before the program starts."))
    if starts_on and ends_on and starts_on >= ends_on:
        problems.append(("ends_on", "The program must end after it starts."))
    return list(dict.fromkeys(problems))


def _check_timeline(values: dict, status: str) -> None:
    problems = timeline_problems(
        values["model"], status, **{name: values.get(name) for name in DATE_FIELDS}
    )
    if problems:
        raise ProgramError(" ".join(dict.fromkeys(message for _, message in problems)))


def check_surveys(surveys: list) -> list[dict]:
    """The surveys in their checked form (as a template's [[surveys]] are read), or
    ProgramError with every problem, each naming the survey and question."""
    reader = _Reader("surveys")
    checked = _read_surveys(reader, surveys)
    if reader.errors:
        raise ProgramError(" ".join(e.removeprefix("surveys: ") for e in reader.errors))
    return checked


def check_matching_settings(weights: dict, options: dict) -> None:
    """Raise ProgramError unless the weights and options are ones trellis.matching accepts."""
    reader = _Reader("matching")
    _read_matching(reader, {"weights": weights, "options": options}, "")
    if reader.errors:
        raise ProgramError(" ".join(e.removeprefix("matching: ") for e in reader.errors))


def _check_managers(managers: Iterable) -> list:
    managers = list(managers)
    if not managers:
        raise ProgramError("A program needs at least one program manager.")
    for user in managers:
        if not (user.is_active and user.is_program_manager):
            raise ProgramError(
                f"{user} cannot manage programs: only active program managers and "
                "organisation admins can be named."
            )
    return managers


def available_slug(name: str, *, exclude_pk: int | None = None) -> str:
    """A slug for `name` that no other program uses and that is not a reserved word."""
    max_length = Program._meta.get_field("slug").max_length
    base = slugify(name)[: max_length - 4].strip("-") or "program"
    taken = set(
        Program.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _save_new_program(program: Program) -> None:
    """Insert with a free slug; a concurrent insert of the same name takes the next number."""
    for attempt in range(5):
        program.slug = available_slug(program.name)
        try:
            with transaction.atomic():
                program.save()
            return
        except IntegrityError:
            if attempt == 4 or not Program.objects.filter(slug=program.slug).exists():
                raise


def _question_from_definition(program: Program, item: dict, position: int) -> Question:
    scale = item["scale"] or {}
    return Question(
        program=program,
        role=item["role"],
        kind=item["kind"],
        label=item["label"],
        help_text=item["help_text"],
        is_required=item["required"],
        choices=list(item["choices"]),
        scale_min=scale.get("min", 1),
        scale_max=scale.get("max", 5),
        scale_min_label=scale.get("min_label", ""),
        scale_max_label=scale.get("max_label", ""),
        max_selections=item["max_selections"],
        criterion=item["criterion"],
        is_private=item["private"],
        position=position,
    )


def okr_anchor(program: Program) -> datetime.date:
    """The day key-result deadlines count from: the start date, else the day it was created."""
    if program.starts_on:
        return program.starts_on
    if program.created_at:
        return timezone.localdate(program.created_at)
    return timezone.localdate()


@transaction.atomic
def create_program_from_template(
    template: ProgramTemplate, *, name: str, created_by, **overrides
) -> Program:
    """A draft program with everything the template sets: settings, registration questions,
    surveys and OKRs (deadlines counted from the start date, else today). The creator manages it.

    `overrides` are Program fields (dates, settings, `eligible_departments`, `eligible_locations`,
    extra `managers`). A cohort program given `starts_on` but no `ends_on` runs for the template's
    duration_weeks. Eligible departments and locations a saved template names are looked up by
    name; names no longer in the directory are skipped.
    """
    unknown = set(overrides) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown program settings: {', '.join(sorted(unknown))}")
    name = (name or "").strip()
    if not name:
        raise ProgramError("Give the program a name.")
    definition = template_definition(template)
    values = _settings_from_definition(definition)
    values.update({k: v for k, v in overrides.items() if k not in _RELATED_FIELDS})
    weeks = definition["duration_weeks"]
    if values["model"] == ProgramModel.COHORT and weeks and values.get("starts_on"):
        values.setdefault("ends_on", None)
        values["ends_on"] = values["ends_on"] or values["starts_on"] + datetime.timedelta(
            weeks=weeks
        )
    _check_timeline(values, Status.DRAFT)
    check_matching_settings(values["matching_weights"], values["matching_options"])
    managers = [created_by, *overrides.get("managers", ())]
    _check_managers(managers)

    program = Program(name=name, template=template, created_by=created_by, **values)
    _save_new_program(program)
    program.managers.set(managers)
    if "eligible_departments" in overrides:
        program.eligible_departments.set(overrides["eligible_departments"])
    else:
        names = definition["eligibility"]["departments"]
        program.eligible_departments.set(Department.objects.filter(name__in=names))
    if "eligible_locations" in overrides:
        program.eligible_locations.set(overrides["eligible_locations"])
    else:
        names = definition["eligibility"]["locations"]
        program.eligible_locations.set(Location.objects.filter(name__in=names))

    Question.objects.bulk_create(
        _question_from_definition(program, item, position)
        for position, item in enumerate(definition["questions"])
    )
    anchor = okr_anchor(program)
    for position, item in enumerate(definition["okrs"]):
        objective = Objective.objects.create(
            program=program, title=item["objective"], position=position
        )
        KeyResult.objects.bulk_create(
            KeyResult(
                objective=objective,
                title=kr["title"],
                metric=kr["metric"],
                target=kr["target"],
                unit=kr["unit"],
                deadline=_deadline(anchor, kr),
                position=kr_position,
            )
            for kr_position, kr in enumerate(item["key_results"])
        )
    return program


def _deadline(anchor: datetime.date, key_result: dict) -> datetime.date | None:
    if key_result.get("deadline_days") is not None:
        return anchor + datetime.timedelta(days=key_result["deadline_days"])
    if key_result.get("deadline_weeks") is not None:
        return anchor + datetime.timedelta(weeks=key_result["deadline_weeks"])
    return None


@transaction.atomic
def update_program(program: Program, *, by, **changes) -> Program:
    """Change a program's settings (any of EDITABLE_FIELDS) and return it, refreshed.

    Format and model are fixed once enrolment has opened (people registered for them).
    Evergreen programs keep no dates. When a set start date moves, key-result deadlines move
    with it. Raises ProgramError with the reason when the change cannot be made.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown program settings: {', '.join(sorted(unknown))}")
    current = Program.objects.select_for_update().get(pk=program.pk)
    values = {name: getattr(current, name) for name in ("name", *_SETTING_FIELDS, *DATE_FIELDS)}
    values.update({k: v for k, v in changes.items() if k not in _RELATED_FIELDS})
    values["name"] = (values["name"] or "").strip()
    if not values["name"]:
        raise ProgramError("Give the program a name.")
    if current.status != Status.DRAFT:
        if values["format"] != current.format:
            raise ProgramError(
                "The format cannot change once enrolment has opened: people registered for a "
                f"{current.get_format_display().lower()} program."
            )
        if values["model"] != current.model:
            raise ProgramError(
                "A program cannot switch between cohort and evergreen once enrolment has "
                "opened: people registered for its timeline."
            )
    if values["model"] == ProgramModel.EVERGREEN:
        values.update(dict.fromkeys(DATE_FIELDS))
    if values["format"] != Format.CIRCLE:
        values["circle_size"] = None
    elif not values["circle_size"] or values["circle_size"] < 2:
        raise ProgramError("A circle program needs a circle size of at least 2.")
    _check_timeline(values, current.status)
    check_matching_settings(values["matching_weights"], values["matching_options"])
    if "surveys" in changes:
        values["surveys"] = check_surveys(values["surveys"])
    if "managers" in changes:
        managers = _check_managers(changes["managers"])

    program_format_before = current.format
    shift = None
    if current.starts_on and values["starts_on"] and values["starts_on"] != current.starts_on:
        shift = values["starts_on"] - current.starts_on
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    if "managers" in changes:
        current.managers.set(managers)
    if "eligible_departments" in changes:
        current.eligible_departments.set(changes["eligible_departments"])
    if "eligible_locations" in changes:
        current.eligible_locations.set(changes["eligible_locations"])
    if values["format"] != program_format_before:
        _readdress_questions(current, values["format"])
    if shift:
        for key_result in KeyResult.objects.filter(
            objective__program=current, deadline__isnull=False
        ):
            key_result.deadline += shift
            key_result.save(update_fields=["deadline"])
    logger.info("Program %s updated by %s: %s", current.slug, by, ", ".join(sorted(changes)))
    return current


def _readdress_questions(program: Program, new_format: str) -> None:
    """After a switch to or from the peer format, questions for roles the program no longer has
    are asked of everyone rather than of nobody."""
    roles = _roles_of(new_format)
    program.questions.exclude(role__in=roles).update(role="")


# --- Lifecycle ---------------------------------------------------------------------------------

_TRANSITIONS = {
    Status.DRAFT: (Status.ENROLLING,),
    Status.ENROLLING: (Status.MATCHING, Status.DRAFT, Status.CLOSED),
    Status.MATCHING: (Status.ENROLLING, Status.ACTIVE, Status.CLOSED),
    Status.ACTIVE: (Status.CLOSED,),
    Status.CLOSED: (),
}


def allowed_transitions(program: Program) -> list[str]:
    """Statuses the program may move to next (preconditions are checked on the move itself)."""
    allowed = list(_TRANSITIONS[Status(program.status)])
    if program.is_evergreen and program.status == Status.ENROLLING:
        allowed.insert(1, Status.ACTIVE)
    return allowed


def human_date(value: datetime.date) -> str:
    return format_date(value, "j F Y")


def _label(status: str) -> str:
    return Status(status).label


def _refusal(program: Program, new_status: str) -> str:
    current = program.status
    if new_status == current:
        return f"The program is already {_label(current).lower()}."
    if current == Status.CLOSED:
        return (
            "A closed program cannot be reopened. Save it as a template and create a new "
            "program from it to run it again."
        )
    if current == Status.ENROLLING and new_status == Status.ACTIVE:
        return (
            "A cohort program is matched before it starts: move it to Matching first, then to "
            "Active. Only evergreen programs go straight from Enrolling to Active."
        )
    if current == Status.ACTIVE and new_status in (Status.ENROLLING, Status.MATCHING):
        if program.is_evergreen:
            return "An active evergreen program already keeps enrolment open and matches newcomers."
        return (
            "An active cohort program cannot reopen enrolment or matching; run a new cohort "
            "instead (save this program as a template)."
        )
    if current == Status.ACTIVE and new_status == Status.DRAFT:
        return "An active program cannot go back to draft; close it instead."
    allowed = ", ".join(_label(s) for s in allowed_transitions(program))
    return (
        f"A program that is {_label(current).lower()} can move to {allowed}, "
        f"not to {_label(new_status)}."
    )


def _active_participant_count(program: Program) -> int:
    return Participant.objects.filter(
        program=program, status__in=ACTIVE_PARTICIPANT_STATUSES
    ).count()


def _enrolment_problems(program: Program, today: datetime.date) -> list[str]:
    problems = []
    if not program.is_evergreen:
        if not (program.enrolment_opens_on and program.enrolment_closes_on):
            problems.append("set the enrolment window (the dates enrolment opens and closes)")
        if not (program.starts_on and program.ends_on):
            problems.append("set the start and end dates")
        if program.enrolment_closes_on and program.enrolment_closes_on < today:
            problems.append(
                f"the enrolment window closed on {human_date(program.enrolment_closes_on)}; "
                "move the closing date in the settings"
            )
    if program.format == Format.CIRCLE and not program.circle_size:
        problems.append("set the circle size")
    roles = (Role.PEER,) if program.format == Format.PEER else (Role.MENTOR, Role.MENTEE)
    asked = set(program.questions.values_list("role", flat=True))
    for role in roles:
        if not asked & {role, ""}:
            problems.append(
                f"add at least one registration question for {Role(role).label.lower()}s"
            )
    if not program.managers.exists():
        problems.append("name at least one program manager")
    return problems


def _transition_problems(program: Program, new_status: str, today: datetime.date) -> list[str]:
    if new_status == Status.ENROLLING:
        return _enrolment_problems(program, today)
    if new_status == Status.DRAFT:
        registered = _active_participant_count(program)
        if registered:
            return [
                f"{registered} {'person has' if registered == 1 else 'people have'} registered; "
                "close the program instead, or withdraw the registrations first"
            ]
    if new_status == Status.MATCHING and not _active_participant_count(program):
        return ["no one has registered yet, so there is nobody to match; keep enrolment open"]
    needs_dates = new_status == Status.ACTIVE and not program.is_evergreen
    if needs_dates and not (program.starts_on and program.ends_on):
        return ["set the start and end dates"]
    return []


_PROBLEM_LEAD = {
    Status.ENROLLING: "Enrolment cannot open yet",
    Status.DRAFT: "The program cannot go back to draft",
    Status.MATCHING: "Matching cannot start",
    Status.ACTIVE: "The program cannot start",
}


@transaction.atomic
def change_program_status(
    program: Program, new_status: str, *, by, today: datetime.date | None = None
) -> Program:
    """Move the program along its lifecycle, or raise ProgramTransitionError saying why not.

    draft → enrolling; enrolling → matching, draft or closed; matching → enrolling, active or
    closed; active → closed. Evergreen programs may also go enrolling → active (their
    enrolment stays open while active). Preconditions: see docs/programs.md.
    """
    if new_status not in Status.values:
        raise ProgramTransitionError(f"{new_status!r} is not a program status.")
    today = today or timezone.localdate()
    current = Program.objects.select_for_update().get(pk=program.pk)
    if new_status not in allowed_transitions(current):
        raise ProgramTransitionError(_refusal(current, new_status))
    problems = _transition_problems(current, new_status, today)
    if problems:
        raise ProgramTransitionError(f"{_PROBLEM_LEAD[new_status]}: {'; '.join(problems)}.")
    previous = current.status
    current.status = new_status
    current.save(update_fields=["status", "updated_at"])
    logger.info("Program %s moved from %s to %s by %s", current.slug, previous, new_status, by)
    program.status = new_status
    return current


# --- Saving a program as a template ------------------------------------------------------------


def program_definition(program: Program, *, key: str, name: str) -> dict:
    """The program's recipe in the template shape: settings, questions, surveys and OKRs.

    Dates become relative: the cohort's length and enrolment window in whole weeks, key-result
    deadlines in days (or weeks when whole) from the start date (`okr_anchor`).
    """
    duration_weeks = enrolment_weeks = None
    if not program.is_evergreen:
        if program.starts_on and program.ends_on:
            duration_weeks = max(1, round((program.ends_on - program.starts_on).days / 7))
        if program.enrolment_opens_on and program.enrolment_closes_on:
            days = (program.enrolment_closes_on - program.enrolment_opens_on).days
            enrolment_weeks = max(1, round(days / 7))
    anchor = okr_anchor(program)
    okrs = []
    for objective in program.objectives.prefetch_related("key_results"):
        key_results = []
        for kr in objective.key_results.all():
            item: dict[str, Any] = {
                "title": kr.title,
                "metric": kr.metric,
                "target": kr.target,
                "unit": kr.unit,
            }
            if kr.deadline is None:
                item["deadline_weeks"] = None
            else:
                days = max(0, (kr.deadline - anchor).days)
                if days % 7:
                    item["deadline_days"] = days
                else:
                    item["deadline_weeks"] = days // 7
            key_results.append(item)
        okrs.append({"objective": objective.title, "key_results": key_results})
    questions = [
        {
            "role": q.role,
            "kind": q.kind,
            "label": q.label,
            "help_text": q.help_text,
            "required": q.is_required,
            "choices": list(q.choices or []),
            "max_selections": q.max_selections,
            "scale": {
                "min": q.scale_min,
                "max": q.scale_max,
                "min_label": q.scale_min_label,
                "max_label": q.scale_max_label,
            }
            if q.kind == QuestionKind.SCALE
            else None,
            "criterion": q.criterion,
            "private": q.is_private,
        }
        for q in program.questions.all()
    ]
    return {
        "key": key,
        "name": name,
        "summary": program.summary,
        "description": program.description,
        "format": program.format,
        "model": program.model,
        "matching_mode": program.matching_mode,
        "mentor_capacity": program.mentor_capacity,
        "circle_size": program.circle_size if program.format == Format.CIRCLE else None,
        "meeting_cadence": program.meeting_cadence,
        "duration_weeks": duration_weeks,
        "enrolment_weeks": enrolment_weeks,
        "allow_both_roles": program.allow_both_roles,
        "requires_approval": program.requires_approval,
        "consent_text": program.consent_text,
        "north_star": program.north_star,
        "eligibility": {
            "mentor_min_level": program.mentor_min_level,
            "mentor_min_tenure_months": program.mentor_min_tenure_months,
            "mentee_max_level": program.mentee_max_level,
            "departments": [d.name for d in program.eligible_departments.all()],
            "locations": [loc.name for loc in program.eligible_locations.all()],
        },
        "matching": {
            "weights": dict(program.matching_weights or {}),
            "options": dict(program.matching_options or {}),
        },
        "questions": questions,
        "surveys": list(program.surveys or []),
        "okrs": okrs,
    }


@transaction.atomic
def save_program_as_template(program: Program, *, key: str, name: str, by) -> ProgramTemplate:
    """A new (not built-in) template with the program's recipe, for any program manager to use."""
    key = (key or "").strip()
    name = (name or "").strip()
    if not _KEY_PATTERN.match(key) or len(key) > 80:
        raise ProgramError(
            "The key must be lower-case letters, digits and single hyphens (at most 80), "
            "for example “sales-mentoring-2027”."
        )
    if not name:
        raise ProgramError("Give the template a name.")
    if (TEMPLATE_LIBRARY / f"{key}.toml").exists():
        raise ProgramError(f"“{key}” is the key of a built-in template; choose another key.")
    if ProgramTemplate.objects.filter(key=key).exists():
        raise ProgramError(f"A template with the key “{key}” already exists; choose another key.")
    try:
        definition = validate_definition(
            program_definition(program, key=key, name=name), source=f"program {program.slug!r}"
        )
    except TemplateError as error:
        raise ProgramError(
            f"This program cannot be saved as a template until these are fixed: {error}"
        ) from error
    try:
        with transaction.atomic():
            return ProgramTemplate.objects.create(
                key=key,
                name=name,
                summary=program.summary,
                definition=definition,
                is_builtin=False,
                created_by=by,
            )
    except IntegrityError as error:
        raise ProgramError(
            f"A template with the key “{key}” already exists; choose another key."
        ) from error


# --- Objectives and key results ----------------------------------------------------------------


def _clean_title(title: str, what: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ProgramError(f"Give the {what} a title.")
    if len(title) > 300:
        raise ProgramError(f"The {what}'s title is too long (at most 300 characters).")
    return title


def _clean_key_result(metric: str, target: float, unit: str) -> tuple[str, float, str]:
    metric = metric or ""
    if metric and metric not in Metric.values:
        raise ProgramError(f"{metric!r} is not a metric Trellis measures.")
    if target is None or not math.isfinite(target) or target <= 0:
        raise ProgramError("The target must be a number above 0.")
    unit = (unit or "").strip()
    if metric:
        unit = METRIC_UNITS[metric]
    if len(unit) > 30:
        raise ProgramError("The unit is too long (at most 30 characters).")
    return metric, float(target), unit


def add_objective(program: Program, *, title: str) -> Objective:
    title = _clean_title(title, "objective")
    last = program.objectives.aggregate(last=Max("position"))["last"]
    return Objective.objects.create(
        program=program, title=title, position=0 if last is None else last + 1
    )


def update_objective(objective: Objective, *, title: str) -> Objective:
    objective.title = _clean_title(title, "objective")
    objective.save(update_fields=["title"])
    return objective


def delete_objective(objective: Objective) -> None:
    """Deletes the objective and its key results."""
    objective.delete()


def add_key_result(
    objective: Objective,
    *,
    title: str,
    target: float,
    metric: str = "",
    unit: str = "",
    deadline: datetime.date | None = None,
) -> KeyResult:
    """A key result measured from `metric` (unit set to the metric's), or updated by hand."""
    title = _clean_title(title, "key result")
    metric, target, unit = _clean_key_result(metric, target, unit)
    last = objective.key_results.aggregate(last=Max("position"))["last"]
    return KeyResult.objects.create(
        objective=objective,
        title=title,
        metric=metric,
        target=target,
        unit=unit,
        deadline=deadline,
        position=0 if last is None else last + 1,
    )


def update_key_result(
    key_result: KeyResult,
    *,
    title: str,
    target: float,
    metric: str = "",
    unit: str = "",
    deadline: datetime.date | None = None,
) -> KeyResult:
    """Edit a key result. Turning a manual one into a measured one drops its recorded value."""
    key_result.title = _clean_title(title, "key result")
    key_result.metric, key_result.target, key_result.unit = _clean_key_result(metric, target, unit)
    key_result.deadline = deadline
    if key_result.metric:
        key_result.manual_value = None
        key_result.manual_updated_at = None
    key_result.save()
    return key_result


def delete_key_result(key_result: KeyResult) -> None:
    key_result.delete()


def record_key_result_value(key_result: KeyResult, value: float, *, by) -> KeyResult:
    """Record the current value of a key result that is updated by hand."""
    if key_result.is_automatic:
        raise ProgramError(
            f"“{key_result.title}” is measured automatically from "
            f"{key_result.get_metric_display().lower()}; its value cannot be set by hand."
        )
    if value is None or not math.isfinite(value):
        raise ProgramError("The value must be a number.")
    key_result.manual_value = float(value)
    key_result.manual_updated_at = timezone.now()
    key_result.save(update_fields=["manual_value", "manual_updated_at"])
    logger.info("Key result %s set to %s by %s", key_result.pk, value, by)
    return key_result
