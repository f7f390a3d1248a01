from django.urls import path

from certification.recognition import views

urlpatterns = [
    # Public: the rounds, the announcement (公示) with its objections, the final lists.
    path("recognition/", views.rounds, name="recognition_rounds"),
    path("recognition/<id:pk>/", views.round_detail, name="recognition_round"),
    path("verify/award/<id:pk>/", views.award_verify, name="award_verify"),
    path(
        "recognition/awards/<id:pk>/credential.json",
        views.award_credential,
        name="award_credential",
    ),
    # Signed in: nominating, and the nominee's own page.
    path("recognition/<id:pk>/nominate/", views.nominate, name="recognition_nominate"),
    path("me/nominations/", views.my_nominations, name="my_nominations"),
    path(
        "recognition/nominations/<id:pk>/evidence/<id:evidence_id>/",
        views.evidence_download,
        name="recognition_evidence",
    ),
    # The panel.
    path("recognition/review/", views.review_home, name="recognition_review"),
    path(
        "recognition/review/<id:pk>/", views.review_nomination, name="recognition_review_nomination"
    ),
    # Administrators.
    path("recognition/manage/", views.manage_rounds, name="recognition_manage"),
    path("recognition/manage/<id:pk>/", views.manage_round, name="recognition_manage_round"),
]
