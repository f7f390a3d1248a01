"""Receivers for Wagtail's page signals. Thin: they call the services."""

from .models import TrainingBasePage
from .services import training_base_workspace_ensure


def on_page_published(sender, instance, **kwargs):
    training_base_workspace_ensure(base=instance)


def connect():
    from wagtail.signals import page_published

    page_published.connect(
        on_page_published, sender=TrainingBasePage, dispatch_uid="cms.training_base_workspace"
    )
