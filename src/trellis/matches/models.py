"""Match runs: one execution of the engine for a program, its proposals, and the manager's
standing rules (pairs to keep, pairs never to make)."""

from django.conf import settings as django_settings
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Ready for review"
    FAILED = "failed", "Failed"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class MatchRun(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="match_runs"
    )
    number = models.PositiveIntegerField(help_text="1, 2, 3 ... within the program.")
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # The configuration used: {"weights": {criterion: weight}, "options": {...},
    # "min_score": float | None, "fairness": bool}
    settings = models.JSONField(default=dict)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # Figures of the result: counts, total, weakest pair, mean, histogram, seconds, certified.
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="match_run_number"),
        ]

    def __str__(self) -> str:
        return f"{self.program} run {self.number}"

    @property
    def is_reviewable(self) -> bool:
        return self.status == RunStatus.READY


class ProposalSource(models.TextChoices):
    ENGINE = "engine", "Proposed by the engine"
    LOCKED = "locked", "Kept (locked pair)"
    MANUAL = "manual", "Assigned by hand"


class Proposal(models.Model):
    """One mentee's outcome in a run: a proposed mentor, or none and why."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey("enrolment.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        "enrolment.Participant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    contributions = models.JSONField(default=dict, blank=True)
    unmatched_reason = models.TextField(blank=True)
    # Circles: the circle (1, 2 ...) of the leader ("mentor") this member joins.
    circle = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(
        max_length=10, choices=ProposalSource.choices, default=ProposalSource.ENGINE
    )

    class Meta:
        ordering = ["run", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="proposal_once_per_mentee"),
        ]
        indexes = [models.Index(fields=["run", "mentor"])]

    def __str__(self) -> str:
        return f"{self.mentee} -> {self.mentor or 'unmatched'}"


class RuleKind(models.TextChoices):
    LOCK = "lock", "Keep this pair"
    FORBID = "forbid", "Never pair"


class PairRule(models.Model):
    """A manager's standing decision about a pair, applied to every later run."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="pair_rules"
    )
    mentee = models.ForeignKey("enrolment.Participant", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("enrolment.Participant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=RuleKind.choices)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "mentee", "mentor"], name="pair_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentee} / {self.mentor}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the mentor"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class MentorRequest(models.Model):
    """Self-matching: a mentee asks a recommended mentor. A pending request holds one of the
    mentor's places until it is answered or expires."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="mentor_requests"
    )
    mentee = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="requests_made"
    )
    mentor = models.ForeignKey(
        "enrolment.Participant", on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.TextField(max_length=2000, blank=True)
    score = models.FloatField(null=True, blank=True)
    reasons = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    response = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=models.Q(status="pending"),
                name="mentor_request_one_pending_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["mentor", "status"])]

    def __str__(self) -> str:
        return f"{self.mentee} asks {self.mentor} ({self.get_status_display()})"
