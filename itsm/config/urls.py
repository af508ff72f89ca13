from csp.decorators import csp_update
from django.apps import apps
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_patterns: list[URLPattern | URLResolver] = [
    path("core/", include(("itsm.core.api.urls", "core-api"))),
    path("calendars/", include(("itsm.core.calendars.api.urls", "calendars-api"))),
    path("outbox/", include(("itsm.core.outbox.api.urls", "outbox-api"))),
    path("cmdb/", include(("itsm.cmdb.api.urls", "cmdb-api"))),
    path("catalog/", include(("itsm.catalog.api.urls", "catalog-api"))),
    # the SLA reports (itsm.slm.reporting, a layer above slm and slm.clocks) share slm's paths
    # and namespace, so slm itself never imports them
    path(
        "slm/",
        include(
            (
                [
                    path("reports/", include("itsm.slm.reporting.api.urls")),
                    path("", include("itsm.slm.api.urls")),
                ],
                "slm-api",
            )
        ),
    ),
    path("clocks/", include(("itsm.slm.clocks.api.urls", "clocks-api"))),
    path("kpi/", include(("itsm.kpi.api.urls", "kpi-api"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves Swagger UI's start-up script as a file (no inline script); the
    # page's own inline <style> needs style-src 'unsafe-inline' on this page only
    path(
        "docs/",
        csp_update({"style-src-elem": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
]
if apps.is_installed("itsm.core.testing.sample"):  # test-only app (ITSM_TEST_APPS)
    api_patterns.append(path("sample/", include(("itsm.core.testing.sample.urls", "sample-api"))))

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(("itsm.core.urls_account", "account"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include((api_patterns, "api"))),
    path("core/", include(("itsm.core.urls", "core"))),
    path("calendars/", include(("itsm.core.calendars.urls", "calendars"))),
    path("outbox/", include(("itsm.core.outbox.urls", "outbox"))),
    path("cmdb/", include(("itsm.cmdb.urls", "cmdb"))),
    path("catalog/", include(("itsm.catalog.urls", "catalog"))),
    path(
        "slm/",
        include(
            (
                [
                    path("reports/", include("itsm.slm.reporting.urls")),
                    path("", include("itsm.slm.urls")),
                ],
                "slm",
            )
        ),
    ),
    path("clocks/", include(("itsm.slm.clocks.urls", "clocks"))),
    path("kpi/", include(("itsm.kpi.urls", "kpi"))),
    path("", include(("itsm.ui.urls", "ui"))),
]
