"""A mentorship: one mentor and one mentee of a program, from publication to its end."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class MentorshipStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed, waiting for both to confirm"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"
    DECLINED = "declined", "Declined at confirmation"


# A mentorship that holds the mentor's place and the mentee: running, or proposed (hybrid).
RUNNING = (MentorshipStatus.ACTIVE, MentorshipStatus.PROPOSED)


class Mentorship(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
    status = models.CharField(
        max_length=20, choices=MentorshipStatus.choices, default=MentorshipStatus.ACTIVE
    )
    # Why they were matched, as published (score in [0, 1], the sentence, each criterion's part).
    score = models.FloatField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    contributions = models.JSONField(default=dict, blank=True)
    # Circles: members of one leader's circle share the leader and this number.
    circle = models.PositiveSmallIntegerField(null=True, blank=True)
    match_run = models.ForeignKey(
        "matches.MatchRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField()
    # Hybrid matching: each side confirms a proposed match before it starts.
    mentor_confirmed_at = models.DateTimeField(null=True, blank=True)
    mentee_confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=500, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "-started_on", "pk"]
        constraints = [
            # A mentee has at most one running (or proposed) mentorship in a program.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status__in=["active", "proposed"]),
                name="mentorship_one_running_per_mentee",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.mentor.person} mentors {self.mentee.person} ({self.program})"

    @property
    def is_active(self) -> bool:
        return self.status == MentorshipStatus.ACTIVE


class RematchStatus(models.TextChoices):
    OPEN = "open", "Open"
    REMATCHED = "rematched", "Ended for a new match"
    DISMISSED = "dismissed", "Dismissed"


class RematchRequest(models.Model):
    """A participant's private request for a new match. Only they and the program's managers
    see it; the partner is not told until a manager acts."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="rematch_requests"
    )
    requested_by = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.TextField(max_length=2000)
    status = models.CharField(
        max_length=20, choices=RematchStatus.choices, default=RematchStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "requested_by"],
                condition=Q(status="open"),
                name="rematch_one_open_request_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"Rematch request by {self.requested_by} ({self.get_status_display()})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """A meeting of a pair. A scheduled meeting is a calendar event both people were invited to
    (.ics): `uid` stays the same for its whole life, `sequence` grows with every change."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    place = models.CharField(max_length=500, blank=True, help_text="A room or a video link.")
    agenda = models.TextField(max_length=4000, blank=True)
    shared_notes = models.TextField(max_length=20000, blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    organizer = models.ForeignKey(
        "people.Person", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["mentorship", "status", "starts_at"])]

    def __str__(self) -> str:
        return f"Meeting of {self.mentorship} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        import datetime

        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)


class MeetingFeedback(models.Model):
    """One person's rating of a meeting, 1 (poor) to 4 (excellent), with an optional comment.
    Private: the partner never sees it; managers see ratings per pair and in aggregate."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="feedback")
    # The meeting's pair, copied on save (a meeting never changes pair): a pair's ratings are
    # then read without joining every meeting (the at-risk rule at 100,000 meetings).
    mentorship = models.ForeignKey(
        Mentorship,
        on_delete=models.CASCADE,
        related_name="feedback",
        editable=False,
        db_index=False,  # feedback_pair_rating_idx leads with it
    )
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"], name="feedback_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=4), name="feedback_rating_1_to_4"
            ),
        ]
        # Cover the reports' reads (a program's ratings by person, value and month; a pair's
        # ratings by meeting) so they never touch the table itself.
        indexes = [
            models.Index(
                fields=["participant", "rating", "created_at"], name="feedback_report_idx"
            ),
            models.Index(fields=["meeting", "rating"], name="feedback_meeting_rating_idx"),
            models.Index(fields=["mentorship", "rating"], name="feedback_pair_rating_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/4 by {self.participant} for {self.meeting}"

    def save(self, *args, **kwargs) -> None:
        if self.mentorship_id is None:
            self.mentorship_id = self.meeting.mentorship_id
        super().save(*args, **kwargs)


class PrivateNote(models.Model):
    """A person's own notes on a meeting; nobody else sees them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="private_notes")
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(max_length=20000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"], name="private_note_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"Private note of {self.participant} on {self.meeting}"


class SurveyStatus(models.TextChoices):
    OPEN = "open", "Waiting for an answer"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed unanswered"


class SurveyResponse(models.Model):
    """One person's copy of a program survey for one mentorship: the questions as they were
    when it was sent (a later edit of the program's survey does not change it), the answers."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="surveys")
    participant = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30)  # first_meeting_fit, midpoint, end_of_program, periodic
    round = models.PositiveSmallIntegerField(default=0)  # periodic: 1, 2 ...; otherwise 0
    title = models.CharField(max_length=200)
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    sent_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "participant", "kind", "round"],
                name="survey_once_per_person_and_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} for {self.participant} ({self.get_status_display()})"


class Reminder(models.Model):
    """A log of reminders sent: the key names what it reminded of and when (e.g.
    "rate:meeting:12", "survey:34:week:3"), and is unique per person, so a reminder is
    sent once however often the schedule runs."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.person}"


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DROPPED = "dropped", "Dropped"


class Goal(models.Model):
    """A mentee's goal for the mentorship, with milestones and a log of progress and comments."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mentorship", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="goal_progress_percent"),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["goal", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class GoalUpdate(models.Model):
    """A progress update by the mentee, or a comment by either (the mentor comments)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey("enrolment.Participant", on_delete=models.CASCADE, related_name="+")
    text = models.TextField(max_length=2000)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "created_at"]

    def __str__(self) -> str:
        return f"Update on {self.goal} by {self.author}"
