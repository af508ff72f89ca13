from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "itsm.core.testing.sample"
    label = "sample"
    verbose_name = "Sample (tests only)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Name the status enum in OpenAPI, as every record kind with a status does; done here
        # because this app is installed only in tests.
        from itsm.core.api.schema import name_choice_sets

        name_choice_sets("itsm.core.testing.sample.choices", "SampleStatus")
