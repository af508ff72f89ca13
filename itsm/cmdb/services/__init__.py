"""Services of the CMDB: the only writers of CI classes, attribute definitions, configuration
items, relation types and relations (R-CMDB-01…03).

Every write runs in one transaction, validates first (typed attributes against the class's
definitions, relation rules of the type), saves with the version check, records who made it
(``_history_user`` → django-simple-history) and which change authorised it
(``change_reference`` on the row, so every historical version carries it), and appends a
timeline row.

This package is the CMDB's public write API: other apps (the catalogue, SLM) and the CMDB's
own pages, API, importer and audit call the functions named here. They live in ``classes``
(CI classes, attribute definitions, relation types), ``attributes`` (typed attribute values),
``items`` (configuration items) and ``relations``; the modules' constants stay private.
"""

from __future__ import annotations

from itsm.cmdb.services.attributes import (
    validate_attributes,
)
from itsm.cmdb.services.authority import (
    authorised_change,
    register_change_authority,
)
from itsm.cmdb.services.classes import (
    create_attribute,
    create_class,
    create_relation_type,
    delete_attribute,
    ensure_builtins,
    get_class,
    get_relation_type,
    update_attribute,
    update_class,
    update_relation_type,
)
from itsm.cmdb.services.items import (
    create_ci,
    transition_ci,
    update_ci,
)
from itsm.cmdb.services.relations import (
    create_relation,
    delete_relation,
    update_relation,
)

__all__ = [
    "authorised_change",
    "create_attribute",
    "create_ci",
    "create_class",
    "create_relation",
    "create_relation_type",
    "delete_attribute",
    "delete_relation",
    "ensure_builtins",
    "get_class",
    "get_relation_type",
    "register_change_authority",
    "transition_ci",
    "update_attribute",
    "update_ci",
    "update_class",
    "update_relation",
    "update_relation_type",
    "validate_attributes",
]
