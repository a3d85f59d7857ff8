"""Meetings: calendar invitations that Outlook and Google accept (parsed back with icalendar),
updates and cancellations of the same event, private ratings, and the pair-health rules."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import ParticipantFactory, PersonFactory, ProgramFactory, RegistrationFactory
from tests.helpers import page_text
from trellis.mentorships.meetings import (
    MeetingError,
    cancel_meeting,
    log_meeting,
    pair_health,
    rate_meeting,
    reschedule_meeting,
    schedule_meeting,
)
from trellis.mentorships.models import Meeting, Mentorship, RematchRequest
from trellis.programs.models import Role, Status

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def pair(program_manager):
    program = ProgramFactory(
        status=Status.ACTIVE, meeting_cadence="every_two_weeks", managed_by=[program_manager]
    )
    mentor = RegistrationFactory(
        program=program,
        role=Role.MENTOR,
        person=PersonFactory(first_name="Priya", time_zone="Asia/Kolkata"),
    )
    mentee = RegistrationFactory(
        program=program,
        role=Role.MENTEE,
        person=PersonFactory(first_name="Tom", time_zone="Europe/London"),
    )
    return Mentorship.objects.create(
        program=program,
        mentor=mentor,
        mentee=mentee,
        started_on=timezone.localdate() - datetime.timedelta(days=10),
        reasons="Priya offers negotiation, which you asked for.",
    )


def _next_week(hour=15):
    day = timezone.localdate() + datetime.timedelta(days=7)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


def _calendar(message):
    parts = [c for c, mime in message.alternatives if mime.startswith("text/calendar")]
    assert len(parts) == 1
    attached = [a for a in message.attachments if a[0] == "invite.ics"]
    assert attached and attached[0][1] == parts[0]
    return Calendar.from_ical(parts[0])


def test_scheduling_invites_both_with_a_valid_calendar_event(pair, mailoutbox):
    mentee = pair.mentee.person
    start = _next_week()
    meeting = schedule_meeting(
        pair, person=mentee, starts_at=start, place="https://meet.example/abc", agenda="Goals"
    )
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {mentee.email, pair.mentor.person.email}
    to_mentor = next(m for m in mailoutbox if m.to == [pair.mentor.person.email])
    # the time in both people's zones: 15:00 in London is 19:30 or 20:30 in Kolkata
    local = start.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert local.strftime("%H:%M") in to_mentor.body and "Europe/London" in to_mentor.body
    calendar = _calendar(to_mentor)
    assert calendar["method"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == 0
    attendees = sorted(str(a).removeprefix("mailto:") for a in event["attendee"])
    assert attendees == sorted([mentee.email, pair.mentor.person.email])
    assert str(event["organizer"]) == f"mailto:{mentee.email}"
    # the instant, in UTC, which each calendar shows in its owner's zone
    assert event.decoded("dtstart") == start
    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert "DTSTART:" in calendar.to_ical().decode() and "Z\r\n" in calendar.to_ical().decode()
    assert event.decoded("dtend") - event.decoded("dtstart") == datetime.timedelta(minutes=45)
    statuses = {str(a): a.params["PARTSTAT"] for a in event["attendee"]}
    assert statuses[f"mailto:{mentee.email}"] == "ACCEPTED"  # the organiser
    assert statuses[f"mailto:{pair.mentor.person.email}"] == "NEEDS-ACTION"
    assert str(event["location"]) == "https://meet.example/abc"


def test_a_change_updates_the_same_event_and_a_cancellation_cancels_it(pair, mailoutbox):
    mentee = pair.mentee.person
    meeting = schedule_meeting(pair, person=mentee, starts_at=_next_week())
    moved = reschedule_meeting(meeting, person=pair.mentor.person, starts_at=_next_week(hour=9))
    update = _calendar(mailoutbox[-1]).walk("VEVENT")[0]
    assert str(update["uid"]) == meeting.uid and int(update["sequence"]) == 1
    assert update.decoded("dtstart") == moved.starts_at
    assert "Moved:" in mailoutbox[-1].subject
    cancel_meeting(moved, person=mentee)
    calendar = _calendar(mailoutbox[-1])
    event = calendar.walk("VEVENT")[0]
    assert calendar["method"] == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == meeting.uid and int(event["sequence"]) == 2
    assert len(mailoutbox) == 6  # two per step, never more
    with pytest.raises(MeetingError, match="Only a scheduled meeting"):
        cancel_meeting(moved, person=mentee)


def test_only_the_pair_acts_and_times_must_make_sense(pair):
    stranger = PersonFactory()
    with pytest.raises(MeetingError, match="Only the mentor and the mentee"):
        schedule_meeting(pair, person=stranger, starts_at=_next_week())
    past = timezone.now() - datetime.timedelta(days=2)
    with pytest.raises(MeetingError, match="future"):
        schedule_meeting(pair, person=pair.mentee.person, starts_at=past)
    with pytest.raises(MeetingError, match="15 to 240"):
        schedule_meeting(
            pair, person=pair.mentee.person, starts_at=_next_week(), duration_minutes=5
        )
    logged = log_meeting(pair, person=pair.mentee.person, starts_at=past, notes="Talked goals")
    assert logged.status == "held" and logged.shared_notes == "Talked goals"
    with pytest.raises(MeetingError, match="already happened"):
        log_meeting(pair, person=pair.mentee.person, starts_at=_next_week())


def test_ratings_are_private_to_each_person(pair, client, program_manager):
    past = timezone.now() - datetime.timedelta(days=1)
    meeting = log_meeting(pair, person=pair.mentee.person, starts_at=past)
    rated = rate_meeting(
        meeting, person=pair.mentee.person, rating=1, comment="He was on his phone"
    )
    assert rated.mentorship_id == pair.pk  # copied from the meeting for the pair's reports
    rate_meeting(meeting, person=pair.mentor.person, rating=4, comment="Great energy")
    with pytest.raises(MeetingError, match="1 \\(poor\\) to 4"):
        rate_meeting(meeting, person=pair.mentor.person, rating=5)
    future = schedule_meeting(pair, person=pair.mentee.person, starts_at=_next_week())
    with pytest.raises(MeetingError, match="once it has taken place"):
        rate_meeting(future, person=pair.mentee.person, rating=3)
    # the mentor's page shows their own rating and comment, never the mentee's
    mentor_user = ParticipantFactory(person=pair.mentor.person)
    client.force_login(mentor_user)
    page = client.get(reverse("mentorships:workspace", args=[pair.program.slug, pair.pk]))
    text = page.content.decode()
    assert "Great energy" in text and "on his phone" not in text
    assert 'value="4" checked' in text and 'value="1" checked' not in text
    # someone outside the pair cannot open it
    client.force_login(ParticipantFactory())
    url = reverse("mentorships:workspace", args=[pair.program.slug, pair.pk])
    assert client.get(url).status_code == 404
    # managers see ratings per pair and in aggregate, not who gave which, nor the comments
    client.force_login(program_manager)
    health = page_text(client.get(reverse("mentorships:health", args=[pair.program.slug])))
    assert "2.5 (2)" in health and "2.5 / 4" in health
    assert "Great energy" not in health and "on his phone" not in health


def test_the_at_risk_rules(pair):
    now = timezone.now()
    # matched 10 days ago, cadence 14 days: not yet at risk
    assert pair_health(pair.program, now=now)[0].flags == ()
    # 29 days without a meeting: more than twice the cadence
    later = now + datetime.timedelta(days=19)
    assert "no meeting yet" in pair_health(pair.program, now=later)[0].flags[0]
    meeting = log_meeting(
        pair, person=pair.mentee.person, starts_at=now - datetime.timedelta(hours=2)
    )
    assert pair_health(pair.program, now=now)[0].flags == ()
    rate_meeting(meeting, person=pair.mentee.person, rating=2)
    health = pair_health(pair.program, now=now)[0]
    assert health.flags == ("meetings rated 2.0 of 4 on average",)
    rate_meeting(meeting, person=pair.mentor.person, rating=4)
    assert pair_health(pair.program, now=now)[0].flags == ()
    RematchRequest.objects.create(mentorship=pair, requested_by=pair.mentee, reason="x")
    assert pair_health(pair.program, now=now)[0].flags == ("a new match was asked for",)
    # a scheduled meeting whose time has passed counts as met
    Meeting.objects.update(starts_at=now - datetime.timedelta(days=40))
    far = now + datetime.timedelta(days=1)
    assert any("no meeting for" in f for f in pair_health(pair.program, now=far)[0].flags)


def test_bad_input_is_refused_without_an_error_page(pair, client):
    client.force_login(ParticipantFactory(person=pair.mentee.person))
    url = reverse("mentorships:workspace", args=[pair.program.slug, pair.pk])
    assert client.post(url, {"action": "rate", "meeting": "abc", "rating": "4"}).status_code == 404
    assert client.post(url, {"action": "update_goal", "goal": "x"}).status_code == 404
    page = client.post(url, {"action": "log", "date": "9999-12-31", "time": "10:00"}, follow=True)
    assert "between 2000 and 2100" in page_text(page)


def test_a_time_the_clocks_skip_is_refused(pair, client):
    pair.mentee.person.time_zone = "America/Los_Angeles"
    pair.mentee.person.save()
    client.force_login(ParticipantFactory(person=pair.mentee.person))
    url = reverse("mentorships:workspace", args=[pair.program.slug, pair.pk])
    # 8 March 2099: clocks in Los Angeles jump from 02:00 to 03:00
    page = client.post(
        url, {"action": "schedule", "date": "2099-03-08", "time": "02:30"}, follow=True
    )
    assert "does not exist or happens twice" in page_text(page)
    assert not Meeting.objects.exists()


def test_ending_cancels_the_booked_meetings_in_both_calendars(pair, mailoutbox):
    from trellis.mentorships.services import end_mentorship

    meeting = schedule_meeting(pair, person=pair.mentee.person, starts_at=_next_week())
    mailoutbox.clear()
    end_mentorship(pair, by=None, reason="Moved teams")
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 1
    cancels = [m for m in mailoutbox if "Cancelled:" in m.subject]
    assert len(cancels) == 2 and _calendar(cancels[0])["method"] == "CANCEL"
    with pytest.raises(MeetingError):
        reschedule_meeting(meeting, person=pair.mentee.person, starts_at=_next_week(hour=9))
