"""Creating a program from a template: everything is copied, the slug is free and never a
reserved word, and the create page works for program managers only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AdminFactory, DepartmentFactory, ProgramManagerFactory
from trellis.programs.models import KeyResult, Program, Status
from trellis.programs.services import (
    ProgramError,
    create_program_from_template,
    load_builtin_templates,
)

from .conftest import ProgramFactory, page_text

pytestmark = pytest.mark.django_db

TEMPLATE_KEYS = [d["key"] for d in load_builtin_templates()]
START = datetime.date(2027, 4, 5)


def question_rows(program) -> list[dict]:
    return [
        {
            "role": q.role,
            "kind": q.kind,
            "label": q.label,
            "help_text": q.help_text,
            "required": q.is_required,
            "choices": q.choices,
            "max_selections": q.max_selections,
            "criterion": q.criterion,
            "private": q.is_private,
        }
        for q in program.questions.all()
    ]


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_every_template_creates_a_complete_program(key, builtin_templates, program_manager):
    template = builtin_templates[key]
    definition = template.definition
    cohort = definition["model"] == "cohort"
    dates = {"starts_on": START} if cohort else {}

    program = create_program_from_template(
        template, name="Spring programme", created_by=program_manager, **dates
    )

    program.refresh_from_db()
    assert program.status == Status.DRAFT
    assert program.template == template
    assert list(program.managers.all()) == [program_manager]
    assert program.created_by == program_manager
    for field in (
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
        "surveys",
    ):
        assert getattr(program, field) == definition[field], field
    for field in ("mentor_min_level", "mentor_min_tenure_months", "mentee_max_level"):
        assert getattr(program, field) == definition["eligibility"][field], field
    assert program.matching_weights == definition["matching"]["weights"]
    assert program.matching_options == definition["matching"]["options"]

    expected_questions = [
        {k: q[k] for k in ("role", "kind", "label", "help_text", "choices", "max_selections")}
        | {"required": q["required"], "criterion": q["criterion"], "private": q["private"]}
        for q in definition["questions"]
    ]
    assert question_rows(program) == expected_questions
    scales = [q for q in program.questions.all() if q.kind == "scale"]
    for question, item in zip(
        scales, [q for q in definition["questions"] if q["kind"] == "scale"], strict=True
    ):
        assert (question.scale_min, question.scale_max) == (
            item["scale"]["min"],
            item["scale"]["max"],
        )

    anchor = START if cohort else timezone.localdate()
    objectives = list(program.objectives.prefetch_related("key_results"))
    assert [o.title for o in objectives] == [o["objective"] for o in definition["okrs"]]
    for objective, item in zip(objectives, definition["okrs"], strict=True):
        rows = [
            (kr.title, kr.metric, kr.target, kr.unit, kr.deadline)
            for kr in objective.key_results.all()
        ]
        assert rows == [
            (
                kr["title"],
                kr["metric"],
                kr["target"],
                kr["unit"],
                anchor + datetime.timedelta(weeks=kr["deadline_weeks"]),
            )
            for kr in item["key_results"]
        ]
    if cohort:
        assert program.ends_on == START + datetime.timedelta(weeks=definition["duration_weeks"])
    else:
        assert (program.starts_on, program.ends_on) == (None, None)


def test_created_program_uses_the_dates_it_is_given(builtin_templates, program_manager):
    program = create_program_from_template(
        builtin_templates["peer-mentoring"],
        name="Peers 2027",
        created_by=program_manager,
        enrolment_opens_on=datetime.date(2027, 3, 1),
        enrolment_closes_on=datetime.date(2027, 3, 20),
        starts_on=datetime.date(2027, 4, 1),
        ends_on=datetime.date(2027, 6, 30),
    )
    assert (program.starts_on, program.ends_on) == (
        datetime.date(2027, 4, 1),
        datetime.date(2027, 6, 30),
    )


def test_creation_refuses_dates_out_of_order(builtin_templates, program_manager):
    with pytest.raises(ProgramError, match="Enrolment must close on or before the program"):
        create_program_from_template(
            builtin_templates["career-mentoring"],
            name="Late window",
            created_by=program_manager,
            enrolment_opens_on=START,
            enrolment_closes_on=START + datetime.timedelta(days=3),
            starts_on=START,
        )
    assert not Program.objects.exists()


def test_creation_adds_extra_managers_and_scope(builtin_templates, program_manager):
    colleague = ProgramManagerFactory()
    sales = DepartmentFactory(name="Sales")
    program = create_program_from_template(
        builtin_templates["flash-mentoring"],
        name="Flash",
        created_by=program_manager,
        managers=[colleague],
        eligible_departments=[sales],
    )
    assert set(program.managers.all()) == {program_manager, colleague}
    assert list(program.eligible_departments.all()) == [sales]


def test_creation_rejects_unknown_settings(builtin_templates, program_manager):
    with pytest.raises(TypeError, match="colour"):
        create_program_from_template(
            builtin_templates["flash-mentoring"],
            name="Flash",
            created_by=program_manager,
            colour="green",
        )


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Career mentoring 2027", "career-mentoring-2027"),
        ("New", "new-2"),
        ("Templates", "templates-2"),
        ("   ***   ", "program"),
        ("École d\u2019été", "ecole-dete"),
    ],
)
def test_slug_comes_from_the_name_and_is_never_reserved(
    name, slug, builtin_templates, program_manager
):
    program = create_program_from_template(
        builtin_templates["flash-mentoring"], name=name.strip() or name, created_by=program_manager
    )
    assert program.slug == slug


def test_slug_is_unique(builtin_templates, program_manager):
    ProgramFactory(name="Old", slug="buddies")
    ProgramFactory(name="Old", slug="buddies-2")
    first = create_program_from_template(
        builtin_templates["new-hire-buddy"], name="Buddies", created_by=program_manager
    )
    second = create_program_from_template(
        builtin_templates["new-hire-buddy"], name="Buddies", created_by=program_manager
    )
    assert (first.slug, second.slug) == ("buddies-3", "buddies-4")


def test_program_needs_a_name(builtin_templates, program_manager):
    with pytest.raises(ProgramError, match="Give the program a name"):
        create_program_from_template(
            builtin_templates["flash-mentoring"], name="  ", created_by=program_manager
        )


# --- The create page ---------------------------------------------------------------------------


def create_url(key: str) -> str:
    return reverse("programs:create", args=[key])


def test_create_page_suggests_a_name_and_dates(manager_client, builtin_templates):
    response = manager_client.get(create_url("career-mentoring"))
    html = response.content.decode()
    today = timezone.localdate()
    assert 'value="Career 1:1 mentoring"' in html
    assert f'value="{today.isoformat()}"' in html  # enrolment opens today
    starts = today + datetime.timedelta(weeks=4)  # 3 weeks of enrolment, a week to match
    assert f'value="{starts.isoformat()}"' in html
    assert f'value="{(starts + datetime.timedelta(weeks=26)).isoformat()}"' in html
    text = page_text(response)
    assert "Registration form 9 questions" in text
    assert "Duration 26 weeks" in text
    for field in ("id_name", "id_enrolment_opens_on", "id_starts_on"):
        assert f'<label for="{field}"' in html


def test_create_page_has_no_dates_for_evergreen_templates(manager_client, builtin_templates):
    response = manager_client.get(create_url("new-hire-buddy"))
    assert 'name="starts_on"' not in response.content.decode()
    assert "no dates to set" in page_text(response)


def test_program_manager_creates_a_program(manager_client, program_manager, builtin_templates):
    response = manager_client.post(
        create_url("career-mentoring"),
        {
            "name": "Engineering mentoring 2027",
            "enrolment_opens_on": "2027-03-01",
            "enrolment_closes_on": "2027-03-21",
            "starts_on": "2027-04-01",
            "ends_on": "2027-09-30",
        },
    )
    program = Program.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programs:settings", args=[program.slug])
    assert program.name == "Engineering mentoring 2027"
    assert program.slug == "engineering-mentoring-2027"
    assert program.enrolment_closes_on == datetime.date(2027, 3, 21)
    assert program.ends_on == datetime.date(2027, 9, 30)
    assert list(program.managers.all()) == [program_manager]
    assert program.questions.count() == 9
    assert KeyResult.objects.filter(objective__program=program).count() == 7
    followed = manager_client.get(response.url)
    assert "was created as a draft" in page_text(followed)


def test_create_page_explains_bad_dates(manager_client, builtin_templates):
    response = manager_client.post(
        create_url("career-mentoring"),
        {
            "name": "Backwards",
            "enrolment_opens_on": "2027-03-21",
            "enrolment_closes_on": "2027-03-01",
            "starts_on": "2027-04-01",
            "ends_on": "2027-03-30",
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Enrolment must close on or after the day it opens." in text
    assert "The program must end after it starts." in text
    assert not Program.objects.exists()


def test_admin_may_create_programs(client, builtin_templates):
    admin = AdminFactory()
    client.force_login(admin)
    response = client.post(create_url("new-hire-buddy"), {"name": "Buddies"})
    assert response.status_code == 302
    assert list(Program.objects.get().managers.all()) == [admin]


def test_participant_cannot_create_programs(participant_client, builtin_templates):
    assert participant_client.get(create_url("new-hire-buddy")).status_code == 403
    response = participant_client.post(create_url("new-hire-buddy"), {"name": "Mine"})
    assert response.status_code == 403
    assert not Program.objects.exists()


def test_unknown_template_is_not_found(manager_client, builtin_templates):
    assert manager_client.get(create_url("no-such-template")).status_code == 404
