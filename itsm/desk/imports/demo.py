"""Demo of historic import: one uploaded ServiceNow event-log export, mapped and dry-run
checked (one bad row listed), not imported — so the import pages have a row without adding
tickets to the demo desk."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation, User
from itsm.desk.imports import services
from itsm.desk.imports.models import TicketImport

DEMO_EXPORT = (
    "number,incident_state,sys_mod_count,opened_at,sys_updated_by,sys_updated_at,priority,"
    "assignment_group,category,made_sla,reassignment_count,reopen_count\n"
    "INC0000101,New,0,3/1/2023 09:12,张伟,3/1/2023 09:12,3 - Moderate,桌面组,硬件,true,0,0\n"
    "INC0000101,Active,1,3/1/2023 09:12,李娜,3/1/2023 09:40,3 - Moderate,桌面组,硬件,true,0,0\n"
    "INC0000101,Resolved,2,3/1/2023 09:12,李娜,3/1/2023 11:05,3 - Moderate,桌面组,硬件,true,0,0\n"
    "INC0000102,New,0,4/1/2023 14:30,王芳,4/1/2023 14:30,2 - High,网络组,网络,false,0,0\n"
    "INC0000102,Active,1,4/1/2023 14:30,王芳,4/1/2023 15:00,2 - High,服务器组,网络,false,1,0\n"
    "INC0000103,-100,0,5/1/2023 08:00,张伟,5/1/2023 08:00,4 - Low,桌面组,软件,true,0,0\n"
)


def load_deskimport() -> int:
    """Upload and check the demo export once; return how many rows were made."""
    if TicketImport.objects.exists():
        return 0
    customer = Organisation.objects.filter(kind=OrganisationKind.CUSTOMER).order_by("code").first()
    if customer is None:
        return 0
    admin = User.objects.filter(username="admin").first()
    ticket_import = services.create_import(
        by=admin,
        upload=DEMO_EXPORT,
        file_name="servicenow-2023.csv",
        source="ServiceNow",
        customer=customer,
    )
    # the check's reasons are kept as written: in the installation's language
    with translation.override(settings.LANGUAGE_CODE):
        services.dry_run(ticket_import, by=admin)
    return 1
