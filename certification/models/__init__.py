from certification.models.applications import Application, ContinuingEducation, Evidence
from certification.models.audit import AuditEntry, AuditHead
from certification.models.certificates import BulkIssue, BulkIssueItem, Certificate, NumberSequence, StatusList
from certification.models.goals import Goal
from certification.models.registry import RegistryListing
from certification.models.rules import (
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
