from django.urls import path

from certification.practice import views

urlpatterns = [
    path("me/practice/", views.my_practice, name="my_practice"),
    path("me/practice/<id:pk>/", views.my_practice_action, name="my_practice_action"),
    path(
        "me/practice/<id:pk>/proof/<id:proof_id>/",
        views.practice_proof,
        name="practice_proof",
    ),
    # Public: the counterpart's contact opens the signed link they were e-mailed.
    path("practice/confirm/<str:token>/", views.practice_confirm, name="practice_confirm"),
    path("certify/practice/", views.practice_queue, name="certify_practice"),
]
