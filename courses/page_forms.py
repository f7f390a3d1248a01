"""The admin form of class and lesson pages: a base names as teachers only its own faculty and
those who accepted its invitation to the class (see courses.teaching.teachers_refused)."""

from django.utils.translation import gettext as _

from cms.forms import PortalPageForm


class TeachingPageForm(PortalPageForm):
    def clean(self):
        cleaned = super().clean()
        from .teaching import teachers_refused

        for field in ("teacher", "faculty"):
            if field not in self.fields or field in self.errors:
                continue
            value = cleaned.get(field)
            if value is None:
                continue
            ids = [value.pk] if field == "teacher" else [member.pk for member in value]
            refused = teachers_refused(page=self.instance, teacher_ids=ids, parent=self.parent_page)
            if refused:
                self.add_error(
                    field,
                    _(
                        "%(names)s teaches at another base: invite them to this class from the "
                        "faculty pool, and choose them once they accept."
                    )
                    % {"names": "、".join(refused)},
                )
        return cleaned
