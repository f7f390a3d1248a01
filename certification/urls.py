from django.urls import path, re_path

from certification.applications import views as applications
from certification.audit import views as audit
from certification.credentials import views as credentials
from certification.filing import urls as filing_urls
from certification.imports import views as imports
from certification.issuing import views as issuing
from certification.levels import views as levels
from certification.lifecycle import views as lifecycle
from certification.practice import urls as practice_urls
from certification.recognition import urls as recognition_urls
from certification.registrars import urls as registrar_urls
from certification.registry import views as registry
from certification.transcripts import views as transcripts
from certification.verification import views as verification
from certification.wallet import views as wallet
from portal.accounts import converters  # noqa: F401 - registers <id:...>

urlpatterns = [
    # Public: anyone can check a certificate.
    path("verify/", verification.verify_lookup, name="verify_lookup"),
    path("verify/check/", verification.holder_check, name="verify_holder_check"),
    path("verify/file/", verification.verify_file, name="verify_file"),
    path("verify/<str:number>/", verification.verify, name="certificate_verify"),
    path("api/v1/openapi.json", verification.api_openapi, name="api_openapi"),
    path("api/v1/certificates/<str:number>", verification.api_certificate, name="api_certificate"),
    path(
        "api/v1/certificates/<str:number>/credential",
        verification.api_certificate_credential,
        name="api_certificate_credential",
    ),
    path(
        "api/v1/certificates/<str:number>/match",
        verification.api_holder_match,
        name="api_holder_match",
    ),
    path(
        "api/v1/status-lists/<str:body>/<id:number>",
        verification.api_status_list,
        name="api_status_list",
    ),
    path(
        "api/v1/certificates/<str:number>/badge.png",
        credentials.certificate_badge,
        name="api_certificate_badge",
    ),
    # Anything else under /api/ is an API "not found" (JSON), never a redirect or a page.
    re_path(r"^api/", verification.api_not_found, name="api_not_found"),
    path("certification/", levels.overview, name="certification_overview"),
    path("certification/levels/<slug:code>/", levels.level_detail, name="certification_level"),
    path(
        "certification/levels/<slug:code>/badge.png",
        credentials.level_badge,
        name="credential_level_badge",
    ),
    path("certification/bodies/<str:code>/", levels.body_detail, name="certification_body"),
    path(
        "certification/bodies/<str:code>/did.json",
        credentials.body_did,
        name="certification_body_did",
    ),
    # Public: the portal's own did:web, and the audit chain's signed checkpoints.
    path(".well-known/did.json", credentials.platform_did, name="platform_did"),
    path("audit/checkpoints/", audit.checkpoints, name="audit_checkpoints"),
    path("audit/checkpoints/<id:sequence>.json", audit.checkpoint, name="audit_checkpoint"),
    # OpenID for Verifiable Credential Issuance: a wallet takes a holder's certificate.
    path(
        ".well-known/openid-credential-issuer",
        wallet.issuer_metadata,
        name="wallet_issuer_metadata",
    ),
    path(
        ".well-known/oauth-authorization-server",
        wallet.authorization_server_metadata,
        name="wallet_authorization_server_metadata",
    ),
    path("wallet/oid4vci/token", wallet.token, name="wallet_token"),
    path("wallet/oid4vci/nonce", wallet.nonce, name="wallet_nonce"),
    path("wallet/oid4vci/credential", wallet.credential, name="wallet_credential"),
    path("me/certificates/<str:number>/wallet/", wallet.offer, name="wallet_offer"),
    # The learning record as a signed 1EdTech CLR 2.0 credential.
    path("me/transcript.clr.json", transcripts.transcript_clr, name="transcript_clr"),
    # Public: the registry of certified talent (人才库).
    path("registry/", registry.registry, name="registry"),
    # The holder.
    path("me/certificates/", issuing.my_certificates, name="my_certificates"),
    path("me/certificates/registry/", registry.registry_listing, name="registry_listing"),
    path(
        "me/certificates/<str:number>/certificate.pdf",
        issuing.certificate_pdf_download,
        name="certificate_pdf",
    ),
    path(
        "me/certificates/<str:number>/credential.json",
        issuing.certificate_credential_download,
        name="certificate_credential",
    ),
    path(
        "me/certificates/<str:number>/renew/", lifecycle.certificate_renew, name="certificate_renew"
    ),
    path("me/certificates/claim/", imports.my_claims, name="my_claims"),
    path("me/applications/new/", applications.application_new, name="application_new"),
    path("me/applications/<id:pk>/", applications.application_detail, name="application_detail"),
    path(
        "me/applications/<id:pk>/evidence/<id:evidence_id>/",
        applications.evidence_download,
        name="evidence_download",
    ),
    path(
        "me/continuing-education/",
        lifecycle.continuing_education,
        name="continuing_education",
    ),
    path(
        "me/continuing-education/<id:pk>/evidence/",
        lifecycle.continuing_education_evidence,
        name="continuing_education_evidence",
    ),
    # Certifiers (multi-factor sign-in required under /certify/).
    path("certify/", applications.queue, name="certify_queue"),
    path(
        "certify/applications/<id:pk>/",
        applications.application,
        name="certify_application",
    ),
    path(
        "certify/applications/<id:pk>/identity-document/",
        applications.identity_document,
        name="certify_identity_document",
    ),
    path(
        "certify/applications/<id:pk>/photo/",
        applications.applicant_photo,
        name="certify_applicant_photo",
    ),
    path(
        "certify/applications/<id:pk>/preview.pdf",
        applications.application_preview,
        name="certify_application_preview",
    ),
    path(
        "certify/applications/<id:pk>/evidence/<id:evidence_id>/",
        applications.evidence_inline,
        name="certify_evidence_inline",
    ),
    path(
        "certify/certificates/<str:number>/correction-preview.pdf",
        issuing.correction_preview,
        name="certify_correction_preview",
    ),
    path(
        "certify/certificates/<str:number>/pdf/",
        issuing.certificate_pdf_inline,
        name="certify_certificate_pdf",
    ),
    path("certify/bulk/<id:pk>/certificates.zip", issuing.bulk_zip, name="certify_bulk_zip"),
    path("certify/bulk/<id:pk>/print.pdf", issuing.bulk_print, name="certify_bulk_print"),
    path("certify/bulk/<id:pk>/register.xlsx", issuing.bulk_register, name="certify_bulk_register"),
    path("certify/certificates/", issuing.certificates, name="certify_certificates"),
    path(
        "certify/certificates/<str:number>/",
        issuing.certificate,
        name="certify_certificate",
    ),
    path("certify/bulk/", issuing.bulk_new, name="certify_bulk_new"),
    path("certify/bulk/<id:pk>/", issuing.bulk_run, name="certify_bulk_run"),
    path(
        "certify/bulk/<id:pk>/progress.json",
        issuing.bulk_progress,
        name="certify_bulk_progress",
    ),
    path("certify/imports/", imports.import_certificates, name="certify_import"),
    path("certify/imports/template.xlsx", imports.import_template, name="certify_import_template"),
    path("certify/imports/<id:pk>/", imports.import_batch, name="certify_import_batch"),
    path("certify/claims/", imports.claim_queue, name="certify_claims"),
    path("certify/filing/", lifecycle.filing, name="certify_filing"),
    path("certify/filing.xlsx", lifecycle.filing_export, name="certify_filing_export"),
    path(
        "certify/continuing-education/",
        lifecycle.continuing_education_queue,
        name="certify_continuing_education",
    ),
]

# Practice records (项目实绩) and talent filing (入库备案): their folders' own routes.
urlpatterns += practice_urls.urlpatterns + filing_urls.urlpatterns
# Registration offices and their in-post registrars (在岗登记员).
urlpatterns += registrar_urls.urlpatterns
# Recognition (优秀/十大技术经纪人评选): its folder's own routes.
urlpatterns += recognition_urls.urlpatterns
