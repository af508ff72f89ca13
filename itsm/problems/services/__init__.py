"""Services of problem management: the only writers of problems, known errors, detection rules
and proposals. Split by responsibility: ``problems``, ``known_errors``, ``detection``,
``search`` (the search index). Other apps may call what is named here."""

from itsm.problems.services.detection import (
    accept_proposal,
    create_rule,
    delete_rule,
    detect,
    dismiss_proposal,
    update_rule,
)
from itsm.problems.services.known_errors import (
    create_known_error,
    move_known_error,
    publish_article,
    update_known_error,
)
from itsm.problems.services.problems import (
    create_problem,
    link_incidents,
    move_problem,
    unlink_incident,
    update_problem,
)

__all__ = [
    "accept_proposal",
    "create_known_error",
    "create_problem",
    "create_rule",
    "delete_rule",
    "detect",
    "dismiss_proposal",
    "link_incidents",
    "move_known_error",
    "move_problem",
    "publish_article",
    "unlink_incident",
    "update_known_error",
    "update_problem",
    "update_rule",
]
