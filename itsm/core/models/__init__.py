from itsm.core.models.base import DomainModel, TimeStampedModel
from itsm.core.models.people import Organisation, RoleAssignment, Team, User
from itsm.core.models.records import (
    ConfigStamp,
    IdempotencyRecord,
    NumberSequence,
    TimelineEntry,
)
from itsm.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "ConfigStamp",
    "DomainModel",
    "IdempotencyRecord",
    "NumberSequence",
    "Organisation",
    "RoleAssignment",
    "Team",
    "TimeStampedModel",
    "TimelineEntry",
    "User",
]
