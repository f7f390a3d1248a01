"""The admin form shared by the portal's pages."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry

from .slugs import slug_available, slug_from_text, slug_needs_pinyin


def _policy_for(value):
    for model in (get_image_model(), get_document_model()):
        if isinstance(value, model):
            return policy_registry.get_by_type(model)
    return None


class PortalPageForm(WagtailAdminPageForm):
    """Refuses an image or document the editor may not choose.

    The choosers already list only the editor's own collections; this stops a hand-made
    request from attaching another base's file by its id. A file set earlier by someone else
    may stay where it is.

    Also keeps addresses readable: a slug that would be %-encoded (the admin fills it from a
    Chinese title) becomes pinyin, unique among its siblings. A page keeps the slug it has.
    """

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if self.instance.pk and slug == self.instance.slug:
            return slug
        source = slug or self.cleaned_data.get("title") or ""
        if not slug_needs_pinyin(source):
            return slug
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        return slug_available(slug_from_text(source) or "page", parent=parent, page=self.instance)

    def clean(self):
        cleaned_data = super().clean()
        user = self.for_user
        if user is None:
            return cleaned_data
        for name, value in list(cleaned_data.items()):
            policy = _policy_for(value)
            if policy is None or self.initial.get(name) == value.pk:
                continue
            if not policy.user_has_permission_for_instance(user, "choose", value):
                self.add_error(
                    name, _("You may only use pictures and documents from your own collection.")
                )
        return cleaned_data
