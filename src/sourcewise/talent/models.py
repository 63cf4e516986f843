"""The talent network: skills and the freelancers who have them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from sourcewise.core.models import TimeStamped, WorkspaceQuerySet, WorkspaceScoped
from sourcewise.core.validators import country_name, validate_country, validate_timezone

if TYPE_CHECKING:
    from sourcewise.workspaces.models import Membership

SKILL_LEVELS = [(1, "1 — beginner"), (2, "2 — basic"), (3, "3 — competent"), (4, "4 — advanced"), (5, "5 — expert")]


class Skill(WorkspaceScoped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "workspace",
                name="skill_unique_name_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A skill with this name already exists in the workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FreelancerQuerySet(WorkspaceQuerySet):
    def visible_to(self, membership: Membership) -> Self:
        # A freelancer sees their own profile only.
        if membership.is_internal:
            return self
        return self.filter(user_id=membership.user_id)


class Freelancer(WorkspaceScoped, TimeStamped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="freelancers")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    country = models.CharField(max_length=2, validators=[validate_country], help_text="ISO 3166 code, e.g. PH.")
    timezone = models.CharField(
        "time zone", max_length=64, validators=[validate_timezone], help_text="IANA name, e.g. Asia/Manila."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="freelancer_profiles"
    )
    skills: models.ManyToManyField[Skill, FreelancerSkill] = models.ManyToManyField(
        Skill, through="FreelancerSkill", related_name="freelancers", blank=True
    )

    objects = FreelancerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "workspace",
                name="freelancer_unique_email_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A freelancer with this email already exists in the workspace.",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "country"], name="freelancer_ws_country")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.country:
            self.country = self.country.upper()
        if self.email:
            self.email = self.email.strip().lower()

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class FreelancerSkill(models.Model):
    freelancer = models.ForeignKey(Freelancer, on_delete=models.CASCADE, related_name="skill_levels")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="freelancer_levels")
    level = models.PositiveSmallIntegerField(
        choices=SKILL_LEVELS, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["freelancer", "skill"], name="freelancerskill_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="freelancerskill_level_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} {self.level}"
