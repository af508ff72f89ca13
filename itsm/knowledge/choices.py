"""Choices of the knowledge base (R-KB): an article's lifecycle with its transition map, its
visibility, the kinds of records an article links to, the kinds of usage counted and the
kinds of documents the one search index holds."""

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, Role, with_colours
from itsm.core.statemachine import StateMachine, Transition

#: who writes articles: the provider's practitioners (agents, engineers and the process
#: managers write what they learn); management and CAB members read
KNOWLEDGE_WRITERS = frozenset(
    {
        Role.SERVICE_DESK.value,
        Role.ENGINEER_L1.value,
        Role.ENGINEER_L2.value,
        Role.GROUP_LEADER.value,
        Role.PROCESS_OWNER.value,
        Role.PROBLEM_MANAGER.value,
        Role.CHANGE_MANAGER.value,
        Role.CONFIGURATION_MANAGER.value,
        Role.RELEASE_MANAGER.value,
        Role.SECURITY_MANAGER.value,
        Role.SERVICE_LEVEL_MANAGER.value,
        Role.QUALITY_MANAGER.value,
    }
)
#: who reviews (publishes, returns, archives) articles: a second pair of eyes of the provider
KNOWLEDGE_REVIEWERS = frozenset(
    {
        Role.GROUP_LEADER.value,
        Role.PROCESS_OWNER.value,
        Role.PROBLEM_MANAGER.value,
        Role.QUALITY_MANAGER.value,
    }
)

#: prefix of article numbers (``KB-000123``)
NUMBER_PREFIX = "KB"


class ArticleStatus(ChoiceSet):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


with_colours(
    ArticleStatus,
    {"draft": "secondary", "review": "yellow", "published": "green", "archived": "dark"},
)

ARTICLE_MACHINE = StateMachine(
    field="status",
    initial=ArticleStatus.DRAFT,
    transitions=[
        Transition(
            ArticleStatus.DRAFT,
            ArticleStatus.REVIEW,
            "submit",
            _("Submit for review"),
            roles=KNOWLEDGE_WRITERS,
        ),
        Transition(
            ArticleStatus.REVIEW,
            ArticleStatus.DRAFT,
            "reject",
            _("Return to draft"),
            roles=KNOWLEDGE_REVIEWERS,
        ),
        Transition(
            ArticleStatus.REVIEW,
            ArticleStatus.PUBLISHED,
            "publish",
            _("Publish"),
            roles=KNOWLEDGE_REVIEWERS,
        ),
        Transition(
            ArticleStatus.PUBLISHED,
            ArticleStatus.ARCHIVED,
            "archive",
            _("Archive"),
            roles=KNOWLEDGE_REVIEWERS,
            confirm=_(
                "The article leaves the knowledge base: nobody finds it in the search or the "
                "suggestions any more, and customers no longer see it."
            ),
        ),
        Transition(
            ArticleStatus.ARCHIVED,
            ArticleStatus.DRAFT,
            "restore",
            _("Restore as draft"),
            roles=KNOWLEDGE_REVIEWERS,
        ),
    ],
)


class Visibility(ChoiceSet):
    INTERNAL = "internal", _("Internal (provider staff)")
    CUSTOMERS = "customers", _("Customers")


with_colours(Visibility, {"internal": "secondary", "customers": "blue"})


class LinkKind(ChoiceSet):
    """What an article links to (R-KB: incidents, problems, known errors, CIs, services)."""

    TICKET = "ticket", _("Ticket")
    PROBLEM = "problem", _("Problem")
    KNOWN_ERROR = "known_error", _("Known error")
    CI = "ci", _("Configuration item")
    SERVICE = "service", _("Service")


class UsageKind(ChoiceSet):
    """What is counted of an article's use."""

    VIEW = "view", _("Viewed")
    HELPED = "helped", _("This helped")
    RESOLUTION = "resolution", _("Solved a ticket")


with_colours(UsageKind, {"view": "secondary", "helped": "green", "resolution": "blue"})


class DocumentKind(ChoiceSet):
    """The kinds of records the one search index holds."""

    ARTICLE = "article", _("Article")
    KNOWN_ERROR = "known_error", _("Known error")
    PROBLEM = "problem", _("Problem")
    TICKET = "ticket", _("Ticket")


with_colours(
    DocumentKind,
    {"article": "green", "known_error": "orange", "problem": "red", "ticket": "blue"},
)

#: labels of the knowledge base's timeline verbs (``core.timeline.register_verb_labels``)
VERB_LABELS = {
    "attachment_added": _("Attachment added"),
    "attachment_removed": _("Attachment removed"),
    "link_added": _("Link added"),
    "link_removed": _("Link removed"),
    "helped": _("Marked as helpful"),
    "solved_ticket": _("Solved a ticket"),
}
