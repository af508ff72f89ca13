"""What problem management offers to type-ahead pickers (``core.pickers``): problems and known
errors by number or title (provider staff only: the policy's ``view``)."""

from itsm.core.pickers import register_lookup
from itsm.problems.models import KnownError, Problem

register_lookup(
    "problems.problem",
    Problem,
    key="number",
    search=("number", "title"),
    order_by=("-id",),
    label=lambda problem: f"{problem.number} · {problem.title}",
)
register_lookup(
    "problems.known_error",
    KnownError,
    key="number",
    search=("number", "title"),
    order_by=("-id",),
    label=lambda known_error: f"{known_error.number} · {known_error.title}",
)
