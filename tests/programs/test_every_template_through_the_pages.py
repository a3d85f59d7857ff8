"""Issue 4, "Done when": a program manager creates a program from each built-in template, edits
its form and OKRs, opens enrolment, and participants register, all through the real pages.

For every built-in template the journey is: the create page (with the name and dates it
prefills) → the form builder (a question added, a template question's label edited) → the OKR
page (an objective, a metric-based and a manual key result, a manual value recorded) → the
status move to enrolling → each offered role's join page, filled in from the rendered form →
the manager's participants page.
"""

import datetime

import pytest
from django import forms
from django.urls import resolve, reverse
from django.utils import timezone

from tests.factories import ParticipantFactory, ProgramManagerFactory, SkillFactory
from tests.helpers import page_text
from trellis.enrolment.models import Participant, ParticipantStatus
from trellis.enrolment.services import offered_roles
from trellis.enrolment.views import JOINED_MESSAGES
from trellis.programs.models import KeyResult, Metric, Program, ProgramTemplate, Question, Status
from trellis.programs.models import Role as ProgramRole
from trellis.programs.services import load_builtin_templates

pytestmark = pytest.mark.django_db

# The template files are what post_migrate installs as the built-in rows; collection cannot
# read the database, so the keys come from the files and the first test checks the rows match.
TEMPLATE_KEYS = sorted(d["key"] for d in load_builtin_templates())

ADDED_LABEL = "Which part of the day suits you best for meetings?"
ADDED_CHOICES = ["Mornings", "Afternoons", "Either is fine"]
EDITED_SUFFIX = " (edited by the program team)"
OBJECTIVE = "Every newcomer to the program finds a useful conversation partner"
METRIC_KR = "Most people who registered take part"
MANUAL_KR = "Lunch-and-learn sessions held"
SENTENCE = "I would like to learn from colleagues in other teams."


def test_post_migrate_installed_exactly_the_seven_builtin_templates():
    rows = set(ProgramTemplate.objects.filter(is_builtin=True).values_list("key", flat=True))
    assert rows == set(TEMPLATE_KEYS)
    assert len(rows) == 7


# --- Helpers ------------------------------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _question_post_data(form) -> dict:
    """The question form's fields as the edit page renders them, ready to post back."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def _registration_post_data(form) -> dict:
    """A valid answer for every field of the rendered registration form."""
    data = {}
    for name, field in form.fields.items():
        if name.endswith("_other"):
            continue  # the skills question's free-text companion: the list answer suffices
        if isinstance(field, forms.ModelMultipleChoiceField):
            first = field.queryset.order_by("pk").first()
            assert first is not None, "the skills list is empty"
            data[name] = [str(first.pk)]
        elif isinstance(field, forms.MultipleChoiceField):
            data[name] = [str(field.choices[0][0])]
        elif isinstance(field, forms.ChoiceField):  # also TypedChoiceField (scale, yes/no)
            data[name] = str(field.choices[0][0])
        elif isinstance(field, forms.BooleanField):
            data[name] = "on"
        elif isinstance(field, forms.IntegerField):
            data[name] = str(field.max_value if name == "capacity" else field.min_value)
        elif isinstance(field, forms.CharField):
            data[name] = SENTENCE
        else:
            raise AssertionError(f"No answer rule for {name}: {type(field).__name__}")
    return data


def _eligible_person_fields(program: Program, role: str) -> dict:
    """Directory fields that satisfy the program's eligibility rules for `role`."""
    today = timezone.localdate()
    level = 3
    hire_date = datetime.date(2021, 3, 1)
    if role == ProgramRole.MENTOR:
        if program.mentor_min_level is not None:
            level = max(level, program.mentor_min_level)
        if program.mentor_min_tenure_months:
            hire_date = today - datetime.timedelta(days=31 * (program.mentor_min_tenure_months + 6))
    if role == ProgramRole.MENTEE and program.mentee_max_level is not None:
        level = min(level, program.mentee_max_level)
    fields = {"person__level": level, "person__hire_date": hire_date}
    department = program.eligible_departments.first()
    if department is not None:
        fields["person__department"] = department
    location = program.eligible_locations.first()
    if location is not None:
        fields["person__location"] = location
    return fields


def _expected_status(program: Program, role: str) -> str:
    if program.requires_approval:
        return ParticipantStatus.APPLIED
    # Mentors register first and offer their full capacity, so a mentee finds a free place.
    return ParticipantStatus.APPROVED


# --- The journey --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_program_from_template_is_edited_opened_and_registered_through_the_pages(client, key):
    template = ProgramTemplate.objects.get(key=key, is_builtin=True)
    manager = ProgramManagerFactory()
    SkillFactory(name="Public speaking")
    SkillFactory(name="Data analysis")
    client.force_login(manager)

    # 1. Create from the template, with what the create page prefills.
    create_url = reverse("programs:create", args=[key])
    response = client.get(create_url)
    assert response.status_code == 200
    create_form = response.context["form"]
    assert create_form.initial["name"] == template.name
    post = {"name": create_form.initial["name"]}
    for name in create_form.fields:
        if name != "name":
            value = create_form.initial[name]
            assert value is not None, f"the create page suggests no {name}"
            post[name] = value.isoformat()
    cohort = template.definition["model"] == "cohort"
    assert set(post) == (
        {"name", "enrolment_opens_on", "enrolment_closes_on", "starts_on", "ends_on"}
        if cohort
        else {"name"}
    )
    response = client.post(create_url, post, follow=True)
    assert response.status_code == 200
    final_url = response.redirect_chain[-1][0]
    match = resolve(final_url)
    assert match.view_name == "programs:settings"
    program = Program.objects.get(slug=match.kwargs["slug"])
    assert f"“{template.name}” was created as a draft." in " ".join(_messages(response))
    assert (program.name, program.template, program.status) == (
        template.name,
        template,
        Status.DRAFT,
    )
    assert list(program.managers.all()) == [manager]
    for name in ("enrolment_opens_on", "enrolment_closes_on", "starts_on", "ends_on"):
        expected = create_form.initial[name] if cohort else None
        assert getattr(program, name) == expected, name
    slug = program.slug
    template_questions = list(program.questions.order_by("position", "pk"))
    assert template_questions, "the template brought no registration questions"

    # 2. The form builder: add a question for every role.
    builder_url = reverse("programs:form_builder", args=[slug])
    response = client.post(
        builder_url,
        {
            "kind": "single_choice",
            "role": "",
            "label": ADDED_LABEL,
            "help_text": "We use this to suggest meeting times.",
            "is_required": "on",
            "choices_text": "\n".join(ADDED_CHOICES),
            "criterion": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    added = Question.objects.get(program=program, label=ADDED_LABEL)
    assert (added.role, added.kind, added.choices, added.is_required) == (
        "",
        "single_choice",
        ADDED_CHOICES,
        True,
    )
    assert f"Question “{ADDED_LABEL}” added." in _messages(response)
    assert ADDED_LABEL in page_text(response)

    # ... and edit a template question's label, keeping everything else as the page shows it.
    edited = template_questions[0]
    edit_url = reverse("programs:question_edit", args=[slug, edited.pk])
    response = client.get(edit_url)
    assert response.status_code == 200
    data = _question_post_data(response.context["form"])
    new_label = edited.label + EDITED_SUFFIX
    data["label"] = new_label
    before = Question.objects.filter(pk=edited.pk).values().get()
    response = client.post(edit_url, data, follow=True)
    assert response.status_code == 200
    after = Question.objects.filter(pk=edited.pk).values().get()
    assert after["label"] == new_label
    assert {k: v for k, v in after.items() if k != "label"} == {
        k: v for k, v in before.items() if k != "label"
    }
    assert new_label in page_text(response)

    # 3. OKRs: an objective, a key result on a metric, one updated by hand, and its value.
    okrs_url = reverse("programs:okrs", args=[slug])
    response = client.post(
        okrs_url, {"action": "add_objective", "objective-new-title": OBJECTIVE}, follow=True
    )
    assert "The objective has been added." in _messages(response)
    objective = program.objectives.get(title=OBJECTIVE)
    prefix = f"kr-new-{objective.pk}"
    deadline = (timezone.localdate() + datetime.timedelta(days=120)).isoformat()
    for title, metric, target, unit in (
        (METRIC_KR, Metric.PARTICIPATION, "80", ""),
        (MANUAL_KR, "", "6", "sessions"),
    ):
        response = client.post(
            okrs_url,
            {
                "action": "add_key_result",
                "objective": objective.pk,
                f"{prefix}-title": title,
                f"{prefix}-metric": metric,
                f"{prefix}-target": target,
                f"{prefix}-unit": unit,
                f"{prefix}-deadline": deadline,
            },
            follow=True,
        )
        assert "The key result has been added." in _messages(response)
    metric_kr = KeyResult.objects.get(objective=objective, title=METRIC_KR)
    manual_kr = KeyResult.objects.get(objective=objective, title=MANUAL_KR)
    assert (metric_kr.metric, metric_kr.target, metric_kr.is_automatic) == (
        Metric.PARTICIPATION,
        80,
        True,
    )
    assert (manual_kr.metric, manual_kr.unit, manual_kr.is_automatic) == ("", "sessions", False)
    response = client.post(
        okrs_url,
        {"action": "record_value", "key_result": manual_kr.pk, f"value-{manual_kr.pk}-value": "2"},
        follow=True,
    )
    assert "The value has been recorded." in _messages(response)
    manual_kr.refresh_from_db()
    assert manual_kr.manual_value == 2
    text = page_text(response)
    assert OBJECTIVE in text and METRIC_KR in text and MANUAL_KR in text
    assert "2 sessions" in text

    # 4. Open enrolment.
    response = client.post(
        reverse("programs:change_status", args=[slug]), {"status": Status.ENROLLING}, follow=True
    )
    assert f"“{program.name}” is now enrolling." in _messages(response), _messages(response)
    program.refresh_from_db()
    assert program.status == Status.ENROLLING

    # 5. For each role, an eligible person registers through the join page.
    roles = offered_roles(program)
    assert roles == (
        [ProgramRole.PEER]
        if template.definition["format"] == "peer"
        else [ProgramRole.MENTOR, ProgramRole.MENTEE]
    )
    registered = []
    edited_label_seen = False
    for role in roles:
        member = ParticipantFactory(**_eligible_person_fields(program, role))
        client.force_login(member)
        join_url = reverse("enrolment:join", args=[slug])
        response = client.get(join_url, {"role": role})
        assert response.status_code == 200
        assert response.context["state"] == "form", response.context.get("reasons")
        form = response.context["form"]
        asked = {q.pk for q in form.questions}
        assert added.pk in asked
        text = page_text(response)
        assert ADDED_LABEL in text
        if edited.pk in asked:
            assert new_label in text
            edited_label_seen = True
        data = _registration_post_data(form)
        response = client.post(f"{join_url}?role={role}", data, follow=True)
        assert response.status_code == 200
        participant = Participant.objects.filter(program=program, person=member.person).first()
        assert participant is not None, (
            response.context["form"].errors if "form" in response.context else page_text(response)
        )
        assert participant.role == role
        assert participant.status == _expected_status(program, role)
        assert participant.answers[str(added.pk)] == ADDED_CHOICES[0]
        assert set(participant.answers) == {str(pk) for pk in asked}
        assert participant.consented_at is not None
        if role == ProgramRole.MENTOR:
            assert participant.capacity == program.mentor_capacity
        joined = JOINED_MESSAGES[participant.status].format(
            program=program.name, role=ProgramRole(role).label.lower()
        )
        assert joined in _messages(response)
        registered.append(participant)
    assert edited_label_seen, "the edited question is asked of no role"

    # 6. The manager sees everyone in the participants list.
    client.force_login(manager)
    response = client.get(reverse("enrolment:participants", args=[slug]))
    assert response.status_code == 200
    text = page_text(response)
    for participant in registered:
        assert participant.person.full_name in text
        assert participant.person.email in text
    shown = {p.pk for p in response.context["page_obj"].object_list}
    assert shown == {p.pk for p in registered}
