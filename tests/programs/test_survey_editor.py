"""Managers edit the program's surveys; every change is checked like a template's surveys, and
surveys already sent keep their questions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProgramFactory, RegistrationFactory
from tests.helpers import page_text
from trellis.mentorships.models import Mentorship, SurveyResponse
from trellis.mentorships.surveys import open_for_both
from trellis.programs.models import Program, Role

pytestmark = pytest.mark.django_db

SURVEY = {
    "kind": "midpoint",
    "title": "Halfway check-in",
    "every_weeks": None,
    "questions": [
        {
            "key": "satisfaction",
            "kind": "scale",
            "label": "How satisfied?",
            "required": True,
            "choices": [],
            "scale": {"min": 1, "max": 5, "min_label": "", "max_label": ""},
        },
        {
            "key": "often",
            "kind": "single_choice",
            "label": "How often?",
            "required": True,
            "choices": ["Weekly", "Monthly"],
            "scale": None,
        },
    ],
}


@pytest.fixture
def program(program_manager):
    return ProgramFactory(
        surveys=[SURVEY], managed_by=[program_manager], status="active", model="evergreen"
    )


def _form(program, **changes):
    data = {
        "kinds": ["midpoint"],
        "midpoint-count": "2",
        "midpoint-title": "Halfway check-in",
        "midpoint-q0-key": "satisfaction",
        "midpoint-q0-label": "How satisfied?",
        "midpoint-q0-kind": "scale",
        "midpoint-q0-required": "on",
        "midpoint-q0-min": "1",
        "midpoint-q0-max": "5",
        "midpoint-q1-key": "often",
        "midpoint-q1-label": "How often?",
        "midpoint-q1-kind": "single_choice",
        "midpoint-q1-required": "on",
        "midpoint-q1-choices": "Weekly\nMonthly",
    }
    data.update(changes)
    return data


def test_managers_rename_add_remove_and_add_a_survey(client, program_manager, program):
    client.force_login(program_manager)
    url = reverse("programs:surveys", args=[program.slug])
    assert 'value="Halfway check-in"' in client.get(url).content.decode()
    response = client.post(
        url,
        _form(
            program,
            **{
                "midpoint-title": "Check-in at six weeks",
                "midpoint-q1-remove": "on",
                "midpoint-qnew-label": "What should change?",
                "midpoint-qnew-kind": "long_text",
                "add_kind": "end_of_program",
            },
        ),
    )
    assert response.status_code == 302
    program.refresh_from_db()
    midpoint, end = program.surveys
    assert midpoint["title"] == "Check-in at six weeks"
    assert [q["key"] for q in midpoint["questions"]] == ["satisfaction", "what_should_change"]
    assert end["kind"] == "end_of_program" and end["questions"]


def test_a_bad_survey_is_refused_with_the_reason_and_nothing_changes(
    client, program_manager, program
):
    client.force_login(program_manager)
    url = reverse("programs:surveys", args=[program.slug])
    response = client.post(url, _form(program, **{"midpoint-q1-choices": "Weekly"}))
    assert response.status_code == 200
    assert "needs at least 2 choices" in page_text(response)
    assert Program.objects.get(pk=program.pk).surveys == [SURVEY]


def test_a_survey_already_sent_keeps_its_questions(client, program_manager, program):
    mentor = RegistrationFactory(program=program, role=Role.MENTOR)
    mentee = RegistrationFactory(program=program, role=Role.MENTEE)
    pair = Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        started_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    open_for_both(pair, "midpoint")
    client.force_login(program_manager)
    client.post(
        reverse("programs:surveys", args=[program.slug]),
        _form(program, **{"midpoint-q0-label": "Overall, how is it going?"}),
    )
    sent = SurveyResponse.objects.first()
    assert sent.questions[0]["label"] == "How satisfied?"


def test_a_failed_save_keeps_what_was_posted_and_long_labels_make_valid_keys(
    client, program_manager, program
):
    client.force_login(program_manager)
    url = reverse("programs:surveys", args=[program.slug])
    label = "abcdefghi abcdefghi abcdefghi abcdefghi overall?"
    bad = _form(
        program,
        **{
            "add_kind": "end_of_program",
            "midpoint-q1-choices": "Weekly",
            "midpoint-qnew-label": label,
            "midpoint-qnew-kind": "short_text",
        },
    )
    response = client.post(url, bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="kinds" value="end_of_program"' in html  # the added survey is still there
    fixed = {k: v for k, v in bad.items() if k != "add_kind"}
    fixed["kinds"] = ["midpoint", "end_of_program"]
    fixed.update(
        {
            "midpoint-q1-choices": "Weekly\nMonthly",
            "end_of_program-count": "1",
            "end_of_program-title": "End",
            "end_of_program-q0-key": "satisfaction",
            "end_of_program-q0-label": "Satisfied?",
            "end_of_program-q0-kind": "scale",
            "end_of_program-q0-min": "1",
            "end_of_program-q0-max": "5",
        }
    )
    assert client.post(url, fixed).status_code == 302
    program.refresh_from_db()
    assert [s["kind"] for s in program.surveys] == ["midpoint", "end_of_program"]
    assert program.surveys[0]["questions"][-1]["key"] == "abcdefghi_abcdefghi_abcdefghi_abcdefghi"
