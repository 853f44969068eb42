from cobuilding.models.agreements import (
    AgreementStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentKind,
    CommitmentMeasure,
    CommitmentProgress,
)
from cobuilding.models.lists import (
    CommunityNeed,
    DeputyDuty,
    DeputyKind,
    DeputyMatter,
    EvaluationRating,
    EvaluationRound,
    NeedStatus,
    RaterKind,
    UnitResource,
)
from cobuilding.models.meetings import AgendaItem, AgendaItemProgress, ItemStatus, JointMeeting
from cobuilding.models.members import (
    FeedbackRating,
    LinkedHousehold,
    LinkedVisit,
    MemberFeedback,
    MemberParticipation,
    MemberReport,
)
from cobuilding.models.units import PartnerCategory, ReportStatus, ResidentUnit, UnitKind, UnitReport
from cobuilding.models.whistles import CallStatus, Whistle, WhistleCall

__all__ = [
    "AgendaItem", "AgendaItemProgress", "AgreementStatus", "CallStatus", "CoBuildingAgreement", "CommitmentItem",
    "CommitmentKind", "CommitmentMeasure", "CommitmentProgress", "CommunityNeed", "DeputyDuty", "DeputyKind",
    "DeputyMatter", "EvaluationRating", "EvaluationRound", "FeedbackRating", "ItemStatus", "JointMeeting",
    "LinkedHousehold", "LinkedVisit", "MemberFeedback", "MemberParticipation", "MemberReport", "NeedStatus",
    "PartnerCategory", "RaterKind", "ReportStatus", "ResidentUnit", "UnitKind", "UnitReport", "UnitResource",
    "Whistle", "WhistleCall",
]  # fmt: skip
