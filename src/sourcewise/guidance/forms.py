from __future__ import annotations

from typing import Any

from django import forms

from sourcewise.core.forms import bounded_formfield
from sourcewise.guidance.models import DocumentType
from sourcewise.guidance.services import MAX_UPLOAD_BYTES
from sourcewise.talent.models import Skill
from sourcewise.tasks.models import Task
from sourcewise.workspaces.models import Workspace

BODY_HELP = "Markdown: # headings, - lists, **bold**, [links](https://…). Scripts and raw HTML are removed."


class SOPForm(forms.Form):
    title = forms.CharField(max_length=200)
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Freelancers with these skills are asked to acknowledge it.",
    )
    tasks = forms.ModelMultipleChoiceField(
        queryset=Task.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, workspace: Workspace, with_body: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.in_workspace(workspace).order_by("name")  # type: ignore[attr-defined]
        self.fields["tasks"].queryset = Task.objects.in_workspace(workspace).order_by("name")  # type: ignore[attr-defined]
        if with_body:
            self.fields["body"] = forms.CharField(
                label="Procedure", widget=forms.Textarea(attrs={"rows": 16}), help_text=BODY_HELP
            )


class SOPVersionForm(forms.Form):
    body = forms.CharField(label="Procedure", widget=forms.Textarea(attrs={"rows": 18}), help_text=BODY_HELP)
    change_note = forms.CharField(
        label="What changed", max_length=300, help_text="One line; freelancers see it when asked to acknowledge again."
    )


class DocumentTypeForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = DocumentType
        fields = ["name", "description", "expires", "required"]


class DocumentUploadForm(forms.Form):
    document_type = forms.ModelChoiceField(queryset=DocumentType.objects.none(), empty_label="Choose a document")
    file = forms.FileField(
        help_text=f"PDF, PNG or JPEG, up to {MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}),
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only for documents that expire.",
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_type"].queryset = DocumentType.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace, required=True
        ).order_by("name")


PULSE_CHOICES = [
    (1, "1 — very unhappy"),
    (2, "2 — unhappy"),
    (3, "3 — okay"),
    (4, "4 — happy"),
    (5, "5 — very happy"),
]


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How happy are you working with us this month?",
        choices=PULSE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything we should know? (optional)",
    )


class TrainingForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label="What", max_length=200, help_text="E.g. “Managing remote freelancers” workshop.")
    notes = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
