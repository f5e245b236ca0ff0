"""All table families; importing this module registers every table (Alembic relies on it)."""

from consult.accountability.models import RESPONSE_STATES, Response
from consult.accounts.models import ROLES, User
from consult.analysis import (
    assignment_store,  # noqa: F401  (keeps contribution_assignment current)
    pgvector_index,  # noqa: F401  (proposal_vector on PostgreSQL)
)
from consult.analysis.models import (
    AnalysisRun,
    ContributionAssignment,
    ContributionTheme,
    EmbeddingCache,
    ObjectiveMapping,
    Theme,
)
from consult.common.models import AuditLog
from consult.coplanning.models import (
    AMENDMENT_STATES,
    VERSION_STATES,
    Amendment,
    MeetingComment,
    SectionInput,
    StrategySection,
    StrategyVersion,
)
from consult.framework.models import (
    OBJECTIVE_KINDS,
    OFF_STRATEGY_CODE,
    TERRITORY_KINDS,
    Axis,
    Consultation,
    Framework,
    Objective,
    Phase,
    SiteSetting,
    Territory,
    objective_dict,
)
from consult.live.models import LivePhone, LivePoll, PollAnswer, PriorityBallot, PriorityRound
from consult.meetings.models import (
    LiveSession,
    Meeting,
    MeetingFacilitator,
    MeetingRegistration,
    WorkingGroup,
)
from consult.notifications.models import Follow, Notification
from consult.proposals.models import (
    CHANNELS,
    CONTRIBUTION_STATES,
    PARTICIPANT_ROLES,
    AbuseReport,
    Comment,
    Contribution,
    Support,
)

__all__ = [
    "AMENDMENT_STATES",
    "CHANNELS",
    "CONTRIBUTION_STATES",
    "OBJECTIVE_KINDS",
    "OFF_STRATEGY_CODE",
    "PARTICIPANT_ROLES",
    "RESPONSE_STATES",
    "ROLES",
    "TERRITORY_KINDS",
    "VERSION_STATES",
    "AbuseReport",
    "Amendment",
    "AnalysisRun",
    "AuditLog",
    "Axis",
    "Comment",
    "Consultation",
    "Contribution",
    "ContributionAssignment",
    "ContributionTheme",
    "EmbeddingCache",
    "Follow",
    "Framework",
    "LivePhone",
    "LivePoll",
    "LiveSession",
    "Meeting",
    "MeetingComment",
    "MeetingFacilitator",
    "MeetingRegistration",
    "Notification",
    "Objective",
    "ObjectiveMapping",
    "Phase",
    "PollAnswer",
    "PriorityBallot",
    "PriorityRound",
    "Response",
    "SectionInput",
    "SiteSetting",
    "StrategySection",
    "StrategyVersion",
    "Support",
    "Territory",
    "Theme",
    "User",
    "WorkingGroup",
    "objective_dict",
]
