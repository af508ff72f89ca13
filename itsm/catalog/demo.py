"""Demo data of the catalog app (a step of `itsm demo`; idempotent, through services).

Categories ``01`` 基础设施服务 / ``02`` 应用服务 / ``03`` 终端服务 with sub-categories, the
published services of seed 002's assignment groups (desktop, server, network, database,
application support) with their service items, and one draft. Service codes are
``SVC-<area>-<nn>`` (DSK desktop, SRV server, NET network, DB database, APP application).
When the CMDB demo created business-service CIs (identifier ``bs-<customer code>-…``), the
application-support service is linked to those of its customers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from itsm.catalog import services
from itsm.catalog.choices import ChargingBasis, ServiceMode, ServiceStatus
from itsm.catalog.models import Service, ServiceCategory

ALL_CUSTOMERS = ("huaxin-bank", "city-hospital", "east-logistics")

CATEGORIES = [
    # code, parent code, name, description
    (
        "01",
        None,
        "基础设施服务 (Infrastructure services)",
        "服务器、存储、网络与数据库的运维服务。",
    ),
    ("01.01", "01", "服务器与存储 (Servers and storage)", ""),
    ("01.02", "01", "网络 (Network)", ""),
    ("01.03", "01", "数据库 (Databases)", ""),
    ("02", None, "应用服务 (Application services)", "业务应用系统的支持与维护。"),
    ("02.01", "02", "应用系统支持 (Application support)", ""),
    ("03", None, "终端服务 (End-user services)", "办公终端与外设的支持。"),
    ("03.01", "03", "桌面运维 (Desktop support)", ""),
]

REMOTE, ON_SITE = ServiceMode.REMOTE, ServiceMode.ON_SITE
RESIDENT, MONITORING = ServiceMode.RESIDENT, ServiceMode.MONITORING

SERVICES: list[dict[str, Any]] = [
    {
        "code": "SVC-DSK-01",
        "name": "桌面运维服务 (Desktop support)",
        "category": "03.01",
        "description": "为客户办公终端（台式机、笔记本、打印机及外设）提供远程与上门技术支持，"
        "大型客户可安排驻场工程师。",
        "owner": "agent",
        "modes": [REMOTE, ON_SITE, RESIDENT],
        "hours": "cn-5x8",
        "charging_basis": ChargingBasis.PER_DEVICE,
        "price": Decimal("30.00"),
        "price_note": "每台终端每月",
        "customers": ALL_CUSTOMERS,
        "items": [
            ("DSK-01", "PC 故障维修", "台式机、笔记本硬件与系统故障的诊断和修复。"),
            ("DSK-02", "操作系统与办公软件安装", "标准镜像部署、办公软件安装与授权激活。"),
            ("DSK-03", "打印机及外设支持", "打印机、扫描仪等外设的安装与故障处理。"),
            ("DSK-04", "账号与邮箱配置", "域账号、邮箱客户端与 VPN 的配置。"),
        ],
    },
    {
        "code": "SVC-SRV-01",
        "name": "服务器运维服务 (Server operations)",
        "category": "01.01",
        "description": "对客户数据中心服务器与存储进行 7×24 集中监控、定期巡检、"
        "故障处理与补丁管理。",
        "owner": "engineer",
        "modes": [REMOTE, ON_SITE, MONITORING],
        "hours": "7x24",
        "charging_basis": ChargingBasis.FIXED,
        "price": Decimal("20000.00"),
        "price_note": "每月",
        "customers": ("huaxin-bank", "city-hospital"),
        "items": [
            ("SRV-01", "服务器巡检", "每月巡检硬件状态、容量与日志，出具巡检报告。"),
            ("SRV-02", "服务器故障处理", "硬件与操作系统故障的诊断、修复及备件协调。"),
            ("SRV-03", "补丁与升级", "操作系统补丁与固件升级（经变更审批）。"),
            ("SRV-04", "备份与恢复", "备份作业监控与恢复测试。"),
        ],
    },
    {
        "code": "SVC-NET-01",
        "name": "网络运维服务 (Network operations)",
        "category": "01.02",
        "description": "园区网、广域网及安全设备的集中监控、巡检、故障处理与配置管理。",
        "owner": "cmdb",
        "modes": [REMOTE, ON_SITE, MONITORING],
        "hours": "7x24",
        "charging_basis": ChargingBasis.FIXED,
        "price": Decimal("15000.00"),
        "price_note": "每月",
        "customers": ALL_CUSTOMERS,
        "items": [
            ("NET-01", "网络设备巡检", "交换机、路由器、防火墙的状态与配置巡检。"),
            ("NET-02", "网络故障处理", "链路中断、性能下降等故障的定位与恢复。"),
            ("NET-03", "网络配置变更", "VLAN、路由、访问控制策略的变更实施。"),
        ],
    },
    {
        "code": "SVC-DB-01",
        "name": "数据库运维服务 (Database operations)",
        "category": "01.03",
        "description": "Oracle、MySQL、达梦等数据库的监控、巡检、性能优化与备份恢复。",
        "owner": "engineer",
        "modes": [REMOTE, ON_SITE, MONITORING],
        "hours": "7x24",
        "charging_basis": ChargingBasis.PER_HOUR,
        "price": Decimal("800.00"),
        "price_note": "超出合同包含工时后按小时计费",
        "customers": ("huaxin-bank", "east-logistics"),
        "items": [
            ("DB-01", "数据库巡检与健康检查", "每月健康检查与容量评估。"),
            ("DB-02", "性能优化", "慢 SQL 分析、索引与参数优化。"),
            ("DB-03", "备份恢复演练", "每季度一次恢复演练并出具报告。"),
        ],
    },
    {
        "code": "SVC-APP-01",
        "name": "应用系统支持服务 (Application support)",
        "category": "02.01",
        "description": "业务应用系统的使用咨询、故障处理、版本发布支持，可提供驻场支持。",
        "owner": "slm",
        "modes": [REMOTE, RESIDENT],
        "hours": "cn-5x8",
        "charging_basis": ChargingBasis.INCLUDED,
        "price": None,
        "price_note": "",
        "customers": ("huaxin-bank", "city-hospital"),
        "items": [
            ("APP-01", "应用使用咨询", "业务用户的操作咨询与培训。"),
            ("APP-02", "应用故障处理", "应用报错、功能异常的诊断与恢复。"),
            ("APP-03", "版本发布支持", "配合发布窗口进行部署与验证。"),
        ],
        "link_business_services": True,
    },
    {
        "code": "SVC-DSK-02",
        "name": "移动终端管理服务 (Mobile device management)",
        "category": "03.01",
        "description": "手机与平板的注册、策略下发与远程擦除（草稿，待评审）。",
        "owner": "agent",
        "modes": [REMOTE],
        "hours": "cn-5x8",
        "charging_basis": ChargingBasis.PER_DEVICE,
        "price": Decimal("10.00"),
        "price_note": "每台设备每月",
        "customers": ("east-logistics",),
        "items": [("MDM-01", "设备注册与策略下发", "")],
        "draft": True,
    },
]


def _business_service_cis(customer_codes) -> list:
    from itsm.cmdb.selectors import all_cis

    found: list = []
    for code in customer_codes:
        found.extend(
            all_cis()
            .filter(identifier__startswith=f"bs-{code}-", ci_class__is_business_service=True)
            .order_by("identifier")
        )
    return found


def _field(name, label_zh, label_en, kind, required, choices=()) -> dict:
    return {
        "name": name,
        "label_zh": label_zh,
        "label_en": label_en,
        "type": kind,
        "required": required,
        "choices": list(choices),
    }


#: item code → (order form fields, fulfilment tasks): what customers order from the portal
ORDER_FORMS: dict[str, tuple[list[dict], list[dict]]] = {
    "DSK-02": (
        [
            _field("asset", "资产编号", "Asset number", "text", True),
            _field(
                "os", "操作系统", "Operating system", "choice", True, ("Windows 11", "统信 UOS")
            ),
            _field("software", "需要的软件", "Software needed", "textarea", False),
            _field("needed_by", "期望完成日期", "Needed by", "date", False),
        ],
        [
            {"title": "确认授权与镜像 (Check licences and image)", "group": "desktop"},
            {"title": "安装并验证 (Install and verify)", "group": "desktop"},
            {"title": "与用户确认 (Confirm with the user)", "group": ""},
        ],
    ),
    "DSK-04": (
        [
            _field("account", "账号", "Account name", "text", True),
            _field("vpn", "需要 VPN", "Needs VPN", "yesno", True),
        ],
        [
            {"title": "创建域账号与邮箱 (Create the account and mailbox)", "group": "desktop"},
            {"title": "配置客户端 (Set up the clients)", "group": "desktop"},
        ],
    ),
    "SRV-04": (
        [
            _field("server", "服务器名", "Server name", "text", True),
            _field("restore_point", "恢复时间点", "Restore point", "date", True),
            _field("size_gb", "数据量 (GB)", "Data size (GB)", "number", False),
        ],
        [
            {"title": "恢复数据 (Restore the data)", "group": "server"},
            {"title": "校验恢复结果 (Verify the restore)", "group": "server"},
        ],
    ),
}


def _order_forms(by) -> int:
    """Give the demo's orderable items their order form and tasks (once: an item that has a
    form keeps it)."""
    from itsm.catalog.models import ServiceItem
    from itsm.core.models import Team

    codes = {task["group"] for _, tasks in ORDER_FORMS.values() for task in tasks} - {""}
    if Team.objects.filter(code__in=codes).count() < len(codes):
        return 0  # the core demo's groups are missing
    changed = 0
    items = ServiceItem.objects.filter(code__in=ORDER_FORMS, form_fields=[]).select_related(
        "service"
    )
    for item in items:
        if item.service.status == ServiceStatus.RETIRED:
            continue
        fields, tasks = ORDER_FORMS[item.code]
        services.update_item(item, by=by, form_fields=fields, fulfilment_tasks=tasks)
        changed += 1
    return changed


def load_catalog() -> int:
    """Create the demo catalogue once; return how many records were created."""
    from itsm.core.calendars.models import BusinessCalendar
    from itsm.core.models import Organisation, User

    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["slm", "maintainer", "agent", "engineer", "cmdb", "admin"]
        )
    }
    approver = users.get("slm") or users.get("admin")
    # four eyes: the maintainer drafts and submits, the service level manager publishes
    drafter = users.get("maintainer") or approver
    calendars = {c.code: c for c in BusinessCalendar.objects.filter(code__in=["7x24", "cn-5x8"])}
    customers = {o.code: o for o in Organisation.objects.filter(code__in=ALL_CUSTOMERS)}
    if approver is None or len(customers) < len(ALL_CUSTOMERS):
        return 0  # the core demo did not run
    created = 0
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    for code, parent_code, name, description in CATEGORIES:
        if code in categories:
            continue
        categories[code] = services.create_category(
            code=code,
            name=name,
            parent=categories[parent_code] if parent_code else None,
            description=description,
            by=approver,
        )
        created += 1
    for spec in SERVICES:
        existing = Service.objects.filter(code=spec["code"]).first()
        if existing is not None:
            _link_business_services(existing, spec, approver)
            continue
        service = services.create_service(
            code=spec["code"],
            name=spec["name"],
            category=categories[spec["category"]],
            description=spec["description"],
            owner=users.get(spec["owner"]) or approver,
            modes=spec["modes"],
            service_hours=calendars.get(spec["hours"]),
            charging_basis=spec["charging_basis"],
            price=spec["price"],
            price_note=spec["price_note"],
            customers=[customers[c] for c in spec["customers"]],
            by=drafter,
        )
        created += 1
        for order, (item_code, item_name, item_description) in enumerate(spec["items"], 1):
            services.add_item(
                service=service,
                code=item_code,
                name=item_name,
                description=item_description,
                order=order * 10,
                by=drafter,
            )
            created += 1
        _link_business_services(service, spec, approver)
        if not spec.get("draft") and service.service_hours is not None:
            # without a second person (no maintainer), the system submits
            services.submit_service(service, by=drafter if drafter != approver else None)
            services.publish_service(service, by=approver, note="演示数据 (demo data)")
    _order_forms(drafter)  # updates of items, not new records
    return created


def _link_business_services(service: Service, spec: dict, by) -> None:
    if not spec.get("link_business_services") or service.status == ServiceStatus.RETIRED:
        return
    if service.linked_cis.exists():
        return
    cis = _business_service_cis(spec["customers"])
    if cis:
        services.update_service(
            service,
            by=by,
            linked_cis=cis,
            note="CMDB 业务服务关联 (business services linked from the CMDB)",
        )
