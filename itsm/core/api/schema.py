"""OpenAPI naming helpers shared by the domain apps."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object


def name_choice_sets(module: str, *names: str) -> None:
    """Name the OpenAPI enums of *module*'s choice sets after the classes (``CIStatus`` →
    ``CIStatusEnum``). Several apps have a ``status`` (and a transition ``to``) field, which
    drf-spectacular cannot name on its own; call this from ``AppConfig.ready``."""
    for name in names:
        name_shared_choice_set(f"{name}Enum", f"{module}.{name}")


def name_shared_choice_set(enum_name: str, path: str) -> None:
    """Name the choice set at *path* (``module.ClassName``) *enum_name* in OpenAPI. Use it
    directly for a set whose values several apps share (e.g. open/closed): the generator
    refuses two names for the same set of values."""
    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    overrides.setdefault(enum_name, path)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token itsm_…`` (our knox-based ``TokenAuthentication``)."""

    target_class = "itsm.core.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
