"""Who takes part in which program, in which role, with which answers and status."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from trellis.programs.models import Role


class ParticipantStatus(models.TextChoices):
    APPLIED = "applied", "Applied (awaiting approval)"
    APPROVED = "approved", "Approved"
    WAITLISTED = "waitlisted", "Waitlisted"
    MATCHED = "matched", "Matched"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DECLINED = "declined", "Declined by a program manager"


class Participant(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(
        max_length=20, choices=ParticipantStatus.choices, default=ParticipantStatus.APPLIED
    )
    # Mentors only: how many mentees they take (the program's default unless they chose fewer).
    capacity = models.PositiveSmallIntegerField(null=True, blank=True)
    # Question id (as a string) -> answer: str, int, bool, list[str], or list of skill ids.
    answers = models.JSONField(default=dict, blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "role", "applied_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person", "role"], name="participant_once_per_role"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(role=Role.MENTOR),
                name="participant_capacity_only_for_mentors",
            ),
        ]
        indexes = [models.Index(fields=["program", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) in {self.program}"

    @property
    def is_active(self) -> bool:
        return self.status in {
            ParticipantStatus.APPLIED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.WAITLISTED,
            ParticipantStatus.MATCHED,
        }


class ProgramInvitation(models.Model):
    """A program manager invited this person to register; reminders go to those who have not."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-invited_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="program_invitation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} invited to {self.program}"
