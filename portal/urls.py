from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import favicon, health, media, views
from portal.accounts import views as account_views
from portal.accounts.admin_entry import admin_entry

urlpatterns = [
    # Everyone signs in through allauth (e-mail verification, two-factor, rate limits), never
    # through Wagtail's own password-only form: its URL answers with admin_entry, which sends a
    # visitor to allauth's sign-in and tells a signed-in person without admin access so.
    path("admin/login/", admin_entry, name="wagtailadmin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/profile/", account_views.profile, name="account_profile"),
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("search/", views.search, name="search"),
    path("learn/", include("courses.urls")),
    path("courses/", include("courses.urls_catalogue")),
    path("me/", views.my_learning, name="my_learning"),
    path("me/transcript.pdf", views.transcript, name="transcript"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/close/", views.close_account, name="close_account"),
    path("", include("portal.notifications.urls")),
    path("account-closed/", views.account_closed, name="account_closed"),
    path("privacy/", views.privacy, name="privacy"),
    path("oversight/evaluations/", include("portal.oversight.urls")),
    path("oversight/base-applications/", include("portal.oversight.applications.review_urls")),
    path("base-applications/", include("portal.oversight.applications.urls")),
    path("my-base/", include("portal.oversight.self_assessment.urls")),
    path("oversight/reports/", include("portal.reports.urls")),
    path("oversight/dashboard/", include("portal.dashboard.urls")),
    path("faculty/", include("portal.faculty.urls")),
    path("", include("certification.urls")),
]

# Only the signed-in person's own photo has an address among the private files.
urlpatterns += [path("private-files/<path:name>", media.own_photo, name="own_photo")]
if settings.SERVE_MEDIA:
    # The CMS's pictures, in every mode; private files are elsewhere and never served here.
    urlpatterns += [
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.public_media, name="media")
    ]

urlpatterns += [path("", include(wagtail_urls))]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
# allauth answers its rate limits with this (see allauth.core.internal.ratelimit).
handler429 = "portal.views.too_many_requests"
handler500 = "portal.views.server_error"
