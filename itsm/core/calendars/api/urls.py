from rest_framework.routers import DefaultRouter

from itsm.core.calendars.api import views

router = DefaultRouter()
router.register("calendars", views.BusinessCalendarViewSet)
router.register("days", views.CalendarDayViewSet)
router.register("years", views.CalendarYearViewSet)

urlpatterns = router.urls
