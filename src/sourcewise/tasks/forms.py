from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from sourcewise.core.forms import CurrencyField, bounded_formfield
from sourcewise.talent.forms import SkillLevelsMixin
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import CORE_QUESTIONS, Deliverable, Task
from sourcewise.tasks.services import TASK_FIELDS
from sourcewise.tasks.task_templates import template_choices
from sourcewise.workspaces.models import Workspace

ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not sure yet")]


class TaskForm(SkillLevelsMixin, forms.ModelForm):
    inhouse_cost_currency = CurrencyField(label="Currency", required=False)
    template = forms.ChoiceField(
        label="Start from a template",
        required=False,
        choices=[("", "No template"), *template_choices()],
        help_text="Adds ready-made deliverables with acceptance criteria and a checkpoint cadence.",
    )

    class Meta:
        formfield_callback = bounded_formfield
        model = Task
        fields = list(TASK_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "justification": forms.Textarea(attrs={"rows": 2}),
            "sourcing": forms.RadioSelect,
            "frequency": forms.RadioSelect,
        }

    def __init__(self, *args: Any, workspace: Workspace, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.workspace = workspace
        if not creating:
            del self.fields["template"]
        if not self.instance.inhouse_cost_currency:
            self.initial.setdefault("inhouse_cost_currency", workspace.base_currency)
        for name in ("frequency", "sourcing", "hours"):  # sensible defaults when left out
            self.fields[name].required = False
        self.fields["hours"].label = "Hours (per month, or in total if one-off)"
        self.fields["hours"].widget.attrs.update({"step": "0.5", "min": "0"})
        self.fields["inhouse_hourly_cost"].widget.attrs.update({"step": "0.01", "min": "0"})
        self.fields["checkpoint_every_days"].help_text = (
            f"How often someone of yours reviews the work. At most every {workspace.checkpoint_max_days} days "
            "to be outsourceable."
        )
        initial = {}
        if self.instance.pk:
            initial = {ts.skill_id: ts.level for ts in self.instance.skill_needs.all()}
        self.add_skill_fields(Skill.objects.in_workspace(workspace), initial, label_suffix=" (level needed)")
        self.add_new_skills_field("level needed")

    def main_fields(self) -> list[forms.BoundField]:
        names = [
            "template",
            "name",
            "description",
            "frequency",
            "hours",
            "inhouse_hourly_cost",
            "inhouse_cost_currency",
        ]
        return [self[n] for n in names if n in self.fields]

    def decision_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("sourcing", "justification", "checkpoint_every_days")]

    def skill_bound_fields(self) -> list[forms.BoundField]:
        return [*(self[n] for n in self.skill_field_names()), self["new_skills"]]

    def task_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in TASK_FIELDS}
        defaults = {"frequency": Task.Frequency.RECURRING, "sourcing": Task.Sourcing.IN_HOUSE, "hours": Decimal(0)}
        for name, default in defaults.items():
            if fields[name] in (None, ""):
                fields[name] = default
        return fields


def _answer(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class AssessmentForm(forms.Form):
    core_choice = forms.ChoiceField(
        label="Your classification",
        choices=Task.CoreChoice.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Your explicit choice wins; the suggestion stays visible beside it.",
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question, help_text in CORE_QUESTIONS:
            self.fields[name] = forms.ChoiceField(
                label=question,
                help_text=help_text,
                choices=ANSWER_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                initial=_answer(getattr(task, name)),
            )
        self.fields["core_choice"].initial = task.core_choice
        self.order_fields([q[0] for q in CORE_QUESTIONS] + ["core_choice"])

    def question_fields(self) -> list[forms.BoundField]:
        return [self[q[0]] for q in CORE_QUESTIONS]

    def answers(self) -> dict[str, bool | None]:
        return {q[0]: {"yes": True, "no": False}.get(self.cleaned_data.get(q[0]) or "") for q in CORE_QUESTIONS}


class DeliverableForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = Deliverable
        fields = ["name", "acceptance_criteria"]
        widgets = {"acceptance_criteria": forms.Textarea(attrs={"rows": 3})}


class ApplyTemplateForm(forms.Form):
    template = forms.ChoiceField(label="Template", choices=template_choices())


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8 CSV with a header row; at most 5 MB.")
