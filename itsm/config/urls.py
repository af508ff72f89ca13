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
    path("desk/mail/", include(("itsm.desk.mail.api.urls", "deskmail-api"))),
    path("desk/reports/", include(("itsm.desk.reporting.api.urls", "deskreports-api"))),
    path("desk/imports/", include(("itsm.desk.imports.api.urls", "deskimport-api"))),
    path("desk/", include(("itsm.desk.api.urls", "desk-api"))),
    path("knowledge/", include(("itsm.knowledge.api.urls", "knowledge-api"))),
    path("problems/", include(("itsm.problems.api.urls", "problems-api"))),
    path("changes/", include(("itsm.change.api.urls", "change-api"))),
    path("releases/", include(("itsm.releases.api.urls", "releases-api"))),
    path("events/", include(("itsm.events.api.urls", "events-api"))),
    path("availability/", include(("itsm.availability.api.urls", "availability-api"))),
    path("capacity/", include(("itsm.capacity.api.urls", "capacity-api"))),
    path("improvement/", include(("itsm.improvement.api.urls", "improvement-api"))),
    path("objectives/", include(("itsm.objectives.api.urls", "objectives-api"))),
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
    path("desk/mail/", include(("itsm.desk.mail.urls", "deskmail"))),
    path("desk/reports/", include("itsm.desk.reporting.urls")),
    path("desk/imports/", include(("itsm.desk.imports.urls", "deskimport"))),
    path("desk/", include(("itsm.desk.urls", "desk"))),
    path("knowledge/", include(("itsm.knowledge.urls", "knowledge"))),
    path("problems/", include(("itsm.problems.urls", "problems"))),
    path("changes/", include(("itsm.change.urls", "change"))),
    path("releases/", include(("itsm.releases.urls", "releases"))),
    path("events/", include(("itsm.events.urls", "events"))),
    path("availability/", include(("itsm.availability.urls", "availability"))),
    path("capacity/", include(("itsm.capacity.urls", "capacity"))),
    path("improvement/", include(("itsm.improvement.urls", "improvement"))),
    path("objectives/", include(("itsm.objectives.urls", "objectives"))),
    path("kpi/", include(("itsm.kpi.urls", "kpi"))),
    path("", include(("itsm.ui.urls", "ui"))),
]
