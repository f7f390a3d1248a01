"""The Wagtail admin narrowed for a base's people: see ``cms.admin_scope``."""

from wagtail import hooks

from . import admin_scope

admin_scope.install()


@hooks.register("construct_admin_api", order=100)
def scope_admin_api_media(router):
    """After Wagtail registers its images and documents endpoints: the scoped ones instead."""
    from wagtail.documents import get_document_model
    from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
    from wagtail.images import get_image_model
    from wagtail.images.api.admin.views import ImagesAdminAPIViewSet

    router.register_endpoint(
        "images", admin_scope.scoped_api_endpoint(ImagesAdminAPIViewSet, get_image_model())
    )
    router.register_endpoint(
        "documents",
        admin_scope.scoped_api_endpoint(DocumentsAdminAPIViewSet, get_document_model()),
    )
