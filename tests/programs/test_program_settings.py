"""The settings page and `update_program`: every customisable setting, cross-field date rules,
cohort and evergreen rules, managers, matching weights, and who may open the page."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    AdminFactory,
    DepartmentFactory,
    LocationFactory,
    ParticipantFactory,
    ProgramManagerFactory,
)
from trellis.accounts.models import Role as AccountRole
from trellis.programs.forms import ProgramSettingsForm
from trellis.programs.models import KeyResult, Program, Status
from trellis.programs.services import ProgramError, update_program

from .conftest import page_text

pytestmark = pytest.mark.django_db


def settings_url(program) -> str:
    return reverse("programs:settings", args=[program.slug])


def form_data(program, **changes) -> dict:
    """The settings form as the page submits it, with changes."""
    data = {}
    for name, value in {**ProgramSettingsForm.initial_from(program), **changes}.items():
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def test_page_shows_the_current_settings(manager_client, make_program, program_manager):
    program = make_program("career-mentoring")
    response = manager_client.get(settings_url(program))
    html = response.content.decode()
    assert f'value="{program.name}"' in html
    assert f'value="{program.starts_on.isoformat()}"' in html
    assert '<option value="every_two_weeks" selected>' in html
    assert 'name="weight_skills" value="3.0"' in html
    assert f'<option value="{program_manager.pk}" selected>' in html
    for label in ("id_name", "id_mentor_capacity", "id_enrolment_opens_on", "id_managers"):
        assert f'<label for="{label}"' in html
    text = page_text(response)
    for link in ("Settings", "Registration form", "Goal and OKRs", "Participants", "Invite"):
        assert link in text
    assert f'href="{reverse("programs:form_builder", args=[program.slug])}"' in html
    assert f'href="{reverse("enrolment:supply_demand", args=[program.slug])}"' in html
    assert 'aria-current="page">Settings' in html
    assert "style=" not in html and "<script>" not in html


def test_manager_changes_every_setting(manager_client, make_program, program_manager):
    program = make_program("career-mentoring")
    colleague = AdminFactory()
    sales, lisbon = DepartmentFactory(name="Sales"), LocationFactory(name="Lisbon")
    data = form_data(
        program,
        name="Sales mentoring",
        summary="For the sales team.",
        description="Read this.",
        north_star="Every seller has a mentor.",
        format="reverse",
        model="cohort",
        matching_mode="self",
        meeting_cadence="monthly",
        mentor_capacity=3,
        enrolment_opens_on=datetime.date(2027, 5, 1),
        enrolment_closes_on=datetime.date(2027, 5, 20),
        starts_on=datetime.date(2027, 6, 1),
        ends_on=datetime.date(2027, 12, 1),
        allow_both_roles=False,
        requires_approval=True,
        consent_text="I agree.",
        mentor_min_level=6,
        mentor_min_tenure_months=36,
        mentee_max_level=4,
        eligible_departments=[sales],
        eligible_locations=[lisbon],
        managers=[program_manager, colleague],
        weight_skills=5,
        weight_goals=0,
        weight_language=2.5,
        department_prefer="same",
        seniority_min_gap=2,
        seniority_max_gap=5,
        seniority_reverse=True,
    )
    response = manager_client.post(settings_url(program), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.name, program.slug) == ("Sales mentoring", program.slug)
    assert (program.summary, program.description, program.north_star) == (
        "For the sales team.",
        "Read this.",
        "Every seller has a mentor.",
    )
    assert (program.format, program.matching_mode, program.meeting_cadence) == (
        "reverse",
        "self",
        "monthly",
    )
    assert program.mentor_capacity == 3
    assert (program.enrolment_opens_on, program.ends_on) == (
        datetime.date(2027, 5, 1),
        datetime.date(2027, 12, 1),
    )
    assert (program.allow_both_roles, program.requires_approval) == (False, True)
    assert program.consent_text == "I agree."
    assert (program.mentor_min_level, program.mentor_min_tenure_months) == (6, 36)
    assert program.mentee_max_level == 4
    assert list(program.eligible_departments.all()) == [sales]
    assert list(program.eligible_locations.all()) == [lisbon]
    assert set(program.managers.all()) == {program_manager, colleague}
    assert program.matching_weights == {
        "skills": 5.0,
        "seniority": 2.0,
        "department": 1.0,
        "time_zone": 1.0,
        "language": 2.5,
        "text": 1.0,
        "preferences": 1.0,
    }
    assert program.matching_options["department"] == {"prefer": "same"}
    assert program.matching_options["seniority"] == {
        "min_gap": 2.0,
        "max_gap": 5.0,
        "reverse": True,
    }
    assert "The settings have been saved." in page_text(manager_client.get(response.url))


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"enrolment_opens_on": "2027-05-20", "enrolment_closes_on": "2027-05-01"},
            "enrolment_closes_on",
            "Enrolment must close on or after the day it opens.",
        ),
        (
            {"enrolment_closes_on": "2027-06-15", "starts_on": "2027-06-01"},
            "enrolment_closes_on",
            "Enrolment must close on or before the program starts.",
        ),
        (
            {"starts_on": "2027-06-01", "ends_on": "2027-06-01"},
            "ends_on",
            "The program must end after it starts.",
        ),
        (
            {"enrolment_opens_on": "", "enrolment_closes_on": "2027-05-20"},
            "enrolment_opens_on",
            "Give both ends of the enrolment window, or neither.",
        ),
    ],
)
def test_dates_are_checked_together(manager_client, make_program, dates, field, message):
    program = make_program("career-mentoring")
    base = {
        "enrolment_opens_on": "2027-05-01",
        "enrolment_closes_on": "2027-05-20",
        "starts_on": "2027-06-01",
        "ends_on": "2027-12-01",
    }
    response = manager_client.post(settings_url(program), {**form_data(program), **base, **dates})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert message in page_text(response)
    assert "The settings were not saved." in page_text(response)
    unchanged = Program.objects.get(pk=program.pk)
    assert unchanged.starts_on == program.starts_on


def test_draft_cohort_may_leave_dates_empty(manager_client, make_program):
    program = make_program("career-mentoring")
    data = form_data(
        program, enrolment_opens_on=None, enrolment_closes_on=None, starts_on=None, ends_on=None
    )
    assert manager_client.post(settings_url(program), data).status_code == 302
    assert Program.objects.get(pk=program.pk).starts_on is None


def test_open_cohort_keeps_its_dates(manager_client, make_program):
    program = make_program("career-mentoring", status=Status.ENROLLING)
    response = manager_client.post(settings_url(program), form_data(program, starts_on=None))
    assert (
        "A cohort program needs this date once enrolment has opened."
        in (response.context["form"].errors["starts_on"])
    )


def test_evergreen_programs_have_no_dates(manager_client, make_program):
    program = make_program("career-mentoring")
    response = manager_client.post(
        settings_url(program), form_data(program, model="evergreen"), follow=True
    )
    program.refresh_from_db()
    assert program.model == "evergreen"
    assert (program.enrolment_opens_on, program.starts_on, program.ends_on) == (None, None, None)
    assert "Evergreen programs have no dates, so the dates were cleared." in page_text(response)


def test_format_and_model_are_fixed_once_enrolment_opened(manager_client, make_program):
    program = make_program("career-mentoring", status=Status.ENROLLING)
    response = manager_client.get(settings_url(program))
    assert "Fixed once enrolment has opened." in page_text(response)
    manager_client.post(settings_url(program), form_data(program, format="peer", name="Renamed"))
    program.refresh_from_db()
    assert (program.format, program.name) == ("one_to_one", "Renamed")


def test_service_refuses_a_format_change_after_enrolment_opened(make_program, program_manager):
    program = make_program("career-mentoring", status=Status.ACTIVE)
    with pytest.raises(ProgramError) as raised:
        update_program(program, by=program_manager, format="peer")
    assert str(raised.value) == (
        "The format cannot change once enrolment has opened: people registered for a "
        "one-to-one mentoring program."
    )


def test_switching_to_peer_asks_role_questions_of_everyone(make_program, program_manager):
    program = make_program("career-mentoring")
    assert program.questions.filter(role="mentor").exists()
    update_program(program, by=program_manager, format="peer")
    assert set(program.questions.values_list("role", flat=True)) == {""}


def test_circles_need_a_size(manager_client, make_program):
    program = make_program("mentoring-circles")
    response = manager_client.post(settings_url(program), form_data(program, circle_size=None))
    assert (
        "A circle program needs a circle size (2 or more)."
        in (response.context["form"].errors["circle_size"])
    )
    other = make_program("career-mentoring", name="One to one")
    manager_client.post(settings_url(other), form_data(other, circle_size=8))
    assert Program.objects.get(pk=other.pk).circle_size is None


def test_some_matching_criterion_must_count(manager_client, make_program):
    program = make_program("flash-mentoring")
    weights = {f"weight_{name}": 0 for name in program.matching_weights}
    response = manager_client.post(settings_url(program), form_data(program, **weights))
    assert "Give at least one matching criterion a weight above 0" in page_text(response)
    assert Program.objects.get(pk=program.pk).matching_weights == program.matching_weights


def test_seniority_gaps_are_ordered(manager_client, make_program):
    program = make_program("career-mentoring")
    response = manager_client.post(
        settings_url(program), form_data(program, seniority_min_gap=4, seniority_max_gap=1)
    )
    assert "The largest gap must be at least the smallest gap." in page_text(response)


def test_only_program_managers_and_admins_can_be_managers(manager_client, make_program):
    program = make_program("career-mentoring")
    participant = ParticipantFactory()
    response = manager_client.post(
        settings_url(program), form_data(program, managers=[participant])
    )
    assert response.status_code == 200
    assert "cannot manage programs" in page_text(response)
    assert participant not in program.managers.all()
    options = response.context["form"].fields["managers"].queryset
    assert participant not in options
    assert all(u.role in (AccountRole.PROGRAM_MANAGER, AccountRole.ADMIN) for u in options)

    response = manager_client.post(settings_url(program), form_data(program, managers=[]))
    assert "A program needs at least one program manager." in page_text(response)


def test_service_refuses_a_participant_as_manager(make_program, program_manager):
    program = make_program("career-mentoring")
    with pytest.raises(ProgramError, match="cannot manage programs"):
        update_program(program, by=program_manager, managers=[ParticipantFactory()])
    with pytest.raises(ProgramError, match="at least one program manager"):
        update_program(program, by=program_manager, managers=[])


def test_handing_the_program_over_leads_to_its_landing_page(manager_client, make_program):
    program = make_program("career-mentoring")
    successor = ProgramManagerFactory()
    response = manager_client.post(settings_url(program), form_data(program, managers=[successor]))
    assert response.url == reverse("programs:landing", args=[program.slug])
    assert list(program.managers.all()) == [successor]
    assert manager_client.get(settings_url(program)).status_code == 403


def test_moving_the_start_moves_the_deadlines(manager_client, make_program):
    program = make_program("career-mentoring")
    before = dict(
        KeyResult.objects.filter(objective__program=program).values_list("pk", "deadline")
    )
    new_start = program.starts_on + datetime.timedelta(days=14)
    response = manager_client.post(
        settings_url(program),
        form_data(program, starts_on=new_start, ends_on=program.ends_on + datetime.timedelta(14)),
        follow=True,
    )
    assert "Key-result deadlines moved with the start date." in page_text(response)
    after = dict(KeyResult.objects.filter(objective__program=program).values_list("pk", "deadline"))
    assert after == {pk: d + datetime.timedelta(days=14) for pk, d in before.items()}


def test_participant_cannot_see_or_change_settings(participant_client, make_program):
    program = make_program("career-mentoring", status=Status.ENROLLING)
    assert participant_client.get(settings_url(program)).status_code == 403
    response = participant_client.post(settings_url(program), form_data(program, name="Hacked"))
    assert response.status_code == 403
    assert Program.objects.get(pk=program.pk).name == program.name


def test_manager_of_another_program_cannot_change_settings(other_manager_client, make_program):
    program = make_program("career-mentoring")
    assert other_manager_client.get(settings_url(program)).status_code == 403
    other_manager_client.post(settings_url(program), form_data(program, name="Mine"))
    assert Program.objects.get(pk=program.pk).name == program.name


def test_admin_changes_any_programs_settings(admin_client_, make_program):
    program = make_program("career-mentoring")
    response = admin_client_.post(settings_url(program), form_data(program, name="By the admin"))
    assert response.status_code == 302
    assert Program.objects.get(pk=program.pk).name == "By the admin"


def test_anonymous_visitor_is_sent_to_sign_in(client, make_program):
    program = make_program("career-mentoring")
    response = client.get(settings_url(program))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_unknown_program_is_not_found(manager_client, db):
    assert manager_client.get(reverse("programs:settings", args=["nope"])).status_code == 404


def test_service_refuses_a_model_change_after_enrolment_opened(make_program, program_manager):
    program = make_program("new-hire-buddy", status=Status.ENROLLING)
    with pytest.raises(ProgramError, match="cannot switch between cohort and evergreen"):
        update_program(program, by=program_manager, model="cohort")
    assert Program.objects.get(pk=program.pk).model == "evergreen"
