"""Every model of the app, from its capability's folder: Django loads them from here."""

from certification.applications.models import Application, Evidence
from certification.audit.models import AuditEntry, AuditHead
from certification.credentials.models import SigningKey, StatusList
from certification.filing.models import TalentEvaluation, TalentFiling
from certification.goals.models import Goal
from certification.imports.models import ClaimRequest, ImportBatch, ImportedHolder
from certification.issuing.models import BulkIssue, BulkIssueItem, Certificate, NumberSequence
from certification.levels.models import (
    HOURS_FIELDS,
    QUESTIONS_FIELDS,
    CertificationLevel,
    CertifyingBody,
    ExamStandard,
    Track,
)
from certification.lifecycle.models import ContinuingEducation
from certification.practice.models import PracticeProof, PracticeRecord
from certification.recognition.models import (
    Award,
    Criterion,
    Nomination,
    NominationEvidence,
    Objection,
    Review,
    Reviewer,
    Score,
    SelectionRound,
)
from certification.registrars.models import FollowUpCheck, InPostRecord, RegistrationOffice
from certification.registry.models import RegistryListing
from certification.wallet.models import WalletNonce, WalletOffer

__all__ = [
    "FollowUpCheck",
    "InPostRecord",
    "RegistrationOffice",
    "Award",
    "Criterion",
    "Nomination",
    "NominationEvidence",
    "Objection",
    "Review",
    "Reviewer",
    "Score",
    "SelectionRound",
    "HOURS_FIELDS",
    "QUESTIONS_FIELDS",
    "Application",
    "AuditEntry",
    "AuditHead",
    "BulkIssue",
    "BulkIssueItem",
    "Certificate",
    "CertificationLevel",
    "CertifyingBody",
    "ClaimRequest",
    "ContinuingEducation",
    "ImportBatch",
    "ImportedHolder",
    "PracticeProof",
    "PracticeRecord",
    "TalentEvaluation",
    "TalentFiling",
    "WalletNonce",
    "WalletOffer",
    "Evidence",
    "ExamStandard",
    "Goal",
    "NumberSequence",
    "RegistryListing",
    "SigningKey",
    "StatusList",
    "Track",
]
