"""The registration-form builder's question form, its validation, and its small writes
(adding, editing, deleting and reordering questions).

Questions are kept per role: those asked of every role come first in the participant's form,
then the role's own; "move up/down" reorders a question among the questions of its own role.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from trellis.enrolment.services import offered_roles, role_label

from .models import Criterion, Program, Question, QuestionKind, Role

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
SELECTION_KINDS = (QuestionKind.MULTIPLE_CHOICE, QuestionKind.SKILLS)
MAX_CHOICES = 50
CHOICE_MAX_LENGTH = 200
# Longer scales are still answered as a number box; this keeps them meaningful.
MAX_SCALE_POINTS = 101

# Which kinds of answer each matching criterion can read (see trellis.matching.criteria).
CRITERION_KINDS: dict[str, tuple[str, ...]] = {
    Criterion.SKILLS_OFFERED: (QuestionKind.SKILLS,),
    Criterion.SKILLS_SOUGHT: (QuestionKind.SKILLS,),
    Criterion.GOALS: (QuestionKind.SKILLS, *CHOICE_KINDS),
    Criterion.EXPERTISE: (QuestionKind.SKILLS, *CHOICE_KINDS),
    Criterion.PREFERRED_DEPARTMENT: (*CHOICE_KINDS, QuestionKind.YES_NO),
    Criterion.LANGUAGES: CHOICE_KINDS,
    Criterion.MEETING_FORMAT: CHOICE_KINDS,
    Criterion.FREE_TEXT: (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT),
    Criterion.PREFERENCES: (*CHOICE_KINDS, QuestionKind.YES_NO),
}
# The role on the other side of the criterion never answers it.
CRITERION_NOT_FOR_ROLE = {
    Criterion.SKILLS_OFFERED: Role.MENTEE,
    Criterion.SKILLS_SOUGHT: Role.MENTOR,
    Criterion.EXPERTISE: Role.MENTEE,
    Criterion.GOALS: Role.MENTOR,
}


def _kind_labels(kinds) -> str:
    labels = [QuestionKind(kind).label.lower() for kind in kinds]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


class QuestionForm(forms.ModelForm):
    """One registration question. Fields that do not apply to the chosen kind are cleared."""

    choices_text = forms.CharField(
        required=False,
        label="Choices",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For single and multiple choice: one choice per line, at least two.",
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "role",
            "label",
            "help_text",
            "is_required",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "max_selections",
            "criterion",
            "is_private",
        ]
        labels = {
            "kind": "Kind of answer",
            "role": "Asked of",
            "label": "Question",
            "help_text": "Help text",
            "is_required": "An answer is required",
            "scale_min": "Scale from",
            "scale_max": "Scale to",
            "scale_min_label": "Label of the lowest point",
            "scale_max_label": "Label of the highest point",
            "max_selections": "At most this many selections",
            "criterion": "Feeds the matching criterion",
            "is_private": "Private: hidden from other participants",
        }
        help_texts = {
            "help_text": "Shown under the question.",
            "scale_min_label": "For example “Not at all”.",
            "scale_max_label": "For example “Very much”.",
            "max_selections": "Multiple choice and skills only. Leave empty for no limit.",
            "is_private": "Only program managers see the answer.",
            "role": "Each role answers the questions asked of every role, then its own.",
        }
        widgets = {"help_text": forms.TextInput()}

    def __init__(self, *args, program: Program, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.program = program
        roles = offered_roles(program)
        if self.instance.pk and self.instance.role and self.instance.role not in roles:
            roles.append(self.instance.role)  # keep an existing question's role selectable
        self.fields["role"].choices = [("", "Every role"), *[(r, Role(r).label) for r in roles]]
        self.fields["role"].required = False
        self.fields["criterion"].required = False
        # Only scale questions need their ends; the other kinds keep the defaults (see clean).
        self.fields["scale_min"].required = False
        self.fields["scale_max"].required = False
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices)

    def clean_choices_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["choices_text"].splitlines()]
        choices = [line for line in lines if line]
        too_long = [choice for choice in choices if len(choice) > CHOICE_MAX_LENGTH]
        if too_long:
            raise ValidationError(
                f"“{too_long[0][:40]}…” is too long: a choice has at most "
                f"{CHOICE_MAX_LENGTH} characters."
            )
        if len(choices) > MAX_CHOICES:
            raise ValidationError(f"Offer at most {MAX_CHOICES} choices.")
        return choices

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        choices = data.get("choices_text") or []
        if kind in CHOICE_KINDS:
            seen: dict[str, str] = {}
            for choice in choices:
                key = choice.casefold()
                if key in seen:
                    self.add_error("choices_text", f"“{choice}” is listed twice.")
                    break
                seen[key] = choice
            else:
                if len(choices) < 2:
                    self.add_error(
                        "choices_text", "A choice question needs at least two different choices."
                    )
        else:
            data["choices_text"] = []

        if kind == QuestionKind.SCALE:
            low, high = data.get("scale_min"), data.get("scale_max")
            if low is None or high is None:
                if not (self.has_error("scale_min") or self.has_error("scale_max")):
                    self.add_error("scale_max", "Give both ends of the scale.")
            elif low >= high:
                self.add_error("scale_max", "The scale must end above where it starts.")
            elif high - low + 1 > MAX_SCALE_POINTS:
                self.add_error("scale_max", f"A scale has at most {MAX_SCALE_POINTS} points.")
        else:
            # Other kinds keep valid defaults so the database constraint always holds.
            data["scale_min"], data["scale_max"] = 1, 5
            data["scale_min_label"] = data["scale_max_label"] = ""

        max_selections = data.get("max_selections")
        if kind not in SELECTION_KINDS:
            data["max_selections"] = None
        elif max_selections is not None:
            if max_selections < 1:
                self.add_error("max_selections", "Allow at least one selection, or leave empty.")
            elif kind == QuestionKind.MULTIPLE_CHOICE and max_selections > len(choices) >= 2:
                self.add_error(
                    "max_selections",
                    f"There are only {len(choices)} choices; allow at most {len(choices)}.",
                )

        criterion = data.get("criterion") or ""
        if criterion:
            allowed = CRITERION_KINDS.get(criterion, ())
            if kind not in allowed:
                self.add_error(
                    "criterion",
                    f"“{Criterion(criterion).label}” reads {_kind_labels(allowed)} answers; "
                    f"change the kind or choose another criterion.",
                )
            wrong_role = CRITERION_NOT_FOR_ROLE.get(criterion)
            if wrong_role and data.get("role") == wrong_role:
                self.add_error(
                    "criterion",
                    f"{Role(wrong_role).label}s do not answer “{Criterion(criterion).label}” "
                    f"in matching; ask another role, or choose another criterion.",
                )
        return data

    def save(self, commit: bool = True) -> Question:
        question = super().save(commit=False)
        question.program = self.program
        question.choices = self.cleaned_data["choices_text"]
        question.criterion = self.cleaned_data.get("criterion") or ""
        question.role = self.cleaned_data.get("role") or ""
        if commit:
            with transaction.atomic():
                if question.pk is None:
                    last = Question.objects.filter(program=self.program).aggregate(
                        last=Max("position")
                    )["last"]
                    question.position = 0 if last is None else last + 1
                question.save()
        return question


def delete_question(question: Question) -> None:
    """Delete a question. Answers already given to it stay in registrations, unread."""
    question.delete()


def move_question(question: Question, direction: str) -> bool:
    """Swap a question with its neighbour among its role's questions ("up" or "down").

    Positions of that role's questions are renumbered first, so questions that came from a
    template with equal positions move predictably. Returns False at either end.
    """
    if direction not in ("up", "down"):
        raise ValueError("direction is 'up' or 'down'")
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=question.program_id)
        siblings = list(
            Question.objects.filter(program_id=question.program_id, role=question.role).order_by(
                "position", "pk"
            )
        )
        index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return False
        siblings[index], siblings[other] = siblings[other], siblings[index]
        base = min(q.position for q in siblings)
        for offset, sibling in enumerate(siblings):
            sibling.position = base + offset
        Question.objects.bulk_update(siblings, ["position"])
    return True


def role_heading(role: str) -> str:
    return "Asked of every role" if not role else f"Asked of {role_label(role)}s only"
