"""Column mapping: file column → CI field or attribute, guessed from English and Chinese
headers, and checked when a client sends its own."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from itsm.cmdb.models import AttributeDefinition, CIClass
from itsm.core.errors import ValidationFailed

FIELDS = (
    "name",
    "class",
    "identifier",
    "status",
    "criticality",
    "customer",
    "supplier",
    "owner",
    "location",
    "description",
)
#: header words recognised for each field (compared case-insensitively, spaces ignored)
HEADER_ALIASES = {
    "name": ("name", "名称", "配置项名称", "ci名称"),
    "class": ("class", "ci_class", "cls", "类别", "类型", "配置项类别", "分类", "classcode"),
    "identifier": ("identifier", "id", "标识", "标识符", "资产标签", "资产编号", "assettag"),
    "status": ("status", "状态"),
    "criticality": ("criticality", "关键性", "重要性", "重要程度", "重要级别"),
    "customer": ("customer", "客户", "客户单位"),
    "supplier": ("supplier", "供应商"),
    "owner": ("owner", "负责人", "所有者", "责任人"),
    "location": ("location", "位置", "地点", "存放位置"),
    "description": ("description", "描述", "说明", "备注"),
}
MAX_LENGTHS = {"name": 200, "identifier": 200, "location": 200}


def _label(target: str) -> str:
    return {
        "name": _("name"),
        "class": _("class"),
        "identifier": _("identifier"),
        "status": _("status"),
        "criticality": _("criticality"),
        "customer": _("customer"),
        "supplier": _("supplier"),
        "owner": _("owner"),
        "location": _("location"),
        "description": _("description"),
    }.get(target, target)


# --- mapping ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return "".join(str(text).split()).casefold()


def _definitions(ci_class: CIClass | None) -> list[AttributeDefinition]:
    queryset = AttributeDefinition.objects.select_related("ci_class").order_by(
        "ci_class__order", "order", "key"
    )
    if ci_class is not None:
        queryset = queryset.filter(ci_class=ci_class)
    return list(queryset)


def mapping_targets(ci_class: CIClass | None = None) -> list[tuple[str, str]]:
    """(value, label) of every mapping target: the CI fields, then ``attributes.<key>``."""
    targets = [(name, str(_label(name))) for name in FIELDS]
    seen: set[str] = set()
    for definition in _definitions(ci_class):
        if definition.key in seen:
            continue
        seen.add(definition.key)
        targets.append(
            (
                f"attributes.{definition.key}",
                _("Attribute: {name} ({key})").format(name=definition.label, key=definition.key),
            )
        )
    return targets


def default_mapping(headers: list[str], ci_class: CIClass | None = None) -> dict[str, str]:
    """Header → target guessed from the header names (unrecognised headers map to "")."""
    aliases: dict[str, str] = {}
    for target, words in HEADER_ALIASES.items():
        for word in words:
            aliases.setdefault(_fold(word), target)
    for target in FIELDS:  # the field labels in both languages
        for language in ("en", "zh-hans"):
            with translation.override(language):
                aliases.setdefault(_fold(_label(target)), target)
    for definition in _definitions(ci_class):
        target = f"attributes.{definition.key}"
        for word in (definition.key, definition.name_en, definition.name_zh, target):
            if word:
                aliases.setdefault(_fold(word), target)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = aliases.get(_fold(header), "")
        if target in used:
            target = ""
        if target:
            used.add(target)
        mapping[header] = target
    return mapping


def check_mapping(mapping: dict, headers: list[str], *, ci_class: CIClass | None) -> dict[str, str]:
    """Validate a mapping from the client; every problem is reported on ``mapping``."""
    if not isinstance(mapping, dict):
        raise ValidationFailed(
            fields={"mapping": [_("Send the mapping as an object: column → field.")]}
        )
    valid = {value for value, _label_text in mapping_targets(ci_class)}
    problems: list[str] = []
    used: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for column, target in mapping.items():
        target = (target or "").strip() if isinstance(target, str) else target
        if column not in headers:
            problems.append(_("The file has no column “{column}”.").format(column=column))
            continue
        if not target:
            cleaned[column] = ""
            continue
        if not isinstance(target, str) or target not in valid:
            problems.append(
                _("Column “{column}”: unknown field “{target}”.").format(
                    column=column, target=target
                )
            )
            continue
        if target in used:
            problems.append(
                _("Columns “{first}” and “{second}” are both mapped to “{target}”.").format(
                    first=used[target], second=column, target=target
                )
            )
            continue
        used[target] = column
        cleaned[column] = target
    if "name" not in used:
        problems.append(_("Map a column to the name."))
    if "class" not in used and ci_class is None:
        problems.append(_("Map a column to the class, or choose one class for the whole file."))
    if problems:
        raise ValidationFailed(_("The column mapping is not valid."), fields={"mapping": problems})
    return cleaned
