"""The only writers of service level management records (R-SLM-01/02/03/07/08, R-REQ).

Agreements (SLA / OLA / UC) with their parties, services, targets and underpinning links;
once signed, every content change needs the reference of the change that authorised it
(``change_reference``) and is written to the field history and the timeline with it.
Signing creates the agreement's configuration item (class ``agreement``) that ``covers`` the
business-service CIs of its services. ``check_underpinning`` compares OLA/UC targets with the
SLAs they support; ``generate_review_schedule`` plans the review meetings of seed 003 §5.2.

The functions live in ``agreements`` (agreements, targets, underpinning), ``requirements`` and
``reviews`` (meetings and action items); import them from this package.
"""

from itsm.core.errors import DomainError
from itsm.slm.services._common import (
    AGREEMENT_FIELDS,
    COMPARED_METRICS,
    TARGET_FIELDS,
)
from itsm.slm.services.agreements import (
    add_target,
    check_underpinning,
    create_agreement,
    delete_target,
    drafted_by_id,
    expire_agreements,
    transition_agreement,
    update_agreement,
    update_target,
    warning_message,
)
from itsm.slm.services.requirements import (
    REQUIREMENT_FIELDS,
    create_requirement,
    delete_requirement,
    review_requirement,
    set_requirement_targets,
    update_requirement,
)
from itsm.slm.services.reviews import (
    ACTION_FIELDS,
    DEFAULT_AGENDA,
    REVIEW_DAY,
    REVIEW_FIELDS,
    REVIEW_MONTHS,
    REVIEW_TITLES,
    add_action_item,
    create_review,
    delete_action_item,
    generate_all_review_schedules,
    generate_review_schedule,
    next_working_day,
    office_calendar,
    record_meeting,
    review_due_dates,
    update_action_item,
    update_review,
)

__all__ = [
    "ACTION_FIELDS",
    "AGREEMENT_FIELDS",
    "COMPARED_METRICS",
    "DEFAULT_AGENDA",
    "DomainError",
    "REQUIREMENT_FIELDS",
    "REVIEW_DAY",
    "REVIEW_FIELDS",
    "REVIEW_MONTHS",
    "REVIEW_TITLES",
    "TARGET_FIELDS",
    "add_action_item",
    "add_target",
    "check_underpinning",
    "create_agreement",
    "create_requirement",
    "create_review",
    "delete_action_item",
    "delete_requirement",
    "delete_target",
    "drafted_by_id",
    "expire_agreements",
    "generate_all_review_schedules",
    "generate_review_schedule",
    "next_working_day",
    "office_calendar",
    "record_meeting",
    "review_due_dates",
    "review_requirement",
    "set_requirement_targets",
    "transition_agreement",
    "update_action_item",
    "update_agreement",
    "update_requirement",
    "update_review",
    "update_target",
    "warning_message",
]
