"""REST API of the cmdb app."""

from rest_framework.routers import DefaultRouter

from itsm.cmdb.api import views

router = DefaultRouter()
router.register("cis", views.ConfigurationItemViewSet, basename="ci")
router.register("classes", views.CIClassViewSet, basename="ci-class")
router.register("attributes", views.AttributeDefinitionViewSet, basename="attribute")
router.register("relation-types", views.RelationTypeViewSet, basename="relation-type")
router.register("relations", views.RelationViewSet, basename="relation")

urlpatterns = router.urls

# --- impact analysis (R-CMDB-04, helper H2): placed before the router's routes ----------------
from django.urls import path  # noqa: E402

from itsm.cmdb.api.impact import CIImpactView  # noqa: E402

urlpatterns = [
    path("cis/<int:pk>/impact/", CIImpactView.as_view(), name="ci-impact"),
    *urlpatterns,
]

# --- configuration audits and CI import (R-CMDB-05, R-CMDB-06, helper H3) ---------------------
from itsm.cmdb.api.audit import urlpatterns as audit_urlpatterns  # noqa: E402

urlpatterns += audit_urlpatterns
