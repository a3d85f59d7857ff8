"""The demo's programs: one per built-in template, in several states, with valid registrations."""

import pytest
from django.core import mail
from django.core.management import call_command

from trellis.core.demo import seed_demo_organisation
from trellis.core.demo_programs import seed_demo_programs
from trellis.enrolment.forms import RegistrationForm
from trellis.enrolment.models import ParticipantStatus
from trellis.mentorships.models import Mentorship
from trellis.programs.models import Program, ProgramTemplate, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Seeding takes ~20 s, so the module shares one demo, committed outside the per-test
    # transactions and flushed afterwards (flush re-installs the built-in templates).
    with django_db_blocker.unblock():
        seed_demo_organisation()
        programs = seed_demo_programs()
        yield programs
        call_command("flush", interactive=False, verbosity=0)


def test_every_builtin_template_has_a_demo_program_in_varied_states(demo):
    assert {p.template.key for p in demo} == set(
        ProgramTemplate.objects.filter(is_builtin=True).values_list("key", flat=True)
    )
    assert {p.status for p in demo} >= {
        Status.DRAFT,
        Status.ENROLLING,
        Status.MATCHING,
        Status.ACTIVE,
    }
    assert sum(p.participants.count() for p in demo) >= 500


def test_the_career_program_shows_a_waitlist_and_manager_approvals_are_pending_elsewhere(demo):
    career = next(p for p in demo if p.template.key == "career-mentoring")
    statuses = set(career.participants.values_list("status", flat=True))
    assert ParticipantStatus.WAITLISTED in statuses
    leadership = next(p for p in demo if p.template.key == "leadership-development")
    assert leadership.participants.filter(status=ParticipantStatus.APPLIED).exists()


def test_demo_answers_pass_the_registration_form_validation(demo):
    career = next(p for p in demo if p.template.key == "career-mentoring")
    for participant in career.participants.select_related("person")[:40]:
        form = RegistrationForm(
            program=career,
            role=participant.role,
            person=participant.person,
            previous_answers=participant.answers,
        )
        assert form.questions
        answered = {str(q.pk) for q in form.questions} & set(participant.answers)
        required = {str(q.pk) for q in form.questions if q.is_required}
        assert required <= answered


def test_seeding_sends_no_email_and_runs_once(demo):
    assert mail.outbox == []
    assert seed_demo_programs() == list(Program.objects.all())


def test_the_printed_demo_accounts_are_not_registered_anywhere(demo):
    from trellis.core.demo import seed_demo_organisation as seed

    credentials = seed()
    emails = [
        credentials.admin_email,
        credentials.program_manager_email,
        credentials.participant_email,
    ]
    from trellis.enrolment.models import Participant

    assert not Participant.objects.filter(person__email__in=emails).exists()


def test_a_program_of_over_a_thousand_waits_for_its_match_and_a_running_one_has_pairs(demo):
    from trellis.mentorships.models import Mentorship

    big = next(p for p in demo if p.name == "Company-wide mentoring 2026")
    assert big.status == Status.MATCHING
    assert big.participants.filter(status=ParticipantStatus.APPROVED).count() >= 1_000
    running = next(p for p in demo if p.status == Status.ACTIVE)
    pairs = Mentorship.objects.filter(program=running)
    assert pairs.count() >= 40
    assert all(pair.reasons for pair in pairs)


def test_the_self_matched_program_has_requests_in_every_state(demo):
    from trellis.matches.models import MentorRequest

    flash = next(p for p in demo if p.matching_mode == "self" and p.format == "flash")
    states = set(MentorRequest.objects.filter(program=flash).values_list("status", flat=True))
    assert {"pending", "accepted", "declined"} <= states
    evergreen = next(p for p in demo if p.model == "evergreen" and p.matching_mode == "admin")
    assert evergreen.mentorships.filter(status="active").exists()


def test_the_running_program_has_a_month_of_meetings_and_pairs_at_risk(demo):
    from trellis.mentorships.meetings import pair_health
    from trellis.mentorships.models import Meeting, MeetingFeedback

    running = next(p for p in demo if p.status == Status.ACTIVE and p.matching_mode == "admin")
    assert Meeting.objects.filter(mentorship__program=running, status="held").count() >= 100
    assert Meeting.objects.filter(mentorship__program=running, status="scheduled").exists()
    assert MeetingFeedback.objects.filter(meeting__mentorship__program=running).exists()
    health = pair_health(running)
    flagged = [h for h in health if h.at_risk]
    assert 0 < len(flagged) < len(health)
    assert any("rated" in f for h in flagged for f in h.flags)
    assert any("no meeting yet" in f for h in flagged for f in h.flags)


def test_the_running_program_has_surveys_answered_and_open(demo):
    from trellis.mentorships.models import SurveyResponse

    running = next(p for p in demo if p.status == Status.ACTIVE and p.matching_mode == "admin")
    surveys = SurveyResponse.objects.filter(mentorship__program=running)
    assert {"first_meeting_fit", "periodic"} <= set(surveys.values_list("kind", flat=True))
    assert surveys.filter(status="answered").exists() and surveys.filter(status="open").exists()
    from trellis.mentorships.models import Goal

    goals = Goal.objects.filter(mentorship__program=running)
    assert goals.exists() and all(g.updates.count() == 2 for g in goals)


def test_the_demo_buddy_pair_can_sign_in_and_has_something_to_do(demo):
    from trellis.core.demo_programs import demo_pair_emails
    from trellis.mentorships.models import SurveyResponse

    mentee_email, mentor_email = demo_pair_emails()
    pair = Mentorship.objects.get(mentee__person__email=mentee_email, status="active")
    assert pair.mentor.person.email == mentor_email
    last = pair.meetings.filter(status="held").order_by("-starts_at").first()
    assert not last.feedback.exists() and pair.goals.exists()
    assert SurveyResponse.objects.filter(mentorship=pair, status="open").exists()
