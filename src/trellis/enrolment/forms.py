"""The registration form, built from a program's questions for one role, and the withdrawal form.

Every answer is validated here, on the server, whatever the browser sent: unknown choices,
out-of-range scale values, too many selections and missing required answers are refused.
The program managers' preview renders this same class.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from trellis.people.forms import MAX_FREE_TEXT_NAMES, split_names
from trellis.people.models import Person, Skill, normalise_name
from trellis.people.services import skill_lookup
from trellis.programs.models import Criterion, Program, Question, QuestionKind, Role

from .models import Participant
from .selectors import registration_questions

SHORT_TEXT_MAX_LENGTH = 200
LONG_TEXT_MAX_LENGTH = 2000
# A scale with at most this many points is a row of radio buttons; a longer one a number box.
MAX_RADIO_SCALE_POINTS = 11
YES, NO = "yes", "no"
SKILL_NAME_MAX_LENGTH = Skill._meta.get_field("name").max_length


def field_name(question: Question) -> str:
    return f"q_{question.pk}"


def other_skills_field_name(question: Question) -> str:
    return f"q_{question.pk}_other"


class LimitedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes of which at most `max_selections` may be ticked."""

    def __init__(self, *args, max_selections: int | None = None, **kwargs):
        self.max_selections = max_selections
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if len(set(value)) != len(value):
            raise ValidationError("Tick each option at most once.")
        if self.max_selections and len(value) > self.max_selections:
            raise ValidationError(f"Choose at most {self.max_selections}; you chose {len(value)}.")


def _yes_no(value: str) -> bool:
    return value == YES


def is_radio_scale(question: Question) -> bool:
    return question.scale_max - question.scale_min + 1 <= MAX_RADIO_SCALE_POINTS


def question_field(question: Question) -> forms.Field:
    """The form field for one question, with its server-side bounds."""
    kind = question.kind
    help_parts = [question.help_text]
    if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.SKILLS) and question.max_selections:
        help_parts.append(f"Choose up to {question.max_selections}.")
    if kind == QuestionKind.SKILLS:
        help_parts.append("Hold Ctrl (⌘ on a Mac) to select several.")
    if kind == QuestionKind.SCALE and not is_radio_scale(question):
        low, high = question.scale_min, question.scale_max
        low_text = f"{low} ({question.scale_min_label})" if question.scale_min_label else low
        high_text = f"{high} ({question.scale_max_label})" if question.scale_max_label else high
        help_parts.append(f"From {low_text} to {high_text}.")
    if question.is_private:
        help_parts.append("Only the program's managers see this answer.")
    common = {
        "label": question.label if question.is_required else f"{question.label} (optional)",
        "required": question.is_required,
        # Django's field template marks help text safe: escape what program managers typed.
        "help_text": format_html_join(" ", "{}", ((part,) for part in help_parts if part)),
    }
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(choice, choice) for choice in question.choices],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return LimitedMultipleChoiceField(
            choices=[(choice, choice) for choice in question.choices],
            widget=forms.CheckboxSelectMultiple,
            max_selections=question.max_selections,
            **common,
        )
    if kind == QuestionKind.SKILLS:
        # Required-ness is checked in the form's clean(): typed skills count too.
        common["required"] = False
        return forms.ModelMultipleChoiceField(queryset=Skill.objects.only("id", "name"), **common)
    if kind == QuestionKind.SCALE:
        low, high = question.scale_min, question.scale_max
        if not is_radio_scale(question):
            return forms.IntegerField(min_value=low, max_value=high, **common)
        ends = {low: question.scale_min_label, high: question.scale_max_label}
        choices = [
            (str(point), f"{point}: {ends[point]}" if ends.get(point) else str(point))
            for point in range(low, high + 1)
        ]
        return forms.TypedChoiceField(
            choices=choices, coerce=int, empty_value=None, widget=forms.RadioSelect, **common
        )
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=SHORT_TEXT_MAX_LENGTH, **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}), **common
        )
    if kind == QuestionKind.YES_NO:
        return forms.TypedChoiceField(
            choices=[(YES, "Yes"), (NO, "No")],
            coerce=_yes_no,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    raise ValueError(f"Unknown question kind {kind!r}")


def _initial_from_answer(question: Question, answer):
    """A stored answer as the field's initial value."""
    if question.kind == QuestionKind.YES_NO and isinstance(answer, bool):
        return YES if answer else NO
    if question.kind == QuestionKind.SCALE and isinstance(answer, int):
        return str(answer) if is_radio_scale(question) else answer
    if question.kind == QuestionKind.SKILLS:
        return [item for item in answer if isinstance(item, int)]
    return answer


class RegistrationForm(forms.Form):
    """A program's registration form for one role: its questions, the mentor's capacity, and
    consent when the program asks for it.

    After validation, `answers` holds {str(question id): value} with JSON-safe values: text,
    int (scale), bool (yes/no), list of strings (multiple choice), and for skills a list of
    skill ids, plus the names of typed skills not yet in the taxonomy (the enrolment service
    adds them). Unanswered optional questions are left out.
    """

    def __init__(
        self,
        *args,
        program: Program,
        role: str,
        person: Person | None = None,
        previous_answers: dict | None = None,
        **kwargs,
    ):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.program = program
        self.role = role
        self.person = person
        self.questions = registration_questions(program, role)
        self.answers: dict = {}
        for question in self.questions:
            name = field_name(question)
            self.fields[name] = question_field(question)
            if question.kind == QuestionKind.SKILLS:
                self.fields[other_skills_field_name(question)] = forms.CharField(
                    required=False,
                    max_length=1000,
                    label="Other skills",
                    help_text=(
                        "Not in the list? Type them separated by semicolons, for example "
                        "“PM; Kubernetes”."
                    ),
                )
        if self.asks_capacity:
            self.fields["capacity"] = forms.IntegerField(
                min_value=1,
                max_value=program.mentor_capacity,
                initial=program.mentor_capacity,
                label="How many mentees can you take?",
                help_text=f"From 1 to {program.mentor_capacity}.",
            )
        if program.consent_text:
            self.fields["consent"] = forms.BooleanField(
                label="I have read these terms and agree to them",
                error_messages={"required": "To join, tick the box to agree to the terms."},
            )
        if not self.is_bound:
            self._prefill(previous_answers or {})

    @property
    def asks_capacity(self) -> bool:
        return (
            self.role == Role.MENTOR
            and self.program.has_mentor_role
            and self.program.mentor_capacity > 1
        )

    @property
    def capacity_field(self):
        return self["capacity"] if "capacity" in self.fields else None

    def _prefill(self, previous_answers: dict) -> None:
        """Earlier answers when there are some; otherwise what the directory already knows."""
        person_skills: list[int] | None = None
        person_languages: set[str] | None = None
        for question in self.questions:
            name = field_name(question)
            if str(question.pk) in previous_answers:
                self.initial[name] = _initial_from_answer(
                    question, previous_answers[str(question.pk)]
                )
                continue
            if self.person is None:
                continue
            if question.kind == QuestionKind.SKILLS and question.criterion in (
                Criterion.SKILLS_OFFERED,
                Criterion.EXPERTISE,
            ):
                if person_skills is None:
                    person_skills = list(self.person.skills.values_list("pk", flat=True))
                self.initial[name] = person_skills
            elif question.criterion == Criterion.LANGUAGES and question.kind in (
                QuestionKind.SINGLE_CHOICE,
                QuestionKind.MULTIPLE_CHOICE,
            ):
                if person_languages is None:
                    person_languages = {
                        normalise_name(language)
                        for language in self.person.languages.values_list("name", flat=True)
                    }
                spoken = [c for c in question.choices if normalise_name(c) in person_languages]
                if spoken:
                    multiple = question.kind == QuestionKind.MULTIPLE_CHOICE
                    self.initial[name] = spoken if multiple else spoken[0]

    def question_fields(self) -> list[dict]:
        """For templates: each question with its bound field (and the typed-skills field)."""
        rows = []
        for question in self.questions:
            other = None
            if question.kind == QuestionKind.SKILLS:
                other = self[other_skills_field_name(question)]
            rows.append({"question": question, "field": self[field_name(question)], "other": other})
        return rows

    def _clean_skills(self, question: Question, lookup: dict[str, int]) -> list | None:
        name = field_name(question)
        if name not in self.cleaned_data:
            return None  # the ticked skills were invalid; the field has its error
        ids = [skill.pk for skill in self.cleaned_data[name]]
        typed = split_names(self.cleaned_data.get(other_skills_field_name(question)) or "")
        if len(typed) > MAX_FREE_TEXT_NAMES:
            self.add_error(
                other_skills_field_name(question), f"Type at most {MAX_FREE_TEXT_NAMES} skills."
            )
            return None
        too_long = [typed_name for typed_name in typed if len(typed_name) > SKILL_NAME_MAX_LENGTH]
        if too_long:
            self.add_error(
                other_skills_field_name(question),
                f"“{too_long[0][:40]}…” is too long: a skill has at most "
                f"{SKILL_NAME_MAX_LENGTH} characters.",
            )
            return None
        new_names: dict[str, str] = {}
        for typed_name in typed:
            key = normalise_name(typed_name)
            if key in lookup:
                ids.append(lookup[key])
            elif key:
                new_names.setdefault(key, typed_name)
        value: list = list(dict.fromkeys(ids)) + list(new_names.values())
        if question.is_required and not value:
            self.add_error(name, "Choose at least one skill, or type one.")
            return None
        if question.max_selections and len(value) > question.max_selections:
            self.add_error(
                name, f"Choose at most {question.max_selections} skills; you gave {len(value)}."
            )
            return None
        return value or None

    def clean(self):
        cleaned = super().clean()
        answers: dict = {}
        lookup: dict[str, int] | None = None
        for question in self.questions:
            name = field_name(question)
            if question.kind == QuestionKind.SKILLS:
                if lookup is None:
                    lookup = skill_lookup()
                value = self._clean_skills(question, lookup)
            else:
                value = cleaned.get(name)
            if value is None or value == "" or value == []:
                continue
            answers[str(question.pk)] = value
        self.answers = answers
        return cleaned

    @property
    def capacity(self) -> int | None:
        if self.role != Role.MENTOR:
            return None
        return self.cleaned_data.get("capacity") or self.program.mentor_capacity

    @property
    def consented(self) -> bool:
        return bool(self.cleaned_data.get("consent"))


class WithdrawForm(forms.Form):
    """Leaving a program: which of your registrations, and (optionally) why."""

    role = forms.ChoiceField(label="Withdraw my registration as", widget=forms.RadioSelect)
    reason = forms.CharField(
        required=False,
        max_length=Participant._meta.get_field("withdrawal_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why are you leaving? (optional)",
        help_text="Only the program's managers read this; it helps them improve the program.",
    )

    def __init__(self, *args, registrations: list[Participant], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.registrations = {p.role: p for p in registrations}
        self.fields["role"].choices = [
            (p.role, f"{p.get_role_display()} ({p.get_status_display().lower()})")
            for p in registrations
        ]
        if len(registrations) == 1:
            self.fields["role"].initial = registrations[0].role
            self.fields["role"].widget = forms.HiddenInput()

    @property
    def participant(self) -> Participant:
        return self.registrations[self.cleaned_data["role"]]
