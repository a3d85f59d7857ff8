"""What reporting keeps of its own: HR outcomes (promotions, role changes, exits) imported from
a CSV file, the imports themselves, and each program's report settings (ROI assumptions and
the leaders who receive the monthly summary)."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class OutcomeKind(models.TextChoices):
    PROMOTION = "promotion", "Promotion"
    ROLE_CHANGE = "role_change", "Role change"
    EXIT = "exit", "Exit (left the organisation)"


class Outcome(models.Model):
    """One HR fact about one person on one day. Imports are idempotent: a person has at most
    one outcome of a kind on a given day."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    occurred_on = models.DateField()
    new_title = models.CharField(max_length=200, blank=True)
    new_level = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    source = models.ForeignKey(
        "OutcomeImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "occurred_on"], name="outcome_once_per_kind_and_day"
            ),
        ]
        indexes = [models.Index(fields=["kind", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person} on {self.occurred_on}"


class OutcomeImport(models.Model):
    """An outcomes file uploaded by an admin, previewed, and applied at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        APPLIED = "applied", "Applied"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="pending", applied_at__isnull=True)
                    | Q(status="applied", applied_at__isnull=False)
                ),
                name="outcome_import_applied_at_iff_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED


class ReportSettings(models.Model):
    """A program's ROI assumptions and its monthly summary's recipients."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="report_settings"
    )
    currency = models.CharField(max_length=3, default="EUR")
    average_salary = models.DecimalField(
        max_digits=12,
        decimal_places=0,
        default=Decimal(60000),
        validators=[MinValueValidator(0)],
        help_text="Average yearly salary of the people in the program.",
    )
    replacement_cost_share = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0), MaxValueValidator(4)],
        help_text="What replacing someone who leaves costs, as a share of a year's salary "
        "(0.5 = half a year's salary: hiring, onboarding, lost output).",
    )
    program_cost = models.DecimalField(
        max_digits=12,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="What the program costs over the period compared: people's time, tools, events.",
    )
    leaders = models.ManyToManyField(
        "people.Person",
        blank=True,
        related_name="+",
        help_text="Who receives the monthly summary by email.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "report settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(replacement_cost_share__gte=0) & Q(replacement_cost_share__lte=4),
                name="report_replacement_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Report settings of {self.program}"
