"""Demo data of the cmdb app (a step of `itsm demo`; idempotent, through services).

A realistic topology for the three demo customers: business services → applications →
middleware / databases → virtual machines (the customer's) → hosts, storage and network
(shared infrastructure: no customer). Every CI has an ``identifier`` (host names for
machines, ``bs-<customer-code>-<slug>`` for business services) that discovery audits and the
service catalogue's demo match on. Running it again creates nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from itsm.cmdb import services
from itsm.cmdb.models import ConfigurationItem, Relation
from itsm.core.models import Organisation, User

SUPPLIER = "dawn-hardware"

#: shared infrastructure: (identifier, class, name, criticality, location, attributes)
SHARED = [
    (
        "core-sw-01",
        "network_device",
        "核心交换机 01 Core switch 01",
        "critical",
        "IDC-A 机房 R01",
        {
            "device_type": "switch",
            "vendor": "Huawei",
            "model": "CE12808",
            "mgmt_ip": "10.0.0.1",
            "ports": 384,
        },
    ),
    (
        "core-sw-02",
        "network_device",
        "核心交换机 02 Core switch 02",
        "critical",
        "IDC-A 机房 R02",
        {
            "device_type": "switch",
            "vendor": "Huawei",
            "model": "CE12808",
            "mgmt_ip": "10.0.0.2",
            "ports": 384,
        },
    ),
    (
        "fw-01",
        "network_device",
        "边界防火墙 Firewall 01",
        "critical",
        "IDC-A 机房 R01",
        {
            "device_type": "firewall",
            "vendor": "Hillstone",
            "model": "SG-6000-X9180",
            "mgmt_ip": "10.0.0.5",
            "ports": 48,
        },
    ),
    (
        "lb-01",
        "network_device",
        "负载均衡 Load balancer 01",
        "high",
        "IDC-A 机房 R01",
        {
            "device_type": "load_balancer",
            "vendor": "F5",
            "model": "BIG-IP i5800",
            "mgmt_ip": "10.0.0.6",
            "ports": 16,
        },
    ),
    (
        "san-01",
        "storage",
        "集中存储 SAN 01",
        "critical",
        "IDC-A 机房 R03",
        {
            "capacity_tb": 200,
            "raid": "raid6",
            "vendor": "Huawei",
            "model": "OceanStor 5510",
            "mgmt_ip": "10.0.1.10",
            "serial_number": "2102353GTG10P6000011",
        },
    ),
    (
        "nas-01",
        "storage",
        "备份存储 NAS 01",
        "high",
        "IDC-B 灾备机房",
        {
            "capacity_tb": 120.5,
            "raid": "raid6",
            "vendor": "Synology",
            "model": "SA6400",
            "mgmt_ip": "10.8.1.10",
            "serial_number": "SA64-2291-0042",
        },
    ),
    *[
        (
            f"esxi-{n:02d}",
            "server",
            f"虚拟化主机 {n:02d} Virtualisation host {n:02d}",
            "high",
            f"IDC-A 机房 R0{4 + (n - 1) // 3}",
            {
                "cpu_cores": 64,
                "memory_gb": 768,
                "os": "VMware ESXi 8.0",
                "ip": f"10.0.2.{10 + n}",
                "vendor": "Sugon",
                "model": "I620-G40",
                "serial_number": f"SG620-2024-{n:04d}",
                "warranty_until": "2028-06-30",
            },
        )
        for n in range(1, 7)
    ],
    (
        "tape-01",
        "hardware",
        "磁带库 Tape library 01",
        "medium",
        "IDC-B 灾备机房",
        {
            "vendor": "IBM",
            "model": "TS4300",
            "serial_number": "TS43-7781",
            "warranty_until": "2027-03-31",
        },
    ),
    (
        "ups-01",
        "hardware",
        "不间断电源 UPS 01",
        "high",
        "IDC-A 配电室",
        {"vendor": "Vertiv", "model": "Liebert APM 300", "serial_number": "APM300-1192"},
    ),
]

#: shared relations: (source identifier, relation type, target identifier)
SHARED_RELATIONS = [
    *[(f"esxi-{n:02d}", "connected_to", "core-sw-01") for n in range(1, 7)],
    *[(f"esxi-{n:02d}", "connected_to", "core-sw-02") for n in range(1, 7)],
    *[(f"esxi-{n:02d}", "connected_to", "san-01") for n in range(1, 7)],
    ("san-01", "connected_to", "core-sw-01"),
    ("nas-01", "connected_to", "core-sw-02"),
    ("fw-01", "connected_to", "core-sw-01"),
    ("lb-01", "connected_to", "core-sw-01"),
    ("core-sw-02", "connected_to", "core-sw-01"),
    ("core-sw-01", "connected_to", "core-sw-02"),  # a cycle: redundant uplinks
    ("tape-01", "connected_to", "nas-01"),
    ("core-sw-01", "depends_on", "ups-01"),
    ("san-01", "depends_on", "ups-01"),
]


def _vm(identifier, name, host, vcpu, memory, os, ip, status="in_use"):
    return (
        identifier,
        "virtual_machine",
        name,
        "high",
        "",
        {"vcpu": vcpu, "memory_gb": memory, "os": os, "ip": ip},
        status,
        [("runs_on", host)],
    )


#: per customer: (identifier, class, name, criticality, location, attributes, status,
#: [(relation type, target identifier)])
CUSTOMERS = {
    "huaxin-bank": [
        (
            "doc-huaxin-bank-runbook",
            "document",
            "运维手册 Operations runbook",
            "low",
            "",
            {"doc_version": "1.0", "url": "https://docs.example/huaxin-bank/runbook"},
            "in_use",
            [("part_of", "bs-huaxin-bank-core-accounting")],
        ),
        (
            "bs-huaxin-bank-online-banking",
            "business_service",
            "网上银行 Online banking",
            "critical",
            "",
            {"service_hours": "7×24", "users": 1200000},
            "in_use",
            [("uses", "hx-ebank-web"), ("uses", "hx-ebank-api")],
        ),
        (
            "bs-huaxin-bank-core-accounting",
            "business_service",
            "核心账务 Core accounting",
            "critical",
            "",
            {"service_hours": "7×24", "users": 3500},
            "in_use",
            [("uses", "hx-core-banking")],
        ),
        (
            "bs-huaxin-bank-mobile-banking",
            "business_service",
            "手机银行 Mobile banking",
            "high",
            "",
            {"service_hours": "7×24", "users": 2100000},
            "in_use",
            [("uses", "hx-ebank-api")],
        ),
        (
            "hx-ebank-web",
            "application",
            "网银前端 E-banking web",
            "critical",
            "",
            {"version": "5.2.1", "url": "https://ebank.huaxin.example", "language": "Java"},
            "in_use",
            [("runs_on", "hx-web-01"), ("runs_on", "hx-web-02"), ("uses", "hx-ebank-api")],
        ),
        (
            "hx-ebank-api",
            "application",
            "网银后台服务 E-banking API",
            "critical",
            "",
            {"version": "5.2.0", "language": "Java"},
            "in_use",
            [
                ("uses", "hx-tongweb-01"),
                ("uses", "hx-redis-01"),
                ("uses", "hx-mysql-ebank"),
                ("uses", "hx-core-banking"),
            ],
        ),
        (
            "hx-core-banking",
            "application",
            "核心账务系统 Core banking",
            "critical",
            "",
            {"version": "V8.3", "language": "Java"},
            "in_use",
            [("runs_on", "hx-app-01"), ("uses", "hx-oracle-core")],
        ),
        (
            "hx-tongweb-01",
            "middleware",
            "东方通应用服务器 TongWeb",
            "high",
            "",
            {"product": "tongweb", "version": "7.0.4", "port": 8443},
            "in_use",
            [("runs_on", "hx-app-02")],
        ),
        (
            "hx-redis-01",
            "middleware",
            "会话缓存 Redis",
            "high",
            "",
            {"product": "redis", "version": "7.2", "port": 6379},
            "in_use",
            [("runs_on", "hx-app-02")],
        ),
        (
            "hx-mysql-ebank",
            "database",
            "网银数据库 E-banking MySQL",
            "critical",
            "",
            {"engine": "mysql", "version": "8.0.36", "port": 3306, "size_gb": 850},
            "in_use",
            [("runs_on", "hx-db-02"), ("backed_up_by", "nas-01")],
        ),
        (
            "hx-oracle-core",
            "database",
            "核心账务数据库 Core Oracle",
            "critical",
            "",
            {"engine": "oracle", "version": "19c", "port": 1521, "size_gb": 6200},
            "in_use",
            [("runs_on", "hx-db-01"), ("backed_up_by", "nas-01")],
        ),
        _vm("hx-web-01", "网银Web 01", "esxi-01", 8, 16, "Kylin V10", "10.10.1.11"),
        _vm("hx-web-02", "网银Web 02", "esxi-02", 8, 16, "Kylin V10", "10.10.1.12"),
        _vm("hx-app-01", "核心应用 01", "esxi-01", 32, 128, "Kylin V10", "10.10.2.11"),
        _vm("hx-app-02", "中间件 02", "esxi-03", 16, 64, "Kylin V10", "10.10.2.12"),
        _vm("hx-db-01", "核心数据库 01", "esxi-02", 64, 512, "RHEL 8.8", "10.10.3.11"),
        _vm("hx-db-02", "网银数据库 02", "esxi-03", 32, 256, "RHEL 8.8", "10.10.3.12"),
        (
            "hx-app-03",
            "virtual_machine",
            "新核心应用 03 (规划中)",
            "medium",
            "",
            {"vcpu": 32, "memory_gb": 128, "os": "Kylin V10"},
            "planned",
            [],
        ),
        (
            "agr-huaxin-bank-sla",
            "agreement",
            "华信银行服务级别协议 SLA",
            "high",
            "",
            {
                "agreement_number": "SLA-HX-2026-01",
                "agreement_type": "sla",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
            },
            "in_use",
            [
                ("covers", "bs-huaxin-bank-online-banking"),
                ("covers", "bs-huaxin-bank-core-accounting"),
                ("covers", "bs-huaxin-bank-mobile-banking"),
            ],
        ),
    ],
    "city-hospital": [
        (
            "doc-city-hospital-runbook",
            "document",
            "运维手册 Operations runbook",
            "low",
            "",
            {"doc_version": "1.0", "url": "https://docs.example/city-hospital/runbook"},
            "in_use",
            [("part_of", "bs-city-hospital-his")],
        ),
        (
            "bs-city-hospital-his",
            "business_service",
            "HIS 医院信息系统 Hospital information",
            "critical",
            "",
            {"service_hours": "7×24", "users": 2600},
            "in_use",
            [("uses", "ch-his-app"), ("uses", "ch-emr-app")],
        ),
        (
            "bs-city-hospital-pacs",
            "business_service",
            "PACS 影像归档与通信",
            "high",
            "",
            {"service_hours": "7×24", "users": 400},
            "in_use",
            [("uses", "ch-pacs-app")],
        ),
        (
            "ch-his-app",
            "application",
            "HIS 应用 HIS application",
            "critical",
            "",
            {"version": "6.1", "url": "https://his.hospital.example", "language": "C#"},
            "in_use",
            [("runs_on", "ch-his-01"), ("runs_on", "ch-his-02"), ("uses", "ch-his-db")],
        ),
        (
            "ch-emr-app",
            "application",
            "电子病历 EMR",
            "high",
            "",
            {"version": "3.4", "language": "Java"},
            "in_use",
            [("runs_on", "ch-emr-01"), ("uses", "ch-his-db"), ("uses", "ch-nginx-01")],
        ),
        (
            "ch-pacs-app",
            "application",
            "PACS 应用 PACS application",
            "high",
            "",
            {"version": "2024.2", "language": "C++"},
            "in_use",
            [("runs_on", "ch-pacs-01"), ("uses", "ch-pacs-db")],
        ),
        (
            "ch-nginx-01",
            "middleware",
            "反向代理 Nginx",
            "medium",
            "",
            {"product": "nginx", "version": "1.24", "port": 443},
            "in_use",
            [("runs_on", "ch-emr-01")],
        ),
        (
            "ch-his-db",
            "database",
            "HIS 数据库 (SQL Server)",
            "critical",
            "",
            {"engine": "sqlserver", "version": "2019", "port": 1433, "size_gb": 2400},
            "in_use",
            [("runs_on", "ch-db-01"), ("backed_up_by", "nas-01")],
        ),
        (
            "ch-pacs-db",
            "database",
            "PACS 数据库 (人大金仓)",
            "high",
            "",
            {"engine": "kingbase", "version": "V8R6", "port": 54321, "size_gb": 900},
            "in_use",
            [("runs_on", "ch-db-02"), ("backed_up_by", "ch-pacs-store")],
        ),
        (
            "ch-pacs-store",
            "storage",
            "影像存储 PACS storage",
            "high",
            "医院机房 B1",
            {
                "capacity_tb": 480,
                "raid": "raid6",
                "vendor": "Huawei",
                "model": "OceanStor Pacific",
                "mgmt_ip": "10.20.9.10",
            },
            "in_use",
            [("connected_to", "core-sw-02")],
        ),
        _vm("ch-his-01", "HIS 应用 01", "esxi-04", 16, 64, "Windows Server 2019", "10.20.1.11"),
        _vm("ch-his-02", "HIS 应用 02", "esxi-05", 16, 64, "Windows Server 2019", "10.20.1.12"),
        _vm("ch-emr-01", "电子病历 01", "esxi-04", 8, 32, "UOS 20", "10.20.1.21"),
        _vm(
            "ch-pacs-01",
            "PACS 应用 01",
            "esxi-06",
            16,
            64,
            "Windows Server 2019",
            "10.20.2.11",
            status="maintenance",
        ),
        _vm("ch-db-01", "HIS 数据库 01", "esxi-05", 32, 256, "Windows Server 2019", "10.20.3.11"),
        _vm("ch-db-02", "PACS 数据库 02", "esxi-06", 16, 128, "Kylin V10", "10.20.3.12"),
        (
            "agr-city-hospital-sla",
            "agreement",
            "市第一人民医院服务级别协议 SLA",
            "high",
            "",
            {
                "agreement_number": "SLA-CH-2026-01",
                "agreement_type": "sla",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
            },
            "in_use",
            [("covers", "bs-city-hospital-his"), ("covers", "bs-city-hospital-pacs")],
        ),
    ],
    "east-logistics": [
        (
            "doc-east-logistics-runbook",
            "document",
            "运维手册 Operations runbook",
            "low",
            "",
            {"doc_version": "1.0", "url": "https://docs.example/east-logistics/runbook"},
            "in_use",
            [("part_of", "bs-east-logistics-wms")],
        ),
        (
            "bs-east-logistics-wms",
            "business_service",
            "仓储管理 WMS",
            "high",
            "",
            {"service_hours": "06:00–24:00", "users": 900},
            "in_use",
            [("uses", "el-wms-app")],
        ),
        (
            "bs-east-logistics-tms",
            "business_service",
            "运输管理 TMS",
            "high",
            "",
            {"service_hours": "7×24", "users": 1500},
            "in_use",
            [("uses", "el-tms-app")],
        ),
        (
            "el-wms-app",
            "application",
            "仓储管理系统 WMS application",
            "high",
            "",
            {"version": "4.8", "url": "https://wms.eastlog.example", "language": "Java"},
            "in_use",
            [("runs_on", "el-wms-01"), ("uses", "el-mysql-wms"), ("uses", "el-kafka-01")],
        ),
        (
            "el-tms-app",
            "application",
            "运输管理系统 TMS application",
            "high",
            "",
            {"version": "2.3", "url": "https://tms.eastlog.example", "language": "Go"},
            "in_use",
            [("runs_on", "el-tms-01"), ("uses", "el-pg-tms"), ("uses", "el-kafka-01")],
        ),
        (
            "el-kafka-01",
            "middleware",
            "消息队列 Kafka",
            "high",
            "",
            {"product": "kafka", "version": "3.6", "port": 9092},
            "in_use",
            [("runs_on", "el-mq-01")],
        ),
        (
            "el-mysql-wms",
            "database",
            "WMS 数据库 (MySQL)",
            "high",
            "",
            {"engine": "mysql", "version": "8.0.35", "port": 3306, "size_gb": 420},
            "in_use",
            [("runs_on", "el-db-01"), ("backed_up_by", "nas-01")],
        ),
        (
            "el-pg-tms",
            "database",
            "TMS 数据库 (PostgreSQL)",
            "high",
            "",
            {"engine": "postgresql", "version": "16.2", "port": 5432, "size_gb": 310},
            "in_use",
            [("runs_on", "el-db-01"), ("backed_up_by", "nas-01")],
        ),
        _vm("el-wms-01", "WMS 应用 01", "esxi-05", 8, 32, "CentOS Stream 9", "10.30.1.11"),
        _vm("el-tms-01", "TMS 应用 01", "esxi-06", 8, 32, "CentOS Stream 9", "10.30.1.12"),
        _vm("el-mq-01", "消息队列 01", "esxi-04", 8, 32, "CentOS Stream 9", "10.30.2.11"),
        _vm("el-db-01", "数据库 01", "esxi-03", 16, 128, "CentOS Stream 9", "10.30.3.11"),
        (
            "agr-east-logistics-sla",
            "agreement",
            "东方物流服务级别协议 SLA",
            "medium",
            "",
            {
                "agreement_number": "SLA-EL-2026-01",
                "agreement_type": "sla",
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
            },
            "in_use",
            [("covers", "bs-east-logistics-wms"), ("covers", "bs-east-logistics-tms")],
        ),
    ],
}

#: identifiers of the business-service CIs (other apps' demo data link to them)
BUSINESS_SERVICES = [
    row[0] for rows in CUSTOMERS.values() for row in rows if row[1] == "business_service"
]


def load_cmdb() -> int:
    """Create the demo CIs and relations once; return how many rows were created."""
    by = User.objects.filter(username="cmdb").first()
    organisations = {
        o.code: o for o in Organisation.objects.filter(code__in=[*CUSTOMERS, SUPPLIER])
    }
    if set(organisations) != {*CUSTOMERS, SUPPLIER}:
        return 0  # the core demo step creates the organisations first
    supplier = organisations[SUPPLIER]
    existing = dict(
        ConfigurationItem.objects.exclude(identifier="").values_list("identifier", "pk")
    )
    created = 0
    cis: dict[str, ConfigurationItem] = {}
    relations: list[tuple[str, str, str]] = list(SHARED_RELATIONS)
    with transaction.atomic():
        # (customer code, identifier, class, name, criticality, location, attributes, status,
        # relations)
        rows: list[tuple[Any, ...]] = [(None, *row, "in_use", []) for row in SHARED]
        for code, customer_rows in CUSTOMERS.items():
            rows += [(code, *row) for row in customer_rows]
        for (
            code,
            identifier,
            class_code,
            name,
            criticality,
            location,
            attributes,
            status,
            rels,
        ) in rows:
            relations += [(identifier, kind, target) for kind, target in rels]
            if identifier in existing:
                continue
            ci_class = services.get_class(class_code)
            cis[identifier] = services.create_ci(
                name=name,
                ci_class=ci_class,
                by=by,
                customer=organisations[code] if code else None,
                supplier=supplier if ci_class.is_hardware else None,
                owner=by,
                status=status,
                criticality=criticality,
                location=location,
                identifier=identifier,
                attributes=attributes,
                change_reference="CHG-DEMO-0001",
            )
            created += 1
        known = {
            ci.identifier: ci
            for ci in ConfigurationItem.objects.filter(
                identifier__in={i for s, _k, t in relations for i in (s, t)}
            ).select_related("ci_class")
        }
        types = {code: services.get_relation_type(code) for _s, code, _t in relations}
        present = set(
            Relation.objects.filter(source__in=known.values()).values_list(
                "source__identifier", "type__code", "target__identifier"
            )
        )
        for source, kind, target in relations:
            if (source, kind, target) in present:
                continue
            services.create_relation(
                source=known[source],
                target=known[target],
                type=types[kind],
                by=by,
                change_reference="CHG-DEMO-0001",
            )
            present.add((source, kind, target))
            created += 1
    return created
