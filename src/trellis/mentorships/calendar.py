"""Calendar invitations (iCalendar, RFC 5545/5546) for meetings, built with `icalendar`.

One VEVENT per meeting with a UID that never changes; every change raises SEQUENCE, so Outlook
and Google Calendar update the event they already have instead of adding another. A
cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are written in UTC ("Z"), which
every calendar converts to its owner's zone; a generated VTIMEZONE (a list of dates rather
than yearly rules) is known to be misread by Outlook around daylight-saving changes. The
organiser is also an attendee who has accepted (no RSVP asked of them).
"""

import datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Trellis//Mentoring//EN"


def _address(person, *, organiser: bool) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.full_name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("ACCEPTED" if organiser else "NEEDS-ACTION")
    address.params["rsvp"] = vText("FALSE" if organiser else "TRUE")
    return address


def meeting_invitation(meeting, *, method: str = "REQUEST") -> str:
    """The .ics text of a meeting's invitation (REQUEST) or cancellation (CANCEL)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unknown iTIP method {method!r}")
    mentorship = meeting.mentorship
    mentor, mentee = mentorship.mentor.person, mentorship.mentee.person
    organiser = meeting.organizer or mentee

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.datetime.now(datetime.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", f"Mentoring: {mentor.first_name} and {mentee.first_name}")
    description = meeting.agenda or f"A {mentorship.program.name} meeting."
    event.add("description", description)
    if meeting.place:
        event.add("location", meeting.place)
        if meeting.place.startswith(("https://", "http://")):
            event.add("url", meeting.place)
    organizer = vCalAddress(f"mailto:{organiser.email}")
    organizer.params["cn"] = vText(organiser.full_name)
    event.add("organizer", organizer)
    for person in (mentor, mentee):
        event.add("attendee", _address(person, organiser=person.pk == organiser.pk))
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("x-trellis-site", settings.SITE_URL)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
