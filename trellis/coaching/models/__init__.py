"""Coaching: relationships, intake, goals, sessions and protocols, action steps; notes and shares."""

from trellis.coaching.models.goals import (  # noqa: F401
    DataSource,
    Goal,
    GoalDataPoint,
    GoalKind,
    GoalStatus,
    StrategyTrial,
    TrialResult,
)
from trellis.coaching.models.notes import CoachingNote, CoachingShare  # noqa: F401
from trellis.coaching.models.protocols import CycleModel, Protocol, ProtocolPurpose  # noqa: F401
from trellis.coaching.models.relationships import (  # noqa: F401
    CoachingPolicy,
    Intake,
    Placement,
    PlacementSource,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
)
from trellis.coaching.models.sessions import CoachingSession, SessionSeries, SessionStatus  # noqa: F401
from trellis.coaching.models.steps import (  # noqa: F401
    OPEN_STATES,
    CoachingStep,
    PracticeRound,
    RoundQuality,
    StepState,
)
