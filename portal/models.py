"""The portal app's own models live in their packages; importing them here gives them the
``portal`` app label."""

from .dashboard.models import CurrentFigures, MonthFigures, Snapshot
from .notifications.models import Notification, NotificationSettings
from .oversight.models import BaseEvaluation, BaseEvaluationRevision
from .reports.models import ReportJob

__all__ = [
    "BaseEvaluation",
    "BaseEvaluationRevision",
    "CurrentFigures",
    "MonthFigures",
    "Notification",
    "NotificationSettings",
    "ReportJob",
    "Snapshot",
]
