"""The portal app's own models live in their packages; importing them here gives them the
``portal`` app label."""

from .dashboard.models import CurrentFigures, MonthFigures, Snapshot
from .notifications.models import Notification, NotificationSettings
from .oversight.models import (
    BaseAccreditation,
    BaseApplication,
    BaseApplicationEvent,
    BaseApplicationFile,
    BaseEvaluation,
    BaseEvaluationRevision,
    SelfAssessment,
    SelfAssessmentFile,
)
from .reports.models import ReportJob

__all__ = [
    "BaseAccreditation",
    "BaseApplication",
    "BaseApplicationEvent",
    "BaseApplicationFile",
    "BaseEvaluation",
    "BaseEvaluationRevision",
    "CurrentFigures",
    "MonthFigures",
    "Notification",
    "NotificationSettings",
    "ReportJob",
    "SelfAssessment",
    "SelfAssessmentFile",
    "Snapshot",
]
