from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views, views_feedback, views_import, views_learning, views_roster, views_teaching

app_name = "courses"

urlpatterns = [
    path("courses/<id:course_id>/enrol/", views.enrol, name="enrol"),
    path("courses/<id:course_id>/withdraw/", views.withdraw, name="withdraw"),
    path("lessons/<id:lesson_id>/done/", views.lesson_done, name="lesson_done"),
    path("lessons/<id:lesson_id>/attendance/", views.attendance, name="attendance"),
    path("lessons/<id:lesson_id>/beat/", views_learning.lesson_beat, name="lesson_beat"),
    path("lessons/<id:lesson_id>/check-in/", views_learning.check_in, name="check_in"),
    path(
        "lessons/<id:lesson_id>/check-in/screen/",
        views_learning.check_in_screen,
        name="check_in_screen",
    ),
    path("exams/<id:exam_id>/", views.exam_detail, name="exam"),
    path("exams/<id:exam_id>/start/", views.exam_start, name="exam_start"),
    path("attempts/<id:attempt_id>/", views.attempt_take, name="attempt"),
    path("attempts/<id:attempt_id>/save/", views.attempt_save, name="attempt_save"),
    path("attempts/<id:attempt_id>/submit/", views.attempt_hand_in, name="attempt_submit"),
    path("attempts/<id:attempt_id>/result/", views.attempt_result, name="attempt_result"),
    path("grading/", views.grading_queue, name="grading"),
    path("grading/<id:attempt_id>/", views.grading_attempt, name="grading_attempt"),
    path("courses/<id:course_id>/import/", views_import.roster_import, name="roster_import"),
    path(
        "courses/<id:course_id>/import/confirm/",
        views_import.roster_import_confirm,
        name="roster_import_confirm",
    ),
    path("courses/<id:course_id>/roster/", views_roster.roster, name="roster"),
    path("invitations/<slug:token>/", views_import.invitation, name="invitation"),
    path(
        "invitations/<slug:token>/accept/",
        views_import.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "invitations/<slug:token>/decline/",
        views_import.invitation_decline,
        name="invitation_decline",
    ),
    path("teaching/", views_teaching.my_teaching, name="my_teaching"),
    path("teaching/links/<id:link_id>/", views_teaching.link_answer, name="faculty_link_answer"),
    path(
        "teaching/invitations/<id:invitation_id>/",
        views_teaching.invitation_answer,
        name="teaching_invitation_answer",
    ),
    path("teaching/links/<id:link_id>/end/", views_teaching.link_end, name="faculty_link_end"),
    path(
        "teaching/invitations/<id:invitation_id>/withdraw/",
        views_teaching.invitation_withdraw,
        name="teaching_invitation_withdraw",
    ),
    path("teaching/certificates/", views_teaching.certificates_show, name="certificates_show"),
    path("teaching/faculty/<id:page_id>/link/", views_teaching.faculty_link, name="faculty_link"),
    path(
        "teaching/faculty/<id:page_id>/invite/",
        views_teaching.teaching_invite,
        name="teaching_invite",
    ),
    path("courses/<id:course_id>/feedback/", views_feedback.feedback_form, name="feedback"),
    path(
        "courses/<id:course_id>/feedback/results/",
        views_feedback.feedback_results,
        name="feedback_results",
    ),
    path("feedback/", views_feedback.feedback_overview, name="feedback_overview"),
]
