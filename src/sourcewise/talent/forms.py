from __future__ import annotations

from typing import Any

from django import forms

from sourcewise.core.forms import CountryField, SkillLevelsMixin, TimezoneField
from sourcewise.talent.models import Freelancer, Skill
from sourcewise.workspaces.models import Workspace


class SkillForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Skill
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class FreelancerForm(SkillLevelsMixin, forms.ModelForm):  # type: ignore[type-arg]
    country = CountryField()
    timezone = TimezoneField(label="Time zone")

    class Meta:
        model = Freelancer
        fields = ["name", "email", "country", "timezone"]

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        initial = {}
        if self.instance.pk:
            initial = {fs.skill_id: fs.level for fs in self.instance.skill_levels.all()}
        self.add_skill_fields(Skill.objects.in_workspace(workspace), initial)
