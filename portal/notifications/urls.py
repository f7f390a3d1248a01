from django.urls import path

from . import views

urlpatterns = [
    path("me/notifications/", views.notification_list, name="notifications"),
    path("me/notifications/read/", views.notifications_read, name="notifications_read"),
    path("me/notifications/<id:pk>/open/", views.notification_open, name="notification_open"),
    path("me/notifications/settings/", views.notification_settings, name="notification_settings"),
]
