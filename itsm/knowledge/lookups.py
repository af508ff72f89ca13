"""What the knowledge base offers to type-ahead pickers (``core.pickers``)."""

from itsm.core.pickers import register_lookup
from itsm.knowledge.models import Article

register_lookup(
    "knowledge.article",
    Article,
    key="number",
    search=("number", "title"),
    label=lambda article: f"{article.number} · {article.title}",
)
