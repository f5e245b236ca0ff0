"""All table families; importing this module registers every table (Alembic relies on it)."""

from .accountability import RESPONSE_STATES, AuditLog, Response
from .analysis import (
    AnalysisRun,
    ContributionTheme,
    EmbeddingCache,
    ObjectiveMapping,
    Theme,
)
from .contribution import (
    CHANNELS,
    CONTRIBUTION_STATES,
    PARTICIPANT_ROLES,
    AbuseReport,
    Comment,
    Contribution,
    Support,
)
from .framework import (
    OBJECTIVE_KINDS,
    OFF_STRATEGY_CODE,
    TERRITORY_KINDS,
    Axis,
    Consultation,
    Framework,
    Objective,
    Phase,
    Territory,
    objective_dict,
)
from .meeting import LiveSession, Meeting, MeetingFacilitator, WorkingGroup
from .user import ROLES, User

__all__ = [
    "CHANNELS",
    "CONTRIBUTION_STATES",
    "OBJECTIVE_KINDS",
    "OFF_STRATEGY_CODE",
    "PARTICIPANT_ROLES",
    "RESPONSE_STATES",
    "ROLES",
    "TERRITORY_KINDS",
    "AbuseReport",
    "AnalysisRun",
    "AuditLog",
    "Axis",
    "Comment",
    "Consultation",
    "Contribution",
    "ContributionTheme",
    "EmbeddingCache",
    "Framework",
    "LiveSession",
    "Meeting",
    "MeetingFacilitator",
    "Objective",
    "ObjectiveMapping",
    "Phase",
    "Response",
    "Support",
    "Territory",
    "Theme",
    "User",
    "WorkingGroup",
    "objective_dict",
]
