"""A program's lifecycle: every allowed move, every refused one with its message, the
preconditions of each move, and the status buttons on the settings page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from trellis.enrolment.models import ParticipantStatus
from trellis.programs.models import Program, Status
from trellis.programs.services import (
    ProgramTransitionError,
    allowed_transitions,
    change_program_status,
)

from .conftest import RegistrationFactory, page_text

pytestmark = pytest.mark.django_db

COHORT, EVERGREEN = "career-mentoring", "new-hire-buddy"


def register(program, status=ParticipantStatus.APPROVED, role="mentee"):
    return RegistrationFactory(program=program, status=status, role=role)


@pytest.mark.parametrize(
    ("key", "current", "new", "needs_registration"),
    [
        (COHORT, Status.DRAFT, Status.ENROLLING, False),
        (COHORT, Status.ENROLLING, Status.MATCHING, True),
        (COHORT, Status.ENROLLING, Status.DRAFT, False),
        (COHORT, Status.ENROLLING, Status.CLOSED, False),
        (COHORT, Status.MATCHING, Status.ENROLLING, False),
        (COHORT, Status.MATCHING, Status.ACTIVE, False),
        (COHORT, Status.MATCHING, Status.CLOSED, False),
        (COHORT, Status.ACTIVE, Status.CLOSED, False),
        (EVERGREEN, Status.DRAFT, Status.ENROLLING, False),
        (EVERGREEN, Status.ENROLLING, Status.ACTIVE, False),
        (EVERGREEN, Status.ENROLLING, Status.MATCHING, True),
        (EVERGREEN, Status.MATCHING, Status.ACTIVE, False),
        (EVERGREEN, Status.ACTIVE, Status.CLOSED, False),
    ],
)
def test_allowed_transitions(make_program, program_manager, key, current, new, needs_registration):
    program = make_program(key, status=current)
    if needs_registration:
        register(program)
    assert new in allowed_transitions(program)
    change_program_status(program, new, by=program_manager)
    assert Program.objects.get(pk=program.pk).status == new
    assert program.status == new


@pytest.mark.parametrize(
    ("key", "current", "new", "message"),
    [
        (
            COHORT,
            Status.DRAFT,
            Status.MATCHING,
            "A program that is draft can move to Enrolling, not to Matching.",
        ),
        (
            COHORT,
            Status.DRAFT,
            Status.ACTIVE,
            "A program that is draft can move to Enrolling, not to Active.",
        ),
        (
            COHORT,
            Status.DRAFT,
            Status.CLOSED,
            "A program that is draft can move to Enrolling, not to Closed.",
        ),
        (COHORT, Status.ENROLLING, Status.ENROLLING, "The program is already enrolling."),
        (
            COHORT,
            Status.ENROLLING,
            Status.ACTIVE,
            "A cohort program is matched before it starts: move it to Matching first, then to "
            "Active. Only evergreen programs go straight from Enrolling to Active.",
        ),
        (
            COHORT,
            Status.MATCHING,
            Status.DRAFT,
            "A program that is matching can move to Enrolling, Active, Closed, not to Draft.",
        ),
        (
            COHORT,
            Status.ACTIVE,
            Status.ENROLLING,
            "An active cohort program cannot reopen enrolment or matching; run a new cohort "
            "instead (save this program as a template).",
        ),
        (
            COHORT,
            Status.ACTIVE,
            Status.MATCHING,
            "An active cohort program cannot reopen enrolment or matching",
        ),
        (
            COHORT,
            Status.ACTIVE,
            Status.DRAFT,
            "An active program cannot go back to draft; close it instead.",
        ),
        (
            EVERGREEN,
            Status.ACTIVE,
            Status.ENROLLING,
            "An active evergreen program already keeps enrolment open and matches newcomers.",
        ),
        (
            COHORT,
            Status.CLOSED,
            Status.ENROLLING,
            "A closed program cannot be reopened. Save it as a template and create a new "
            "program from it to run it again.",
        ),
        (COHORT, Status.CLOSED, Status.ACTIVE, "A closed program cannot be reopened."),
        (COHORT, Status.ENROLLING, "paused", "'paused' is not a program status."),
    ],
)
def test_refused_transitions_say_why(make_program, program_manager, key, current, new, message):
    program = make_program(key, status=current)
    with pytest.raises(ProgramTransitionError) as raised:
        change_program_status(program, new, by=program_manager)
    assert message in str(raised.value)
    assert Program.objects.get(pk=program.pk).status == current


def test_allowed_transitions_differ_for_evergreen(make_program):
    cohort = make_program(COHORT, status=Status.ENROLLING)
    evergreen = make_program(EVERGREEN, status=Status.ENROLLING)
    assert allowed_transitions(cohort) == [Status.MATCHING, Status.DRAFT, Status.CLOSED]
    assert allowed_transitions(evergreen) == [
        Status.MATCHING,
        Status.ACTIVE,
        Status.DRAFT,
        Status.CLOSED,
    ]
    assert allowed_transitions(make_program(COHORT, status=Status.CLOSED)) == []


# --- Preconditions -----------------------------------------------------------------------------


def test_cohort_cannot_open_enrolment_without_dates(make_program, program_manager):
    program = make_program(COHORT)
    Program.objects.filter(pk=program.pk).update(
        enrolment_opens_on=None, enrolment_closes_on=None, starts_on=None, ends_on=None
    )
    with pytest.raises(ProgramTransitionError) as raised:
        change_program_status(program, Status.ENROLLING, by=program_manager)
    assert str(raised.value) == (
        "Enrolment cannot open yet: set the enrolment window (the dates enrolment opens and "
        "closes); set the start and end dates."
    )


def test_enrolment_cannot_open_after_the_window_closed(make_program, program_manager):
    today = timezone.localdate()
    program = make_program(
        COHORT,
        enrolment_opens_on=today - datetime.timedelta(days=30),
        enrolment_closes_on=today - datetime.timedelta(days=1),
        starts_on=today + datetime.timedelta(days=7),
    )
    with pytest.raises(ProgramTransitionError, match="the enrolment window closed on"):
        change_program_status(program, Status.ENROLLING, by=program_manager)


def test_matching_cannot_reopen_enrolment_once_the_window_closed(make_program, program_manager):
    program = make_program(COHORT, status=Status.MATCHING)
    with pytest.raises(ProgramTransitionError, match="move the closing date"):
        change_program_status(
            program,
            Status.ENROLLING,
            by=program_manager,
            today=program.enrolment_closes_on + datetime.timedelta(days=1),
        )


def test_enrolment_needs_questions_for_every_role(make_program, program_manager):
    program = make_program(COHORT)
    program.questions.filter(role__in=["mentee", ""]).delete()
    with pytest.raises(ProgramTransitionError) as raised:
        change_program_status(program, Status.ENROLLING, by=program_manager)
    assert str(raised.value) == (
        "Enrolment cannot open yet: add at least one registration question for mentees."
    )


def test_a_question_for_everyone_counts_for_every_role(make_program, program_manager):
    program = make_program(COHORT)
    program.questions.filter(role="mentee").delete()
    assert program.questions.filter(role="").exists()
    change_program_status(program, Status.ENROLLING, by=program_manager)
    assert program.status == Status.ENROLLING


def test_peer_programs_need_a_question_for_peers(make_program, program_manager):
    program = make_program("peer-mentoring")
    program.questions.all().delete()
    with pytest.raises(ProgramTransitionError, match="question for peers"):
        change_program_status(program, Status.ENROLLING, by=program_manager)


def test_enrolment_needs_a_manager(make_program, program_manager):
    program = make_program(EVERGREEN)
    program.managers.clear()
    with pytest.raises(ProgramTransitionError, match="name at least one program manager"):
        change_program_status(program, Status.ENROLLING, by=program_manager)


def test_circles_need_a_size(make_program, program_manager):
    program = make_program("mentoring-circles")
    Program.objects.filter(pk=program.pk).update(circle_size=None)
    with pytest.raises(ProgramTransitionError, match="set the circle size"):
        change_program_status(program, Status.ENROLLING, by=program_manager)


def test_evergreen_opens_enrolment_without_dates(make_program, program_manager):
    program = make_program(EVERGREEN)
    assert program.starts_on is None
    change_program_status(program, Status.ENROLLING, by=program_manager)
    change_program_status(program, Status.ACTIVE, by=program_manager)
    assert Program.objects.get(pk=program.pk).status == Status.ACTIVE


def test_matching_needs_someone_registered(make_program, program_manager):
    program = make_program(COHORT, status=Status.ENROLLING)
    register(program, status=ParticipantStatus.WITHDRAWN)
    with pytest.raises(ProgramTransitionError) as raised:
        change_program_status(program, Status.MATCHING, by=program_manager)
    assert str(raised.value) == (
        "Matching cannot start: no one has registered yet, so there is nobody to match; keep "
        "enrolment open."
    )


def test_back_to_draft_only_while_nobody_registered(make_program, program_manager):
    program = make_program(COHORT, status=Status.ENROLLING)
    register(program)
    register(program, status=ParticipantStatus.APPLIED, role="mentor")
    with pytest.raises(ProgramTransitionError) as raised:
        change_program_status(program, Status.DRAFT, by=program_manager)
    assert str(raised.value) == (
        "The program cannot go back to draft: 2 people have registered; close the program "
        "instead, or withdraw the registrations first."
    )


def test_cohort_cannot_start_without_dates(make_program, program_manager):
    program = make_program(COHORT, status=Status.MATCHING)
    Program.objects.filter(pk=program.pk).update(ends_on=None)
    with pytest.raises(ProgramTransitionError, match="The program cannot start: set the start"):
        change_program_status(program, Status.ACTIVE, by=program_manager)


# --- The status buttons ------------------------------------------------------------------------


def status_url(program) -> str:
    return reverse("programs:change_status", args=[program.slug])


def test_settings_page_offers_the_allowed_moves(manager_client, make_program):
    program = make_program(EVERGREEN, status=Status.ENROLLING)
    response = manager_client.get(reverse("programs:settings", args=[program.slug]))
    html = response.content.decode()
    for status in ("matching", "active", "draft", "closed"):
        assert f'<input type="hidden" name="status" value="{status}">' in html
    assert 'value="enrolling"' not in html.split("status-panel")[1].split("</section>")[0]
    assert "Move to Active" in page_text(response)


def test_manager_moves_the_program_with_a_button(manager_client, make_program):
    program = make_program(COHORT)
    response = manager_client.post(status_url(program), {"status": "enrolling"}, follow=True)
    assert Program.objects.get(pk=program.pk).status == Status.ENROLLING
    assert f"“{program.name}” is now enrolling." in page_text(response)


def test_refused_move_is_explained_on_the_page(manager_client, make_program):
    program = make_program(COHORT, status=Status.ENROLLING)
    response = manager_client.post(status_url(program), {"status": "matching"}, follow=True)
    assert Program.objects.get(pk=program.pk).status == Status.ENROLLING
    assert "Matching cannot start: no one has registered yet" in page_text(response)
    assert response.redirect_chain[-1][0] == reverse("programs:settings", args=[program.slug])


def test_participant_cannot_change_the_status(participant_client, make_program):
    program = make_program(COHORT)
    response = participant_client.post(status_url(program), {"status": "enrolling"})
    assert response.status_code == 403
    assert Program.objects.get(pk=program.pk).status == Status.DRAFT


def test_manager_of_another_program_cannot_change_the_status(other_manager_client, make_program):
    program = make_program(COHORT)
    response = other_manager_client.post(status_url(program), {"status": "enrolling"})
    assert response.status_code == 403
    assert Program.objects.get(pk=program.pk).status == Status.DRAFT


def test_admin_changes_any_programs_status(admin_client_, make_program):
    program = make_program(COHORT)
    admin_client_.post(status_url(program), {"status": "enrolling"})
    assert Program.objects.get(pk=program.pk).status == Status.ENROLLING


def test_status_changes_only_by_post(manager_client, make_program):
    program = make_program(COHORT)
    assert manager_client.get(status_url(program)).status_code == 405
