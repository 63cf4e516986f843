"""Tasks: the work the business needs done, the skills each needs, its core assessment,
its deliverables with acceptance criteria and its checkpoint cadence (SPEC §2 G1)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from sourcewise.core.models import TimeStamped, WorkspaceScoped
from sourcewise.core.validators import validate_currency
from sourcewise.talent.models import SKILL_LEVELS, Skill

MAX_HOURS = Decimal("10000")
MAX_HOURLY_COST = Decimal("100000")

# The four questions of the core assessment (SPEC §2 G1): field, question, help text.
CORE_QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "q_differentiates",
        "Does it differentiate you to your customers?",
        "Would a customer notice, and choose you, because of how you do this? "
        "Your signature design style is; paying suppliers is not.",
    ),
    (
        "q_proprietary",
        "Does it need your proprietary know-how?",
        "Does doing it well depend on knowledge only your business has — your methods, recipes, "
        "client history or trade secrets?",
    ),
    (
        "q_revenue_critical",
        "Is it directly revenue-critical?",
        "If it stopped or went badly for a week, would sales or key income stop with it?",
    ),
    (
        "q_must_own",
        "Is it a responsibility you must own?",
        "Legal duties, licences, signing off on money, or relationships with key clients and partners "
        "that must stay with you.",
    ),
)
CORE_QUESTION_FIELDS = tuple(q[0] for q in CORE_QUESTIONS)
CORE_YES_NEEDED = 2  # two or more yes answers suggest "core"


class Task(WorkspaceScoped, TimeStamped):
    class Frequency(models.TextChoices):
        RECURRING = "recurring", "Recurring (hours per month)"
        ONE_OFF = "one_off", "One-off (hours in total)"

    class Sourcing(models.TextChoices):
        IN_HOUSE = "in_house", "Done in-house"
        OUTSOURCE = "outsource", "Outsourced"

    class CoreChoice(models.TextChoices):
        SUGGESTED = "", "Follow the suggestion"
        CORE = "core", "Core"
        NON_CORE = "non_core", "Non-core"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    skills: models.ManyToManyField[Skill, TaskSkill] = models.ManyToManyField(
        Skill, through="TaskSkill", related_name="tasks", blank=True
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.RECURRING)
    hours = models.DecimalField(
        "hours",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURS)],
        help_text="Hours per month for recurring work, or the total estimate for one-off work.",
    )
    inhouse_hourly_cost = models.DecimalField(
        "in-house loaded hourly cost",
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_HOURLY_COST)],
        help_text="What an hour of this work costs you in-house: wage plus taxes, benefits, tools and space.",
    )
    inhouse_cost_currency = models.CharField(
        "currency", max_length=3, blank=True, validators=[validate_currency], help_text="ISO 4217, e.g. EUR."
    )
    sourcing = models.CharField("sourcing decision", max_length=10, choices=Sourcing.choices, default=Sourcing.IN_HOUSE)
    justification = models.TextField(
        blank=True,
        help_text="Why this task is sourced the way it is. Required to outsource a core task once you are growing.",
    )
    q_differentiates = models.BooleanField(null=True, blank=True)
    q_proprietary = models.BooleanField(null=True, blank=True)
    q_revenue_critical = models.BooleanField(null=True, blank=True)
    q_must_own = models.BooleanField(null=True, blank=True)
    core_choice = models.CharField(
        "your classification", max_length=8, choices=CoreChoice.choices, default=CoreChoice.SUGGESTED, blank=True
    )
    checkpoint_every_days = models.PositiveSmallIntegerField(
        "checkpoint every (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How often someone of yours reviews the work. Leave empty if not decided yet.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "workspace",
                name="task_unique_name_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A task with this name already exists in the workspace.",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0),
                name="task_hours_not_negative",
                violation_error_message="Hours cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(inhouse_hourly_cost__isnull=True) | models.Q(inhouse_hourly_cost__gte=0),
                name="task_cost_not_negative",
                violation_error_message="The in-house hourly cost cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(checkpoint_every_days__isnull=True) | models.Q(checkpoint_every_days__gte=1),
                name="task_checkpoint_at_least_one_day",
                violation_error_message="Checkpoints must be at least one day apart.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_outsourced(self) -> bool:
        return self.sourcing == self.Sourcing.OUTSOURCE

    @property
    def monthly_hours(self) -> Decimal:
        """Hours a month this task takes; one-off work does not count towards the monthly share."""
        return self.hours if self.frequency == self.Frequency.RECURRING else Decimal("0")

    def answers(self) -> dict[str, bool | None]:
        return {name: getattr(self, name) for name in CORE_QUESTION_FIELDS}

    @property
    def yes_count(self) -> int:
        return sum(1 for value in self.answers().values() if value is True)

    @property
    def is_assessed(self) -> bool:
        return any(value is not None for value in self.answers().values())

    @property
    def suggested_core(self) -> bool | None:
        """≥ 2 yes ⇒ core; None while no question is answered."""
        if self.yes_count >= CORE_YES_NEEDED:
            return True
        if not self.is_assessed:
            return None
        return False

    @property
    def is_core(self) -> bool:
        """The owner's explicit choice wins; otherwise the suggestion (unanswered counts as non-core)."""
        if self.core_choice == self.CoreChoice.CORE:
            return True
        if self.core_choice == self.CoreChoice.NON_CORE:
            return False
        return bool(self.suggested_core)

    @property
    def classification_label(self) -> str:
        if self.core_choice:
            return "core" if self.is_core else "non-core"
        if self.suggested_core is None:
            return "not assessed"
        return "core (suggested)" if self.is_core else "non-core (suggested)"


class TaskSkill(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="skill_needs")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="task_needs")
    level = models.PositiveSmallIntegerField(
        "level needed", choices=SKILL_LEVELS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "skill"], name="taskskill_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="taskskill_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ≥ {self.level}"


class Deliverable(WorkspaceScoped, TimeStamped):
    """Something the task produces, with the written criteria it is accepted against."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="deliverables")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="deliverables")
    name = models.CharField(max_length=200)
    acceptance_criteria = models.TextField(
        blank=True,
        help_text="How you will decide it is done and good: measurable, written down, agreed before work starts.",
    )

    class Meta:
        ordering = ["task_id", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "task",
                name="deliverable_unique_name_per_task",
                violation_error_code="duplicate",
                violation_error_message="This task already has a deliverable with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_criteria(self) -> bool:
        return bool(self.acceptance_criteria.strip())
