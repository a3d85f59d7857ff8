"""The people directory: persons, departments, locations, and the skills and languages taxonomy.

The reporting line is kept as a materialised path of primary keys (`/1/12/45/`) so that
"is A in B's reporting line" is a string-prefix test on two rows, whatever the directory's size.
"""

import re
import unicodedata
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower


def normalise_name(value: str) -> str:
    """Normalised form used for matching taxonomy names and aliases.

    Case-folded, accents stripped, punctuation other than `+`, `#` and `.` turned into spaces,
    white space collapsed: "Stakeholder-Management " and "stakeholder management" are one skill.
    """
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = value.casefold()
    value = re.sub(r"[^\w+#.]+", " ", value)
    return " ".join(value.split())


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(f"{value!r} is not a known IANA time zone (such as Europe/Paris).")


_TIME_ZONES: frozenset[str] | None = None


def available_time_zones() -> frozenset[str]:
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = frozenset(zoneinfo.available_timezones())
    return _TIME_ZONES


class Department(models.Model):
    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=200, unique=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    name = models.CharField(max_length=100)
    normalised_name = models.CharField(max_length=100, unique=True, editable=False)
    category = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)


class SkillAlias(models.Model):
    """Another name for a skill ("PM" for "Product management"); imports and forms resolve it."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=100)
    normalised_alias = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        verbose_name_plural = "skill aliases"
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.skill.name}"

    def save(self, *args, **kwargs):
        self.normalised_alias = normalise_name(self.alias)
        super().save(*args, **kwargs)


class Language(models.Model):
    name = models.CharField(max_length=100)
    normalised_name = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalised_name = normalise_name(self.name)
        super().save(*args, **kwargs)


class PersonQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Person(models.Model):
    employee_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    title = models.CharField(max_length=200, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    hire_date = models.DateField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    # Materialised reporting line: the primary keys from the top of the organisation down to
    # this person, e.g. "/1/12/45/". Maintained by services.rebuild_reporting_paths().
    reporting_path = models.CharField(max_length=2000, blank=True, db_index=True, editable=False)
    skills = models.ManyToManyField(Skill, blank=True, related_name="people")
    languages = models.ManyToManyField(Language, blank=True, related_name="people")
    bio = models.TextField(blank=True, max_length=4000)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(Lower("email"), name="person_email_lower"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def effective_time_zone(self) -> str:
        if self.time_zone:
            return self.time_zone
        if self.location_id and self.location.time_zone:
            return self.location.time_zone
        return "UTC"

    def is_in_reporting_line_of(self, other: "Person") -> bool:
        """True when either person manages the other, directly or through any chain."""
        return is_in_reporting_line(self.reporting_path, other.reporting_path)


def is_in_reporting_line(path_a: str, path_b: str) -> bool:
    """Reporting-line test on two materialised paths, in either direction.

    Two different people whose paths are both set are in one line when one path is a prefix of
    the other: the shorter path's owner manages the longer path's owner through the chain.
    """
    if not path_a or not path_b or path_a == path_b:
        return False
    return path_a.startswith(path_b) or path_b.startswith(path_a)


class DirectoryImport(models.Model):
    """An HRIS file uploaded by an admin, previewed, and applied at most once.

    The file's text is kept so the preview and the apply read exactly what was uploaded; the
    summary records what the apply did.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting confirmation"
        APPLIED = "applied", "Applied"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    deactivate_missing = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="pending", applied_at__isnull=True)
                    | models.Q(status="applied", applied_at__isnull=False)
                ),
                name="directory_import_applied_at_iff_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED
