from itsm.core.testing.sample.api import urlpatterns

__all__ = ["urlpatterns"]
