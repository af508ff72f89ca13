from django.utils import translation

from itsm.core.testing.sample.models import SampleTicket
from itsm.core.timeline import verb_label


def test_transition_verbs_take_the_state_machines_label():
    with translation.override("en"):
        assert verb_label("start", SampleTicket) == "Start"
        assert verb_label("resolve", SampleTicket) == "Resolve"


def test_registered_and_unknown_verbs():
    with translation.override("en"):
        assert verb_label("relation_added") == "Relation added"  # registered by the CMDB app
        assert verb_label("created") == "Created"
        assert verb_label("something_else") == "something else"
