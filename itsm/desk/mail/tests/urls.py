"""The URL tree with the desk e-mail pages and API mounted as ``config/urls.py`` is asked to
mount them (``desk/mail/`` before ``desk/``, ``api/desk/mail/`` before ``api/desk/``), for
the tests until it does."""

from django.urls import URLPattern, include, path

from itsm.config import urls as config_urls

api_patterns = [
    path("desk/mail/", include(("itsm.desk.mail.api.urls", "deskmail-api"))),
    *[p for p in config_urls.api_patterns if "deskmail" not in str(getattr(p, "namespace", ""))],
]


def _kept(pattern) -> bool:
    if isinstance(pattern, URLPattern):
        return True
    return str(pattern.pattern) != "api/" and getattr(pattern, "namespace", "") != "deskmail"


urlpatterns = [
    path("api/", include((api_patterns, "api"))),
    path("desk/mail/", include(("itsm.desk.mail.urls", "deskmail"))),
    *[p for p in config_urls.urlpatterns if _kept(p)],
]
