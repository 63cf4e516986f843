from __future__ import annotations

from typing import Any

from django import forms

from sourcewise.backups.document import BackupError
from sourcewise.backups.parsing import check_shape, parse_backup
from sourcewise.core.limits import MAX_BACKUP_BYTES


class RestoreForm(forms.Form):
    file = forms.FileField(
        label="Backup file", help_text="A .json file downloaded from this page or written by `sourcewise backup`."
    )
    name = forms.CharField(
        label="Name of the restored workspace",
        max_length=120,
        required=False,
        help_text="Leave empty to keep the name in the file.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BACKUP_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BACKUP_BYTES // (1024 * 1024)} MB.")
        try:
            document = parse_backup(upload.read(), limit=MAX_BACKUP_BYTES)
            check_shape(document)  # a file that is no backup at all is refused here, not in the job
            return document
        except BackupError as exc:
            raise forms.ValidationError(str(exc)) from None
