"""OpenAPI naming helpers shared by the domain apps."""

from __future__ import annotations

from django.conf import settings


def name_choice_sets(module: str, *names: str) -> None:
    """Name the OpenAPI enums of *module*'s choice sets after the classes (``CIStatus`` →
    ``CIStatusEnum``). Several apps have a ``status`` (and a transition ``to``) field, which
    drf-spectacular cannot name on its own; call this from ``AppConfig.ready``."""
    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    for name in names:
        overrides.setdefault(f"{name}Enum", f"{module}.{name}")
