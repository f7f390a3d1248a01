from django.urls import path, re_path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from certification import views, views_certify, views_registry

urlpatterns = [
    # Public: anyone can check a certificate.
    path("verify/<str:number>/", views.verify, name="certificate_verify"),
    path("api/v1/openapi.json", views.api_openapi, name="api_openapi"),
    path("api/v1/certificates/<str:number>", views.api_certificate, name="api_certificate"),
    path(
        "api/v1/certificates/<str:number>/credential",
        views.api_certificate_credential,
        name="api_certificate_credential",
    ),
    path(
        "api/v1/status-lists/<str:body>/<id:number>",
        views.api_status_list,
        name="api_status_list",
    ),
    # Anything else under /api/ is an API "not found" (JSON), never a redirect or a page.
    re_path(r"^api/", views.api_not_found, name="api_not_found"),
    path("certification/", views.overview, name="certification_overview"),
    path("certification/levels/<slug:code>/", views.level_detail, name="certification_level"),
    path("certification/bodies/<str:code>/", views.body_detail, name="certification_body"),
    # Public: the registry of certified talent (人才库).
    path("registry/", views_registry.registry, name="registry"),
    # The holder.
    path("me/certificates/", views.my_certificates, name="my_certificates"),
    path("me/certificates/registry/", views_registry.registry_listing, name="registry_listing"),
    path(
        "me/certificates/<str:number>/certificate.pdf",
        views.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path(
        "me/certificates/<str:number>/credential.json",
        views.certificate_credential_download,
        name="certificate_credential",
    ),
    path("me/certificates/<str:number>/renew/", views.certificate_renew, name="certificate_renew"),
    path("me/applications/new/", views.application_new, name="application_new"),
    path("me/applications/<id:pk>/", views.application_detail, name="application_detail"),
    path(
        "me/applications/<id:pk>/evidence/<id:evidence_id>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path(
        "me/continuing-education/",
        views.continuing_education,
        name="continuing_education",
    ),
    path(
        "me/continuing-education/<id:pk>/evidence/",
        views.continuing_education_evidence,
        name="continuing_education_evidence",
    ),
    # Certifiers (multi-factor sign-in required under /certify/).
    path("certify/", views_certify.queue, name="certify_queue"),
    path(
        "certify/applications/<id:pk>/",
        views_certify.application,
        name="certify_application",
    ),
    path("certify/certificates/", views_certify.certificates, name="certify_certificates"),
    path(
        "certify/certificates/<str:number>/",
        views_certify.certificate,
        name="certify_certificate",
    ),
    path("certify/bulk/", views_certify.bulk_new, name="certify_bulk_new"),
    path("certify/bulk/<id:pk>/", views_certify.bulk_run, name="certify_bulk_run"),
    path(
        "certify/bulk/<id:pk>/progress.json",
        views_certify.bulk_progress,
        name="certify_bulk_progress",
    ),
    path("certify/filing/", views_certify.filing, name="certify_filing"),
    path("certify/filing.xlsx", views_certify.filing_export, name="certify_filing_export"),
    path(
        "certify/continuing-education/",
        views_certify.continuing_education,
        name="certify_continuing_education",
    ),
]
