from __future__ import annotations

from typing import Any

from django import forms

from sourcewise.core.forms import SkillLevelsMixin
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace


class TaskForm(SkillLevelsMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Task
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        initial = {}
        if self.instance.pk:
            initial = {ts.skill_id: ts.level for ts in self.instance.skill_needs.all()}
        self.add_skill_fields(Skill.objects.in_workspace(workspace), initial, label_suffix=" (level needed)")
