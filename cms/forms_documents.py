"""The Wagtail document form, with a look at the file itself.

Named by settings.WAGTAILDOCS_DOCUMENT_FORM_BASE, so the single and the multiple uploader and
the "replace file" edit all use it. Kept apart from cms/forms.py, which the models import:
Wagtail's document forms need the models loaded first.
"""

from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from .uploads import document_check


class PortalDocumentForm(BaseDocumentForm):
    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and isinstance(upload, UploadedFile):
            document_check(upload)
        return upload
