from django.urls import path

from portal.accounts import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("", views.pool, name="faculty_pool"),
    path("<id:page_id>/", views.detail, name="faculty_pool_detail"),
]
