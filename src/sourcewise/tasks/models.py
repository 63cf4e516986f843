"""Tasks: the work the business needs done, and the skills each needs."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from sourcewise.core.models import TimeStamped, WorkspaceScoped
from sourcewise.talent.models import SKILL_LEVELS, Skill


class Task(WorkspaceScoped, TimeStamped):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    skills: models.ManyToManyField[Skill, TaskSkill] = models.ManyToManyField(
        Skill, through="TaskSkill", related_name="tasks", blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "workspace",
                name="task_unique_name_per_workspace",
                violation_error_code="duplicate",
                violation_error_message="A task with this name already exists in the workspace.",
            )
        ]

    def __str__(self) -> str:
        return self.name


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
