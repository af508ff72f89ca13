"""The only writers of service level management records (R-SLM-01/02/03/07/08, R-REQ).

Agreements (SLA / OLA / UC) with their parties, services, targets and underpinning links;
once signed, every content change needs the reference of the change that authorised it
(``change_reference``) and is written to the field history and the timeline with it.
Signing creates the agreement's configuration item (class ``agreement``) that ``covers`` the
business-service CIs of its services. ``check_underpinning`` compares OLA/UC targets with the
SLAs they support; ``generate_review_schedule`` plans the review meetings of seed 003 §5.2.

Import the module by responsibility (there is no re-export here)::

    from itsm.slm.services import agreements, requirements, reviews

- ``agreements``: agreements, their targets and underpinning links, signing and expiry;
- ``requirements``: service level requirements and their review;
- ``reviews``: the review schedule, review meetings and their action items.
"""
