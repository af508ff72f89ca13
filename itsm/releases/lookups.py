"""What release management offers to type-ahead pickers (``core.pickers``)."""

from itsm.core.pickers import register_lookup
from itsm.releases.models import Release

register_lookup(
    "releases.release",
    Release,
    key="number",
    search=("number", "title"),
    label=lambda release: f"{release.number} · {release.title}",
)
