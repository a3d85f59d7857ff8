"""Forms of the manager pages: roster filters, bulk actions, and invitations to register."""

from django import forms
from django.db.models.functions import Lower

from trellis.people.models import Department, Person
from trellis.programs.models import Program, Question, QuestionKind, Role

from .models import ParticipantStatus
from .roster import (
    FILTERABLE_KINDS,
    AnswerFilter,
    RosterFilters,
    choice_options,
)

MAX_ID = 2**63 - 1  # larger ids overflow the database's integer type: treat them as invalid
MAX_SELECTED = 1000
MAX_INVITED_NAMES = 2000


def program_roles(program: Program) -> list[tuple[str, str]]:
    roles = [Role.MENTOR, Role.MENTEE] if program.has_mentor_role else [Role.PEER]
    return [(role.value, role.label) for role in roles]


class IdListField(forms.Field):
    """Repeated POST or GET parameter of positive integer ids; bad values dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        ids: list[int] = []
        for item in value or []:
            text = str(item).strip()
            if text.isdecimal() and 0 < int(text) <= MAX_ID and int(text) not in ids:
                ids.append(int(text))
        return ids


class RosterFilterForm(forms.Form):
    """The roster's GET filters. Lenient: a malformed filter is ignored, never an error page."""

    q = forms.CharField(required=False, max_length=200)
    role = forms.ChoiceField(required=False, choices=[("", "Every role"), *Role.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Every status"), *ParticipantStatus.choices]
    )
    department = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    location = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    answer = forms.CharField(required=False, max_length=300)

    def __init__(self, data=None, *, questions: list[Question]):
        self.questions = {q.pk: q for q in questions if q.kind in FILTERABLE_KINDS}
        super().__init__(data)

    def clean_answer(self) -> AnswerFilter | None:
        """`<question id>:<value>` for a choice, yes/no or skills question of this program."""
        raw = self.cleaned_data.get("answer") or ""
        question_id, _, value = raw.partition(":")
        if not question_id.isdecimal() or not value:
            return None
        question = self.questions.get(int(question_id))
        if question is None:
            return None
        if question.kind == QuestionKind.SKILLS:
            if not value.isdecimal() or not 0 < int(value) <= MAX_ID:
                return None
            return AnswerFilter(question, int(value))
        if question.kind == QuestionKind.YES_NO:
            if value not in ("yes", "no"):
                return None
            return AnswerFilter(question, value == "yes", "Yes" if value == "yes" else "No")
        labels = dict(choice_options(question))
        if value not in labels:
            return None
        return AnswerFilter(question, value, labels[value])

    def filters(self) -> RosterFilters:
        """The valid filters only: each field is judged on its own."""
        self.is_valid()
        data = self.cleaned_data
        return RosterFilters(
            role=data.get("role") or "",
            status=data.get("status") or "",
            department_id=data.get("department"),
            location_id=data.get("location"),
            query=data.get("q") or "",
            answer=data.get("answer"),
        )


class BulkAction:
    APPROVE = "approve"
    DECLINE = "decline"
    REMIND = "remind"


class BulkActionForm(forms.Form):
    """Approve or decline selected participants, or remind selected invited people."""

    action = forms.ChoiceField(
        choices=[
            ("", "Choose an action"),
            (BulkAction.APPROVE, "Approve"),
            (BulkAction.DECLINE, "Decline"),
            (BulkAction.REMIND, "Remind to register"),
        ],
        error_messages={"required": "Choose what to do with the selected people."},
    )
    participant = IdListField(required=False)
    invitation = IdListField(required=False)
    # The roster's filters, to come back to the same list afterwards.
    return_query = forms.CharField(required=False, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        field = "invitation" if action == BulkAction.REMIND else "participant"
        ids = cleaned.get(field) or []
        if action and not ids:
            who = "invited people" if field == "invitation" else "participants"
            raise forms.ValidationError(f"Select at least one of the {who} first.")
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(
                f"Select at most {MAX_SELECTED} at a time; narrow the list with the filters."
            )
        cleaned["ids"] = ids
        return cleaned


def split_identifiers(raw: str) -> list[str]:
    """Emails or employee ids separated by commas, semicolons, spaces or new lines."""
    for separator in (";", "\n", "\r", "\t", " "):
        raw = raw.replace(separator, ",")
    seen: dict[str, None] = {}
    for token in raw.split(","):
        if token.strip():
            seen.setdefault(token.strip(), None)
    return list(seen)


class InviteForm(forms.Form):
    """People to invite to register: listed by email or employee id, or whole departments."""

    identifiers = forms.CharField(
        label="People",
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Emails or employee ids, separated by commas, semicolons or new lines.",
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(),
        required=False,
        label="Whole departments",
        help_text="Everyone currently in these departments. Hold Ctrl (⌘ on a Mac) to select "
        "several.",
    )
    role = forms.ChoiceField(
        required=False,
        label="Invite to register as",
        help_text="Leave as “Any role” to let each person choose.",
    )

    def __init__(self, *args, program: Program, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.program = program
        self.fields["role"].choices = [("", "Any role"), *program_roles(program)]

    def clean(self):
        cleaned = super().clean()
        tokens = split_identifiers(cleaned.get("identifiers") or "")
        departments = list(cleaned.get("departments") or [])
        if not tokens and not departments and not self.errors:
            raise forms.ValidationError("List at least one person or choose a department.")
        if len(tokens) > MAX_INVITED_NAMES:
            self.add_error(
                "identifiers",
                f"At most {MAX_INVITED_NAMES} people at a time; split the list or invite "
                "whole departments.",
            )
            return cleaned
        people: dict[int, Person] = {}
        if tokens:
            by_email = {}
            by_employee_id = {}
            lowered = [token.lower() for token in tokens]
            for person in (
                Person.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=lowered)
                .only("pk", "email", "first_name", "last_name", "is_active")
            ):
                by_email[person.email.lower()] = person
            for person in Person.objects.filter(employee_id__in=tokens).only(
                "pk", "email", "employee_id", "first_name", "last_name", "is_active"
            ):
                by_employee_id[person.employee_id] = person
            unknown = []
            for token in tokens:
                person = by_employee_id.get(token) or by_email.get(token.lower())
                if person is None:
                    unknown.append(token)
                else:
                    people[person.pk] = person
            if unknown:
                shown = ", ".join(unknown[:20])
                more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
                self.add_error(
                    "identifiers",
                    f"Not in the directory: {shown}{more}. Correct or remove them and send "
                    "again; nobody was invited.",
                )
        if departments:
            for person in Person.objects.active().filter(department__in=departments):
                people.setdefault(person.pk, person)
        cleaned["people"] = list(people.values())
        return cleaned
