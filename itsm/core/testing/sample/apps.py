from django.apps import AppConfig


class SampleConfig(AppConfig):
    name = "itsm.core.testing.sample"
    label = "sample"
    verbose_name = "Sample (tests only)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Name the status enum in OpenAPI, as every record kind with a status does
        # (settings SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]); done here because this app is
        # installed only in tests.
        from django.conf import settings

        overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
        overrides["SampleStatusEnum"] = "itsm.core.testing.sample.choices.SampleStatus"
