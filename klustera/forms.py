"""Form behaviour several pages share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _


class WriteOnlySecrets(forms.Form):
    """Fields holding a stored secret (a provider's token or key): never shown again, the
    form says only whether one is set, and a field left empty keeps the stored one.

    Subclasses name them in ``secret_fields``; the page passes ``stored``, the object that
    holds the secrets, to tell which are set.
    """

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, stored: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            self.fields[name].required = False
            self.fields[name].help_text = (
                _("Set and saved; leave empty to keep it.")
                if getattr(stored, name)
                else _("Not set.")
            )

    def changes(self) -> dict[str, Any]:
        """What to save: every field, but a secret left empty keeps the stored one."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not (name in self.secret_fields and not value)
        }


MAX_PHOTOS = 5  # photos from one input


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SeveralFiles(forms.FileField):
    """Up to five files from one input (Django's documented way for several files)."""

    widget = PhotosInput(attrs={"multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("At most %(n)s files.") % {"n": MAX_PHOTOS})
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        clean_one = super().clean
        return [clean_one(file, initial) for file in files]


class PhotosField(SeveralFiles, forms.ImageField):
    """Up to five photos from one input."""

    widget = PhotosInput(attrs={"accept": "image/*", "multiple": True})


class AttachmentsField(SeveralFiles):
    """Up to five PDFs or photos from one input; :func:`klustera.uploads.clean_attachment`
    checks each."""

    widget = PhotosInput(attrs={"accept": "application/pdf,image/*", "multiple": True})
