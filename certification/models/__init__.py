from .applications import Application, ContinuingEducation, Evidence
from .audit import AuditEntry, AuditHead
from .certificates import BulkIssue, BulkIssueItem, Certificate, NumberSequence, StatusList
from .goals import Goal
from .registry import RegistryListing
from .rules import (
    HOURS_FIELDS,
    QUESTIONS_FIELDS,
    CertificationLevel,
    CertifyingBody,
    ExamStandard,
    SigningKey,
    Track,
)

__all__ = [
    "HOURS_FIELDS",
    "Application",
    "AuditEntry",
    "AuditHead",
    "BulkIssue",
    "BulkIssueItem",
    "Certificate",
    "CertificationLevel",
    "CertifyingBody",
    "ContinuingEducation",
    "Evidence",
    "ExamStandard",
    "Goal",
    "NumberSequence",
    "QUESTIONS_FIELDS",
    "RegistryListing",
    "SigningKey",
    "StatusList",
    "Track",
]
