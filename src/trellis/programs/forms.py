"""Forms of the programs app: creating a program from a template, its settings, saving it as a
template, and its objectives and key results. Forms validate; services.py writes."""

import math

from django import forms
from django.utils.text import slugify

from trellis.matching.criteria import CRITERIA
from trellis.people.models import Department, Location

from .models import Format, KeyResult, Metric, Program, ProgramModel, Status
from .selectors import possible_managers
from .services import DATE_FIELDS, criterion_options, timeline_problems

# What each matching criterion compares, in the words a program manager uses.
CRITERION_LABELS = {
    "skills": ("Skills", "Skills a mentee wants to grow that the mentor offers."),
    "goals": ("Goals", "A mentee's goals against the mentor's expertise."),
    "seniority": ("Seniority gap", "How many levels apart mentor and mentee are."),
    "department": ("Department", "Same or different department."),
    "time_zone": ("Working hours", "How much of their working day overlaps."),
    "language": ("Shared language", "At least one language in common."),
    "text": ("Free-text answers", "Similar words in what they wrote about themselves."),
    "preferences": ("Stated preferences", "Departments, locations or people asked for or not."),
}
MAX_WEIGHT = 10


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _model_field(name: str, **kwargs) -> forms.Field:
    return Program._meta.get_field(name).formfield(**kwargs)


def _date_field(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(required=False, label=label, help_text=help_text, widget=DateInput)


class UserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        if obj.person_id:
            return f"{obj.person.full_name} ({obj.email})"
        return obj.email


class TimelineMixin:
    """Cross-field rules of the four dates, reported on the field they concern."""

    def check_timeline(self, cleaned: dict, model: str, status: str) -> None:
        if model == ProgramModel.EVERGREEN:
            return
        problems = timeline_problems(
            model, status, **{name: cleaned.get(name) for name in DATE_FIELDS}
        )
        for name, message in problems:
            if name not in self.errors or message not in self.errors[name]:
                self.add_error(name, message)


class CreateProgramForm(TimelineMixin, forms.Form):
    """A name and, for cohort templates, the timeline (prefilled with suggested dates)."""

    name = _model_field("name", help_text="Shown to everyone; you can change it later.")
    enrolment_opens_on = _date_field("Enrolment opens on")
    enrolment_closes_on = _date_field("Enrolment closes on")
    starts_on = _date_field("Program starts on")
    ends_on = _date_field("Program ends on")

    def __init__(self, *args, definition: dict, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.definition = definition
        if definition["model"] != ProgramModel.COHORT:
            for name in DATE_FIELDS:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        self.check_timeline(cleaned, self.definition["model"], Status.DRAFT)
        return cleaned

    def overrides(self) -> dict:
        return {name: self.cleaned_data[name] for name in DATE_FIELDS if name in self.fields}


class ProgramSettingsForm(TimelineMixin, forms.Form):
    """Every setting a program manager can change. Format and model are fixed once enrolment has
    opened; an evergreen program's dates are cleared (it has none)."""

    name = _model_field("name")
    summary = _model_field("summary")
    description = _model_field("description", widget=forms.Textarea(attrs={"rows": 8}))
    north_star = _model_field(
        "north_star", label="North star", widget=forms.TextInput(), max_length=300
    )

    format = _model_field("format")
    model = _model_field("model")
    matching_mode = _model_field("matching_mode", label="Matching")
    meeting_cadence = _model_field("meeting_cadence", label="Meeting cadence")
    mentor_capacity = _model_field(
        "mentor_capacity",
        label="Mentor capacity",
        min_value=1,
        max_value=50,
    )
    circle_size = _model_field("circle_size", label="Circle size", min_value=2, max_value=30)
    request_limit = _model_field(
        "request_limit",
        label="Self-matching: requests a mentee may have open",
        min_value=1,
        max_value=5,
    )
    request_expiry_days = _model_field(
        "request_expiry_days",
        label="Self-matching: days a mentor has to answer",
        min_value=1,
        max_value=60,
    )
    evergreen_matching = _model_field(
        "evergreen_matching", label="Evergreen: matching newcomers on schedule"
    )

    enrolment_opens_on = _date_field("Enrolment opens on", "Cohort programs only.")
    enrolment_closes_on = _date_field(
        "Enrolment closes on", "On or before the start date. Cohort programs only."
    )
    starts_on = _date_field("Program starts on", "Cohort programs only.")
    ends_on = _date_field("Program ends on", "Cohort programs only.")

    allow_both_roles = _model_field("allow_both_roles", label="People may join in both roles")
    requires_approval = _model_field("requires_approval", label="Approve each registration")
    consent_text = _model_field(
        "consent_text", label="Consent text", widget=forms.Textarea(attrs={"rows": 4})
    )
    mentor_min_level = _model_field(
        "mentor_min_level",
        label="Mentors: minimum level",
        help_text="Leave empty for any level.",
        max_value=100,
    )
    mentor_min_tenure_months = _model_field(
        "mentor_min_tenure_months",
        label="Mentors: minimum tenure (months)",
        help_text="Leave empty for any tenure.",
        max_value=600,
    )
    mentee_max_level = _model_field(
        "mentee_max_level",
        label="Mentees: maximum level",
        help_text="Leave empty for any level.",
        max_value=100,
    )
    eligible_departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        label="Eligible departments",
        help_text="Leave empty for every department. Hold Ctrl (⌘ on a Mac) to select several.",
    )
    eligible_locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.all(),
        required=False,
        label="Eligible locations",
        help_text="Leave empty for every location. Hold Ctrl (⌘ on a Mac) to select several.",
    )
    managers = UserChoiceField(
        queryset=possible_managers(),
        label="Program managers",
        help_text="Only program managers and organisation admins can be chosen.",
        error_messages={
            "invalid_choice": (
                "“%(value)s” cannot manage programs: choose program managers or admins."
            ),
            "required": "A program needs at least one program manager.",
        },
    )

    department_prefer = forms.ChoiceField(
        choices=[("different", "Different departments"), ("same", "The same department")],
        label="Department: prefer",
    )
    seniority_min_gap = forms.FloatField(
        label="Seniority: smallest gap (levels)", min_value=-20, max_value=20
    )
    seniority_max_gap = forms.FloatField(
        label="Seniority: largest gap (levels)", min_value=-20, max_value=20
    )
    seniority_reverse = forms.BooleanField(
        required=False,
        label="Reverse seniority (the mentor is the more junior)",
    )

    basic_fields = ("name", "summary", "description", "north_star")
    format_fields = (
        "format",
        "model",
        "matching_mode",
        "meeting_cadence",
        "mentor_capacity",
        "circle_size",
        "request_limit",
        "request_expiry_days",
        "evergreen_matching",
    )
    timeline_fields = DATE_FIELDS
    join_fields = (
        "allow_both_roles",
        "requires_approval",
        "consent_text",
        "mentor_min_level",
        "mentor_min_tenure_months",
        "mentee_max_level",
        "eligible_departments",
        "eligible_locations",
    )
    # Fields that take the whole width of their section.
    wide_fields = (
        "summary",
        "description",
        "north_star",
        "consent_text",
        "eligible_departments",
        "eligible_locations",
        "managers",
    )
    option_fields = (
        "department_prefer",
        "seniority_min_gap",
        "seniority_max_gap",
        "seniority_reverse",
    )

    def __init__(self, *args, program: Program, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("initial", self.initial_from(program))
        super().__init__(*args, **kwargs)
        self.program = program
        self.dates_cleared = False
        for name, (label, help_text) in CRITERION_LABELS.items():
            self.fields[f"weight_{name}"] = forms.FloatField(
                required=False,
                min_value=0,
                max_value=MAX_WEIGHT,
                label=f"{label} weight",
                help_text=help_text,
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )
        if program.status != Status.DRAFT:
            for name in ("format", "model"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed once enrolment has opened."

    @property
    def weight_fields(self) -> list[str]:
        return [f"weight_{name}" for name in CRITERION_LABELS]

    def fieldsets(self) -> list[dict]:
        """The form in sections for the page: legend, a line of help, and the bound fields."""
        sections = [
            ("About the program", "", self.basic_fields),
            ("Format and meetings", "", self.format_fields),
            (
                "Timeline",
                "Cohort programs: everyone starts and ends together. Evergreen programs have no "
                "dates.",
                self.timeline_fields,
            ),
            ("Who may join", "", self.join_fields),
            ("Program managers", "", ("managers",)),
            (
                "Matching criteria",
                "Weights from 0 (ignored) to 10; what counts is how they compare to each other.",
                (*self.weight_fields, *self.option_fields),
            ),
        ]
        return [
            {"legend": legend, "help": help_text, "fields": [self[name] for name in names]}
            for legend, help_text, names in sections
        ]

    @staticmethod
    def initial_from(program: Program) -> dict:
        options = program.matching_options or {}
        defaults = criterion_options()
        department = {**defaults["department"], **options.get("department", {})}
        seniority = {**defaults["seniority"], **options.get("seniority", {})}
        initial = {
            name: getattr(program, name)
            for name in (
                "name",
                "summary",
                "description",
                "north_star",
                "format",
                "model",
                "matching_mode",
                "meeting_cadence",
                "mentor_capacity",
                "circle_size",
                "request_limit",
                "request_expiry_days",
                "evergreen_matching",
                *DATE_FIELDS,
                "allow_both_roles",
                "requires_approval",
                "consent_text",
                "mentor_min_level",
                "mentor_min_tenure_months",
                "mentee_max_level",
            )
        }
        if program.pk:
            initial["eligible_departments"] = list(program.eligible_departments.all())
            initial["eligible_locations"] = list(program.eligible_locations.all())
            initial["managers"] = list(program.managers.all())
        initial["department_prefer"] = department["prefer"]
        initial["seniority_min_gap"] = seniority["min_gap"]
        initial["seniority_max_gap"] = seniority["max_gap"]
        initial["seniority_reverse"] = seniority["reverse"]
        for name in CRITERION_LABELS:
            initial[f"weight_{name}"] = (program.matching_weights or {}).get(name)
        return initial

    def clean(self):
        cleaned = super().clean()
        model = cleaned.get("model") or self.program.model
        if model == ProgramModel.EVERGREEN:
            self.dates_cleared = any(cleaned.get(name) for name in DATE_FIELDS)
            for name in DATE_FIELDS:
                cleaned[name] = None
        else:
            self.check_timeline(cleaned, model, self.program.status)
        program_format = cleaned.get("format") or self.program.format
        if program_format == Format.CIRCLE:
            if not cleaned.get("circle_size") and "circle_size" not in self.errors:
                self.add_error("circle_size", "A circle program needs a circle size (2 or more).")
        else:
            cleaned["circle_size"] = None
        weights = [cleaned.get(name) for name in self.weight_fields]
        if not any(w for w in weights if w is not None and math.isfinite(w)):
            self.add_error(
                None, "Give at least one matching criterion a weight above 0, or nobody can match."
            )
        low, high = cleaned.get("seniority_min_gap"), cleaned.get("seniority_max_gap")
        if low is not None and high is not None and low > high:
            self.add_error(
                "seniority_max_gap", "The largest gap must be at least the smallest gap."
            )
        return cleaned

    def changes(self) -> dict:
        """Keyword arguments for services.update_program."""
        data = self.cleaned_data
        weights = {
            name: data[f"weight_{name}"]
            for name in CRITERIA
            if name in CRITERION_LABELS and data.get(f"weight_{name}")
        }
        options = {k: dict(v) for k, v in (self.program.matching_options or {}).items()}
        options.setdefault("department", {})["prefer"] = data["department_prefer"]
        seniority = options.setdefault("seniority", {})
        seniority["min_gap"] = data["seniority_min_gap"]
        seniority["max_gap"] = data["seniority_max_gap"]
        seniority["reverse"] = data["seniority_reverse"]
        changes = {
            name: data[name]
            for name in (
                *self.basic_fields,
                *self.format_fields,
                *DATE_FIELDS,
                *self.join_fields,
                "managers",
            )
        }
        changes["matching_weights"] = weights
        changes["matching_options"] = options
        return changes


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Template name")
    key = forms.SlugField(
        max_length=80,
        label="Key",
        help_text="Lower-case letters, digits and hyphens; it names the template in links.",
    )

    def __init__(self, *args, program: Program, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault(
            "initial", {"name": program.name, "key": slugify(program.name)[:80].strip("-")}
        )
        super().__init__(*args, **kwargs)


class ObjectiveForm(forms.Form):
    title = forms.CharField(
        max_length=300,
        label="Objective",
        help_text="What the program sets out to achieve, in a sentence.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class KeyResultForm(forms.Form):
    title = forms.CharField(max_length=300, label="Key result")
    metric = forms.ChoiceField(
        choices=[("", "Updated by hand"), *Metric.choices],
        required=False,
        label="Measured by",
        help_text="A named metric is measured automatically; otherwise you record the value.",
    )
    target = forms.FloatField(label="Target", help_text="A level to reach, such as 80 (%).")
    unit = forms.CharField(
        max_length=30,
        required=False,
        label="Unit",
        help_text="For key results updated by hand (%, people, sessions …). Metrics set their own.",
    )
    deadline = forms.DateField(required=False, label="Deadline", widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @classmethod
    def for_key_result(cls, key_result: KeyResult, **kwargs):
        initial = {
            "title": key_result.title,
            "metric": key_result.metric,
            "target": key_result.target,
            "unit": key_result.unit,
            "deadline": key_result.deadline,
        }
        return cls(initial=initial, **kwargs)

    def clean_target(self):
        target = self.cleaned_data["target"]
        if not math.isfinite(target) or target <= 0:
            raise forms.ValidationError("The target must be a number above 0.")
        return target


class KeyResultValueForm(forms.Form):
    value = forms.FloatField(label="Current value")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_value(self):
        value = self.cleaned_data["value"]
        if not math.isfinite(value):
            raise forms.ValidationError("Enter a number.")
        return value
