"""Programs and their recipes: templates, the program itself, its lifecycle, its registration
questions, and its goal with objectives and key results.

Workflows (creating from a template, changing status) live in services.py; this module holds the
data and the invariants.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Format(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one mentoring"
    CIRCLE = "circle", "Mentoring circles (group)"
    PEER = "peer", "Peer mentoring"
    REVERSE = "reverse", "Reverse mentoring"
    FLASH = "flash", "Flash mentoring (one-off conversations)"


class ProgramModel(models.TextChoices):
    COHORT = "cohort", "Cohort (enrolment window, start and end dates)"
    EVERGREEN = "evergreen", "Evergreen (always open)"


class MatchingMode(models.TextChoices):
    ADMIN = "admin", "Admin-matched"
    SELF = "self", "Self-matched (participants choose from recommendations)"
    HYBRID = "hybrid", "Hybrid (admin proposes, participants confirm)"


class EvergreenMatching(models.TextChoices):
    """How an evergreen, admin-matched program matches newcomers on schedule."""

    MANUAL = "manual", "Only when a program manager runs matching"
    REVIEW = "review", "Run on schedule; a program manager reviews and publishes"
    AUTOMATIC = "automatic", "Run and publish on schedule"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    EVERY_TWO_WEEKS = "every_two_weeks", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    ENROLLING = "enrolling", "Enrolling"
    MATCHING = "matching", "Matching"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


class ProgramTemplate(models.Model):
    """A ready recipe. Built-in ones mirror the TOML files in `template_library/` (synced by
    `sync_builtin_templates`); program managers add their own by saving a program as a template.

    `definition` holds the whole recipe in the same shape as the files (see docs/programs.md).
    """

    key = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_builtin", "name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    template = models.ForeignKey(
        ProgramTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="programs"
    )
    summary = models.CharField(max_length=300, blank=True, help_text="One line, shown in lists.")
    description = models.TextField(blank=True, help_text="The landing page text participants read.")
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.ONE_TO_ONE)
    model = models.CharField(
        max_length=20, choices=ProgramModel.choices, default=ProgramModel.COHORT
    )
    matching_mode = models.CharField(
        max_length=20, choices=MatchingMode.choices, default=MatchingMode.ADMIN
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_programs"
    )

    # Timeline (cohort programs). Evergreen programs leave these empty.
    enrolment_opens_on = models.DateField(null=True, blank=True)
    enrolment_closes_on = models.DateField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)

    mentor_capacity = models.PositiveSmallIntegerField(
        default=1, help_text="How many mentees (or circle members) one mentor takes by default."
    )
    # Self-matching: how many mentors a mentee may ask at once, and how long a mentor has to
    # answer before the request expires (and its place is free for others again).
    request_limit = models.PositiveSmallIntegerField(default=1)
    evergreen_matching = models.CharField(
        max_length=20, choices=EvergreenMatching.choices, default=EvergreenMatching.REVIEW
    )
    request_expiry_days = models.PositiveSmallIntegerField(default=7)
    circle_size = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Members per circle, leader excluded (circle format)."
    )
    meeting_cadence = models.CharField(
        max_length=20, choices=Cadence.choices, default=Cadence.EVERY_TWO_WEEKS
    )
    north_star = models.CharField(
        max_length=300, blank=True, help_text="The program's goal, in one sentence."
    )

    # Matching recipe: criterion name -> weight, and criterion options (see trellis.matching).
    matching_weights = models.JSONField(default=dict, blank=True)
    matching_options = models.JSONField(default=dict, blank=True)
    # Surveys this program runs (kinds and questions), consumed by the feedback app.
    surveys = models.JSONField(default=list, blank=True)

    # Enrolment rules.
    allow_both_roles = models.BooleanField(
        default=False, help_text="A person may join as mentor and as mentee."
    )
    requires_approval = models.BooleanField(
        default=False, help_text="A program manager approves each registration."
    )
    consent_text = models.TextField(
        blank=True, help_text="Shown at registration; joining requires agreeing to it."
    )
    mentor_min_level = models.PositiveSmallIntegerField(null=True, blank=True)
    mentor_min_tenure_months = models.PositiveSmallIntegerField(null=True, blank=True)
    mentee_max_level = models.PositiveSmallIntegerField(null=True, blank=True)
    eligible_departments = models.ManyToManyField(
        "people.Department",
        blank=True,
        related_name="+",
        help_text="Leave empty for every department.",
    )
    eligible_locations = models.ManyToManyField(
        "people.Location", blank=True, related_name="+", help_text="Leave empty for every location."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_opens_on__isnull=True)
                | Q(enrolment_closes_on__isnull=True)
                | Q(enrolment_opens_on__lte=models.F("enrolment_closes_on")),
                name="program_enrolment_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(starts_on__lt=models.F("ends_on")),
                name="program_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(mentor_capacity__gte=1), name="program_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_evergreen(self) -> bool:
        return self.model == ProgramModel.EVERGREEN

    @property
    def has_mentor_role(self) -> bool:
        """Peer programs have one pool of peers; every other format has mentors and mentees."""
        return self.format != Format.PEER


class Role(models.TextChoices):
    """A participant's role in a program. Circles use mentor (leader) and mentee (member)."""

    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"
    PEER = "peer", "Peer"


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    SKILLS = "skills", "Skills (from the taxonomy)"
    SCALE = "scale", "Scale"
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    YES_NO = "yes_no", "Yes / no"


class Criterion(models.TextChoices):
    """Which matching criterion an answer feeds (see trellis.matching.criteria)."""

    NONE = "", "Does not feed matching"
    SKILLS_OFFERED = "skills_offered", "Skills offered"
    SKILLS_SOUGHT = "skills_sought", "Skills sought"
    GOALS = "goals", "Goals"
    EXPERTISE = "expertise", "Expertise"
    PREFERRED_DEPARTMENT = "preferred_department", "Preferred department"
    LANGUAGES = "languages", "Languages"
    MEETING_FORMAT = "meeting_format", "Meeting format"
    FREE_TEXT = "free_text", "Free text about what you want"
    PREFERENCES = "preferences", "Stated preferences"


class Question(models.Model):
    """A registration question for one role (or every role) of a program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    role = models.CharField(
        max_length=10, choices=Role.choices, blank=True, help_text="Empty: asked of every role."
    )
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    label = models.CharField(max_length=300)
    help_text = models.CharField(max_length=500, blank=True)
    is_required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True, help_text="Options for choice questions.")
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    scale_min_label = models.CharField(max_length=60, blank=True)
    scale_max_label = models.CharField(max_length=60, blank=True)
    max_selections = models.PositiveSmallIntegerField(null=True, blank=True)
    criterion = models.CharField(max_length=30, choices=Criterion.choices, blank=True)
    is_private = models.BooleanField(
        default=False,
        help_text="Hidden from other participants; only program managers see the answer.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")), name="question_scale_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Metric(models.TextChoices):
    PARTICIPATION = "participation", "Participation"
    MATCH_RATE = "match_rate", "Match rate"
    MEETINGS_PER_PAIR_PER_MONTH = "meetings_per_pair_per_month", "Meetings per pair per month"
    AVERAGE_MEETING_RATING = "average_meeting_rating", "Average meeting rating"
    GOAL_COMPLETION = "goal_completion", "Goal completion"
    PROMOTION_RATE = "promotion_rate", "Promotion rate"
    RETENTION_RATE = "retention_rate", "Retention rate"


class Objective(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class KeyResult(models.Model):
    """Measured automatically from a named metric, or updated by hand when `metric` is empty."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="key_results")
    title = models.CharField(max_length=300)
    metric = models.CharField(max_length=40, choices=Metric.choices, blank=True)
    target = models.FloatField()
    unit = models.CharField(max_length=30, blank=True, help_text="%, meetings, points ...")
    deadline = models.DateField(null=True, blank=True)
    manual_value = models.FloatField(null=True, blank=True)
    manual_updated_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["objective", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_automatic(self) -> bool:
        return bool(self.metric)
