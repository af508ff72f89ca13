"""The only writers of the knowledge base (articles, categories, links, attachments, usage)
and of the one search index. What other apps call is named here: ``create_article`` (a
known error becomes an article), ``index_document`` / ``remove_document`` (problems pushes
its problems and known errors into the search), ``record_solution`` ("this solved it")."""

from itsm.knowledge.services.articles import (
    TRANSITIONS,
    archive_article,
    create_article,
    create_category,
    delete_article,
    delete_category,
    publish_article,
    reject_article,
    restore_article,
    submit_article,
    transition_article,
    update_article,
    update_category,
)
from itsm.knowledge.services.index import (
    index_article,
    index_changed_tickets,
    index_document,
    rebuild_index,
    remove_document,
)
from itsm.knowledge.services.usage import (
    add_attachment,
    add_link,
    record_helped,
    record_solution,
    record_view,
    remove_attachment,
    remove_link,
)

__all__ = [
    "TRANSITIONS",
    "add_attachment",
    "add_link",
    "archive_article",
    "create_article",
    "create_category",
    "delete_article",
    "delete_category",
    "index_article",
    "index_changed_tickets",
    "index_document",
    "publish_article",
    "rebuild_index",
    "record_helped",
    "record_solution",
    "record_view",
    "reject_article",
    "remove_attachment",
    "remove_document",
    "remove_link",
    "restore_article",
    "submit_article",
    "transition_article",
    "update_article",
    "update_category",
]
