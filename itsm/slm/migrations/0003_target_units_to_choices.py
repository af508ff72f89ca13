"""Map the free-text units of targets to the unit choices, and mark the "other" targets that
reports recognised as achievement targets by their name (达成/满足/achievement, in %) with the
explicit indicator kind ``sla_achievement``.

Response/resolution targets keep the clock engine's reading: hours when the text said hours,
minutes otherwise. Availability is a percentage. For other indicators a text that names no
known unit is kept in the measurement method (nothing is lost) and the unit left empty.
"""

from django.db import migrations

HOURS = {"h", "hr", "hrs", "hour", "hours", "小时", "时"}
MINUTES = {"min", "mins", "minute", "minutes", "m", "分钟", "分"}
PERCENT = {"%", "％", "percent", "pct", "百分比"}
DAYS = {"d", "day", "days", "天", "日", "工作日"}
COUNT = {"count", "times", "number", "no.", "pcs", "次", "个", "件", "次数", "个数"}
SCORE = {"score", "points", "pts", "pt", "分值", "得分"}
OTHER_UNITS = (
    (PERCENT, "percent"),
    (HOURS, "hours"),
    (MINUTES, "minutes"),
    (DAYS, "days"),
    (COUNT, "count"),
    (SCORE, "score"),
)
ACHIEVEMENT_WORDS = ("achievement", "达成", "满足")
BACK = {
    "percent": "%",
    "minutes": "min",
    "hours": "h",
    "days": "d",
    "count": "count",
    "score": "score",
}


def _unit_for(metric: str, text: str) -> tuple[str, str]:
    """``(unit choice, text to keep)`` for a target of *metric* whose unit was *text*."""
    key = (text or "").strip().lower()
    if metric in ("response", "resolution"):
        return ("hours" if key in HOURS else "minutes"), ""
    if metric == "availability":
        return "percent", ""
    if not key:
        return "", ""
    for words, unit in OTHER_UNITS:
        if key in words:
            return unit, ""
    return "", text.strip()


def forwards(apps, schema_editor):
    Target = apps.get_model("slm", "Target")
    for target in Target.objects.all().iterator():
        old_unit = target.unit
        unit, kept = _unit_for(target.metric, old_unit)
        fields = {"unit": unit}
        if kept:
            method = target.measurement_method.rstrip()
            note = f"(unit: {kept})"
            fields["measurement_method"] = f"{method}\n{note}" if method else note
        name = (target.name or "").lower()
        if (
            target.metric == "other"
            and unit == "percent"
            and any(word in name for word in ACHIEVEMENT_WORDS)
        ):
            fields["indicator_kind"] = "sla_achievement"
        if unit != old_unit or len(fields) > 1:
            # a data migration writes the column directly: no service, no history row
            Target.objects.filter(pk=target.pk).update(**fields)

    # past versions show the same choices; a text naming no unit stays as it was recorded
    History = apps.get_model("slm", "HistoricalTarget")
    for row in History.objects.values("metric", "unit").distinct():
        unit, kept = _unit_for(row["metric"], row["unit"])
        if not kept and unit != row["unit"]:
            History.objects.filter(metric=row["metric"], unit=row["unit"]).update(unit=unit)


def backwards(apps, schema_editor):
    for model in ("Target", "HistoricalTarget"):
        rows = apps.get_model("slm", model).objects
        for unit, text in BACK.items():
            rows.filter(unit=unit).update(unit=text)


class Migration(migrations.Migration):
    dependencies = [("slm", "0002_target_unit_and_indicator_kind")]

    operations = [migrations.RunPython(forwards, backwards)]
