"""What the CMDB offers to type-ahead pickers (``core.pickers``)."""

from itsm.cmdb.models import ConfigurationItem
from itsm.core.pickers import register_lookup


def _label(ci: ConfigurationItem) -> str:
    return f"{ci.number} · {ci.name}"


register_lookup(
    "cmdb.ci",
    ConfigurationItem,
    key="number",
    alt_keys=("identifier",),
    search=("number", "name", "identifier"),
    label=_label,
)
register_lookup(
    "cmdb.business_ci",
    ConfigurationItem,
    queryset=lambda: ConfigurationItem.objects.filter(ci_class__is_business_service=True),
    key="number",
    alt_keys=("identifier",),
    search=("number", "name", "identifier"),
    label=_label,
)
