"""Built-in CI classes (with their typed attributes) and relation types (R-CMDB-01, -03).

Administrators may add classes, attributes and relation types later without a code change;
these are the ones every installation (and every test database) starts with. Reversible:
going back removes exactly the built-in rows.
"""

from django.db import migrations

#: (code, name_zh, name_en, icon, flags, order, attributes)
#: attribute: (key, name_zh, name_en, type, options)
CLASSES = [
    (
        "business_service",
        "业务服务",
        "Business service",
        "briefcase",
        {"is_business_service": True},
        10,
        [
            ("service_hours", "服务时间", "Service hours", "string", {}),
            ("users", "用户数", "Number of users", "integer", {"min_value": 0}),
        ],
    ),
    (
        "application",
        "应用系统",
        "Application",
        "list-details",
        {},
        20,
        [
            ("version", "版本", "Version", "string", {}),
            ("url", "访问地址", "URL", "url", {}),
            ("language", "开发语言", "Programming language", "string", {}),
        ],
    ),
    (
        "middleware",
        "中间件",
        "Middleware",
        "topology-star",
        {},
        30,
        [
            (
                "product",
                "产品",
                "Product",
                "choice",
                {
                    "choices": [
                        "tomcat",
                        "weblogic",
                        "websphere",
                        "nginx",
                        "redis",
                        "kafka",
                        "rabbitmq",
                        "tongweb",
                        "other",
                    ]
                },
            ),
            ("version", "版本", "Version", "string", {}),
            ("port", "端口", "Port", "integer", {"min_value": 1, "max_value": 65535}),
        ],
    ),
    (
        "database",
        "数据库",
        "Database",
        "topology-star",
        {},
        40,
        [
            (
                "engine",
                "数据库类型",
                "Engine",
                "choice",
                {
                    "required": True,
                    "choices": ["oracle", "mysql", "postgresql", "sqlserver", "dm", "kingbase"],
                },
            ),
            ("version", "版本", "Version", "string", {}),
            ("port", "端口", "Port", "integer", {"min_value": 1, "max_value": 65535}),
            ("size_gb", "数据量", "Size", "decimal", {"min_value": 0, "unit": "GB"}),
        ],
    ),
    (
        "virtual_machine",
        "虚拟机",
        "Virtual machine",
        "topology-star",
        {},
        50,
        [
            ("vcpu", "虚拟CPU", "vCPUs", "integer", {"min_value": 1, "max_value": 1024}),
            ("memory_gb", "内存", "Memory", "integer", {"min_value": 1, "unit": "GB"}),
            ("os", "操作系统", "Operating system", "string", {}),
            ("ip", "IP地址", "IP address", "ip", {}),
        ],
    ),
    (
        "server",
        "服务器",
        "Server",
        "building",
        {"is_hardware": True},
        60,
        [
            ("cpu_cores", "CPU核数", "CPU cores", "integer", {"min_value": 1, "max_value": 4096}),
            ("memory_gb", "内存", "Memory", "integer", {"min_value": 1, "unit": "GB"}),
            ("os", "操作系统", "Operating system", "string", {}),
            ("ip", "管理IP", "IP address", "ip", {}),
            ("vendor", "厂商", "Vendor", "string", {}),
            ("model", "型号", "Model", "string", {}),
            ("serial_number", "序列号", "Serial number", "string", {}),
            ("warranty_until", "保修截止", "Warranty until", "date", {}),
        ],
    ),
    (
        "storage",
        "存储",
        "Storage",
        "building",
        {"is_hardware": True},
        70,
        [
            ("capacity_tb", "容量", "Capacity", "decimal", {"min_value": 0, "unit": "TB"}),
            (
                "raid",
                "RAID级别",
                "RAID level",
                "choice",
                {"choices": ["raid0", "raid1", "raid5", "raid6", "raid10"]},
            ),
            ("vendor", "厂商", "Vendor", "string", {}),
            ("model", "型号", "Model", "string", {}),
            ("mgmt_ip", "管理IP", "Management IP", "ip", {}),
            ("serial_number", "序列号", "Serial number", "string", {}),
        ],
    ),
    (
        "network_device",
        "网络设备",
        "Network device",
        "world",
        {"is_hardware": True},
        80,
        [
            (
                "device_type",
                "设备类型",
                "Device type",
                "choice",
                {"choices": ["switch", "router", "firewall", "load_balancer", "wireless"]},
            ),
            ("vendor", "厂商", "Vendor", "string", {}),
            ("model", "型号", "Model", "string", {}),
            ("mgmt_ip", "管理IP", "Management IP", "ip", {}),
            ("ports", "端口数", "Ports", "integer", {"min_value": 0, "max_value": 10000}),
            ("serial_number", "序列号", "Serial number", "string", {}),
        ],
    ),
    (
        "hardware",
        "硬件",
        "Hardware",
        "building",
        {"is_hardware": True},
        90,
        [
            ("vendor", "厂商", "Vendor", "string", {}),
            ("model", "型号", "Model", "string", {}),
            ("serial_number", "序列号", "Serial number", "string", {}),
            ("warranty_until", "保修截止", "Warranty until", "date", {}),
        ],
    ),
    (
        "document",
        "文档",
        "Document",
        "file-certificate",
        {},
        100,
        [
            ("doc_version", "文档版本", "Document version", "string", {}),
            ("url", "链接", "Link", "url", {}),
        ],
    ),
    (
        "agreement",
        "协议/合同",
        "Agreement",
        "file-certificate",
        {"is_agreement": True},
        110,
        [
            ("agreement_number", "协议编号", "Agreement number", "string", {}),
            (
                "agreement_type",
                "协议类型",
                "Agreement type",
                "choice",
                {"choices": ["sla", "ola", "uc"]},
            ),
            ("valid_from", "生效日期", "Valid from", "date", {}),
            ("valid_to", "到期日期", "Valid to", "date", {}),
        ],
    ),
]

HOSTS = ["server", "virtual_machine"]
INFRA = ["server", "virtual_machine", "storage", "network_device", "hardware"]
SOFTWARE = ["application", "middleware", "database"]

#: (code, name_zh, name_en, reverse_zh, reverse_en, source classes, target classes)
RELATION_TYPES = [
    (
        "runs_on",
        "运行于",
        "runs on",
        "承载",
        "hosts",
        [*SOFTWARE, "virtual_machine"],
        HOSTS,
    ),
    ("depends_on", "依赖", "depends on", "被依赖", "is needed by", [], []),
    (
        "connected_to",
        "连接到",
        "connected to",
        "连接自",
        "is connected from",
        INFRA,
        INFRA,
    ),
    ("part_of", "属于", "part of", "包含", "contains", [], []),
    (
        "uses",
        "使用",
        "uses",
        "被使用",
        "is used by",
        ["business_service", "application"],
        [*SOFTWARE, "business_service"],
    ),
    (
        "backed_up_by",
        "备份于",
        "backed up by",
        "备份",
        "backs up",
        [*SOFTWARE, *HOSTS],
        ["storage", *HOSTS],
    ),
    ("covers", "覆盖", "covers", "被覆盖", "is covered by", ["agreement"], ["business_service"]),
]


def create_builtins(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    AttributeDefinition = apps.get_model("cmdb", "AttributeDefinition")
    RelationType = apps.get_model("cmdb", "RelationType")
    classes = {}
    for code, name_zh, name_en, icon, flags, order, attributes in CLASSES:
        ci_class, _ = CIClass.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "icon": icon,
                "order": order,
                "is_builtin": True,
                "is_hardware": flags.get("is_hardware", False),
                "is_business_service": flags.get("is_business_service", False),
                "is_agreement": flags.get("is_agreement", False),
            },
        )
        classes[code] = ci_class
        for position, (key, a_zh, a_en, kind, options) in enumerate(attributes, start=1):
            AttributeDefinition.objects.update_or_create(
                ci_class=ci_class,
                key=key,
                defaults={
                    "name_zh": a_zh,
                    "name_en": a_en,
                    "type": kind,
                    "order": position * 10,
                    "required": options.get("required", False),
                    "choices": options.get("choices", []),
                    "unit": options.get("unit", ""),
                    "min_value": options.get("min_value"),
                    "max_value": options.get("max_value"),
                },
            )
    for code, name_zh, name_en, reverse_zh, reverse_en, sources, targets in RELATION_TYPES:
        relation_type, _ = RelationType.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "reverse_zh": reverse_zh,
                "reverse_en": reverse_en,
                "is_builtin": True,
            },
        )
        relation_type.source_classes.set([classes[c] for c in sources])
        relation_type.target_classes.set([classes[c] for c in targets])


def remove_builtins(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    RelationType = apps.get_model("cmdb", "RelationType")
    RelationType.objects.filter(
        is_builtin=True, code__in=[row[0] for row in RELATION_TYPES]
    ).delete()
    CIClass.objects.filter(is_builtin=True, code__in=[row[0] for row in CLASSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0001_initial")]

    operations = [migrations.RunPython(create_builtins, remove_builtins)]
