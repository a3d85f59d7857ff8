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
