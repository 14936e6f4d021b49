"""Face-to-face professional learning: programs, cohorts, sessions, registration, attendance,
credit, certificates, surveys, After Action Reviews and commitments.

Ownership: a program, its cohorts and sessions (and their surveys, reviews and materials)
belong to the organization that runs them (``owner``: a service center or a district);
``district`` is the owner when the owner is a district and empty for a service center.
Everything about a participant (registrations and attendance, certificates, survey
responses, commitments, invitations) carries the PARTICIPANT's district: data
ownership follows the employing district, whoever runs the program.
"""

from trellis.learning.models.feedback import (  # noqa: F401
    ActionReview,
    Commitment,
    GuskeyLevel,
    QuestionBankItem,
    QuestionKind,
    ReviewPoint,
    ReviewPointKind,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
)
from trellis.learning.models.policy import HourRounding, LearningPolicy  # noqa: F401
from trellis.learning.models.programs import (  # noqa: F401
    Cohort,
    Invitation,
    Material,
    Program,
    ProgramStatus,
    RegistrationMode,
    Session,
    SessionStatus,
)
from trellis.learning.models.registration import (  # noqa: F401
    ACTIVE_STATUSES,
    Certificate,
    CheckinMethod,
    Registration,
    RegistrationStatus,
)
