"""Services of change management, by responsibility — the only writers of change records:

- ``changes``: raise, edit, reschedule, check conflicts, the lifecycle (implement, review);
- ``assessment``: impact from the CMDB, the risk questionnaire, requesting approval;
- ``approval``: the change manager's decision, CAB votes and the quorum rule;
- ``config``: standard change templates, the questionnaire, thresholds, CABs, windows.
"""

from itsm.change.services.approval import decide
from itsm.change.services.assessment import assess, request_approval
from itsm.change.services.changes import (
    check_conflicts,
    create_change,
    move,
    reschedule,
    update_change,
)

__all__ = [
    "assess",
    "check_conflicts",
    "create_change",
    "decide",
    "move",
    "request_approval",
    "reschedule",
    "update_change",
]
