"""The portal app's own models live in their packages; importing them here gives them the
``portal`` app label."""

from .oversight.models import BaseEvaluation, BaseEvaluationRevision

__all__ = ["BaseEvaluation", "BaseEvaluationRevision"]
