"""HTML pages of the cmdb app."""

from django.urls import path

from itsm.cmdb import lists, views

urlpatterns: list = [
    path("", lists.CIList.as_view(), name="ci_list"),
    path("cis/new/", views.ci_create, name="ci_create"),
    path("cis/<int:pk>/", views.ci_detail, name="ci_detail"),
    path("cis/<int:pk>/edit/", views.ci_edit, name="ci_edit"),
    path("cis/<int:pk>/transition/", views.ci_transition, name="ci_transition"),
    path("cis/<int:pk>/as-of/", views.ci_as_of, name="ci_as_of"),
    path("cis/<int:pk>/relations/", views.relation_add, name="relation_add"),
    path(
        "cis/<int:pk>/relations/<int:relation_pk>/remove/",
        views.relation_remove,
        name="relation_remove",
    ),
    path("classes/", lists.CIClassList.as_view(), name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("attributes/<int:pk>/edit/", views.attribute_edit, name="attribute_edit"),
    path("attributes/<int:pk>/delete/", views.attribute_delete, name="attribute_delete"),
    path("relation-types/", lists.RelationTypeList.as_view(), name="relation_type_list"),
    path("relation-types/new/", views.relation_type_create, name="relation_type_create"),
    path("relation-types/<int:pk>/edit/", views.relation_type_edit, name="relation_type_edit"),
]

# --- impact analysis (R-CMDB-04, helper H2) ---------------------------------------------------
from itsm.cmdb import views_impact  # noqa: E402

urlpatterns += [path("cis/<int:pk>/impact/", views_impact.ci_impact, name="impact")]

# --- configuration audits and CI import (R-CMDB-05, R-CMDB-06, helper H3) ---------------------
from itsm.cmdb import views_audit  # noqa: E402

urlpatterns += [
    path("audits/", lists.AuditList.as_view(), name="audit_list"),
    path("audits/new/", views_audit.audit_create, name="audit_create"),
    path("audits/<int:pk>/", views_audit.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/decide/", views_audit.audit_decide, name="audit_decide"),
    path("audits/<int:pk>/close/", views_audit.audit_close, name="audit_close"),
    path("import/", views_audit.import_upload, name="import"),
    path("import/map/", views_audit.import_map, name="import_map"),
]
