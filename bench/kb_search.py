"""Knowledge search at 100 000 articles of mixed Chinese/English text (issue 14).

Run::

    .venv/bin/python bench/kb_search.py --engine sqlite [--articles 100000] [--samples 50]
    .venv/bin/python bench/kb_search.py --engine postgres [--reuse --keep]

The database is created (``bench/harness.py`` options), migrated and filled with
``--articles`` search documents of kind ``article``, generated from a vocabulary of IT words
(Chinese words written without spaces, English words and product names between them, error
codes), tokenised by the product's segmenter (``knowledge.search.segment``) and inserted in
bulk (the engines' full-text structures are kept by the migration's triggers / generated
column). A fifth of the articles are internal, a fifth for one customer, the rest for every
customer.

Fifty queries have **planted answers**: words that the generator never writes (two-, three-
and four-character Chinese words, mixed queries such as ``Oracle 表空间``, English phrases
and error codes), planted in the title or the text of 1–4 articles each. Recall is the share
of planted articles among each query's first 20 hits (``knowledge.selectors.search``:
segmentation, tenancy, ranking, highlighting); every hit is also checked against the text
(all of the query's words are in it).

Timing: ``harness.measure`` interleaves, sample by sample, the product's call (provider staff,
and a customer user through ``restrict()``) with the raw index query alone (FTS5 ``MATCH …
ORDER BY bm25`` / ``search @@ tsquery ORDER BY ts_rank``, no tenancy, ids only); each sample is
the next of the 50 queries. Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

ZH_COMMON = (
    "服务器 数据库 网络 用户 系统 登录 密码 配置 故障 连接 无法 错误 更新 安装 重启 检查 日志 "
    "磁盘 内存 文件 权限 账号 邮件 客户端 浏览器 证书 备份 恢复 监控 告警 性能 延迟 超时 接口 "
    "应用 版本 补丁 驱动 设备 存储 虚拟机 集群 节点 端口 地址 域名 路由 交换机 防病毒 办公 "
    "终端 显示器 键盘 鼠标 电源 机房 空调 流程 审批 工单 处理 解决 原因 步骤 方法 建议 注意 "
    "操作 管理员 运维 部门 领导 同事 报表 导出 导入 打开 关闭 删除 创建 修改 查询 统计 分析 "
    "升级 回滚 测试 生产 环境 迁移 同步 异步 队列 线程 进程 缓存 负载 带宽 丢包 信号 无线 "
    "共享 目录 策略 组织 客户 合同 服务 请求 变更 发布 问题 事件 知识"
).split()
EN_COMMON = (
    "server database network user login password config error update install restart log "
    "disk memory file permission account mail client browser certificate backup restore "
    "monitor alert performance latency timeout interface application version patch driver "
    "device storage cluster node port address domain route switch office terminal power "
    "process approval ticket solution cause step method check open close delete create "
    "query report export import upgrade rollback test production migration sync queue cache"
).split()
PRODUCTS = (
    "Windows Linux Oracle MySQL PostgreSQL Exchange Outlook VMware Citrix SAP Nginx Tomcat "
    "Redis Kafka Docker Kubernetes Cisco Huawei H3C Office365 WPS DingTalk WeCom Jenkins"
).split()

#: planted words: never written by the generator (checked), each query's answers hold them
PLANTED = [
    # two-character Chinese words
    ("蓝屏", "two"),
    ("卡纸", "two"),
    ("宕机", "two"),
    ("断网", "two"),
    ("乱码", "two"),
    ("闪退", "two"),
    ("黑屏", "two"),
    ("掉线", "two"),
    ("死锁", "two"),
    ("漫游", "two"),
    # three-character Chinese words
    ("表空间", "three"),
    ("防火墙", "three"),
    ("打印机", "three"),
    ("扫描仪", "three"),
    ("投影仪", "three"),
    ("堡垒机", "three"),
    ("中间件", "three"),
    ("负载器", "three"),
    ("跳板机", "three"),
    ("域控器", "three"),
    # four-character Chinese words
    ("域控制器", "four"),
    ("负载均衡", "four"),
    ("硬盘坏道", "four"),
    ("单点登录", "four"),
    ("双机热备", "four"),
    ("异地容灾", "four"),
    ("数据脱敏", "four"),
    ("主从切换", "four"),
    ("灰度发布", "four"),
    ("容量规划", "four"),
    # mixed: a common product and a planted Chinese word
    ("Oracle 表空间", "mixed"),
    ("Exchange 收件箱", "mixed"),
    ("VMware 快照链", "mixed"),
    ("Cisco 环路", "mixed"),
    ("Windows 激活码", "mixed"),
    ("MySQL 主键冲突", "mixed"),
    ("Kafka 积压", "mixed"),
    ("Nginx 反代", "mixed"),
    ("SAP 凭证号", "mixed"),
    ("Redis 雪崩", "mixed"),
    # English phrases and error codes
    ("ORA-01653", "code"),
    ("0x80070005", "code"),
    ("KB5034441", "code"),
    ("ERR_CONNECTION_RESET", "code"),
    ("E-40417", "code"),
    ("HTTP-503", "code"),
    ("tablespace exhausted", "english"),
    ("deadlock victim", "english"),
    ("kerberos skew", "english"),
    ("spooler crash", "english"),
]


def _is_han(word: str) -> bool:
    return "\u4e00" <= word[0] <= "\u9fff"


def _code(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"ORA-{rng.randrange(10000, 99999)}"
    if kind == 1:
        return f"0x8{rng.randrange(16**7):07X}"
    if kind == 2:
        return f"E{rng.randrange(100, 9999)}"
    return f"KB{rng.randrange(1000000, 5999999)}"


def _sentence(rng: random.Random, words: int) -> str:
    parts: list[str] = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.62:
            parts.append(rng.choice(ZH_COMMON))
        elif roll < 0.85:
            parts.append(f" {rng.choice(EN_COMMON)} ")
        elif roll < 0.95:
            parts.append(f" {rng.choice(PRODUCTS)} ")
        else:
            parts.append(f" {_code(rng)} ")
    text = "".join(parts)
    return " ".join(text.split())


def generate(n: int, rng: random.Random) -> tuple[list[tuple[str, str]], dict[int, list[int]]]:
    """*n* (title, body) pairs and, per planted query index, the article indexes holding it."""
    articles = [
        (_sentence(rng, rng.randint(4, 8)), _sentence(rng, rng.randint(40, 90))) for _ in range(n)
    ]
    planted: dict[int, list[int]] = {}
    for index, (phrase, _kind) in enumerate(PLANTED):
        targets = rng.sample(range(n), rng.randint(1, 4))
        planted[index] = targets
        for position, target in enumerate(targets):
            title, body = articles[target]
            words = phrase.split()
            if position % 2 == 0:  # in the title
                title = title + "".join(w if _is_han(w) else f" {w} " for w in words)
            else:  # in the text, the words apart
                cut = len(body) // 2
                body = f"{body[:cut]} {words[0]} {body[cut:]} {' '.join(words[1:])}"
            articles[target] = (" ".join(title.split()), body)
    return articles, planted


def _load(articles, customer_id: int) -> float:
    from django.db import transaction
    from django.utils import timezone

    from itsm.knowledge.audience import audience_of
    from itsm.knowledge.models import SearchDocument
    from itsm.knowledge.services.index import _document

    began = time.perf_counter()
    now = timezone.now()
    batch: list = []
    for index, (title, body) in enumerate(articles, start=1):
        share = index % 5
        audience = audience_of(
            customer_visible=share != 0,
            organisation_ids=[customer_id] if share == 1 else None,
        )
        batch.append(
            _document(
                kind="article",
                key=index,
                number=f"KB-{index:06d}",
                title=title,
                body=body,
                audience=audience,
                customer_id=None,
                state="published",
                updated_at=now,
            )
        )
        if len(batch) == 2000:
            with transaction.atomic():
                SearchDocument.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            SearchDocument.objects.bulk_create(batch)
    return round(time.perf_counter() - began, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    harness.add_database_options(parser, default_name="itsm_bench_kb", default_engine="sqlite")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50, help="queries per case and repeat")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="reuse a loaded database")
    args = parser.parse_args()
    harness.use_database(args, fresh=not args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import itsm
    from itsm.core import services as core_services
    from itsm.core.choices import OrganisationKind, Role
    from itsm.core.models import Organisation, User
    from itsm.knowledge import selectors
    from itsm.knowledge.models import SearchDocument
    from itsm.knowledge.search.query import raw_match_sql
    from itsm.knowledge.search.segment import normalise, parse_query

    out: dict = {
        "benchmark": "knowledge.search",
        "engine": connection.vendor,
        "db": str(args.db),
        "code": str(Path(itsm.__file__).resolve().parent.parent),
        "machine": harness.machine(),
    }
    try:
        began = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        out["migrate_seconds"] = round(time.perf_counter() - began, 1)
        rng = random.Random(args.seed)
        began = time.perf_counter()
        articles, planted = generate(args.articles, rng)
        generated = round(time.perf_counter() - began, 1)
        corpus = [normalise(f"{t} {b}") for t, b in articles]
        # the generator never writes a planted word (so the planted articles are the answers)
        for index, (phrase, _kind) in enumerate(PLANTED):
            words = [normalise(w) for w in phrase.split()]
            holders = {i for i, text in enumerate(corpus) if all(w in text for w in words)}
            if not holders >= set(planted[index]):
                raise SystemExit(f"planting failed for {phrase}")
            planted[index] = sorted(holders)
        customer = Organisation.objects.filter(code="bench-kb-customer").first()
        if customer is None:
            customer = core_services.create_organisation(
                code="bench-kb-customer", name="Bench customer", kind=OrganisationKind.CUSTOMER
            )
            core_services.create_organisation(
                code="bench-kb-provider", name="Bench provider", kind=OrganisationKind.PROVIDER
            )
        provider = Organisation.objects.get(code="bench-kb-provider")
        staff = User.objects.filter(username="bench-kb-staff").first() or core_services.create_user(
            username="bench-kb-staff", organisation=provider, roles=[Role.SERVICE_DESK]
        )
        reader = User.objects.filter(
            username="bench-kb-customer"
        ).first() or core_services.create_user(
            username="bench-kb-customer", organisation=customer, roles=[Role.CUSTOMER_USER]
        )
        if args.reuse and SearchDocument.objects.count() == args.articles:
            out["generation"] = "reused"
        else:
            SearchDocument.objects.all().delete()
            out["generation"] = {
                "generate_seconds": generated,
                "load_seconds": _load(articles, customer.pk),
            }
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("VACUUM ANALYZE knowledge_searchdocument")
                else:
                    cursor.execute(
                        "INSERT INTO knowledge_search_fts(knowledge_search_fts) VALUES ('optimize')"
                    )
                    cursor.execute("ANALYZE")
        out["articles"] = SearchDocument.objects.count()
        queries = [phrase for phrase, _kind in PLANTED]

        # recall and correctness (staff sees every article; a customer their audience's)
        recall: dict[str, list[float]] = {}
        wrong_hits = 0
        missed: list[str] = []
        for index, (phrase, kind) in enumerate(PLANTED):
            hits = selectors.search(staff, phrase, limit=20)
            keys = {hit.key - 1 for hit in hits}
            answers = set(planted[index])
            expected = answers if len(answers) <= 20 else answers & keys
            got = len(expected & keys) / len(expected)
            recall.setdefault(kind, []).append(got)
            if got < 1:
                missed.append(phrase)
            words = [normalise(w) for w in phrase.split()]
            wrong_hits += sum(1 for key in keys if not all(w in corpus[key] for w in words))
        out["recall"] = {
            kind: round(sum(values) / len(values), 4) for kind, values in recall.items()
        }
        out["recall_all"] = round(
            sum(sum(v) for v in recall.values()) / sum(len(v) for v in recall.values()), 4
        )
        out["missed_queries"] = missed
        out["hits_without_every_query_word"] = wrong_hits

        def cycling(fn):
            state = {"i": 0}

            def call():
                query = queries[state["i"] % len(queries)]
                state["i"] += 1
                return fn(query)

            return call

        def raw(query: str):
            sql, params = raw_match_sql(parse_query(query), limit=20)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        cases = {
            "staff": (
                cycling(lambda q: selectors.search(staff, q, limit=20)),
                cycling(raw),
            ),
            "customer": (
                cycling(lambda q: selectors.search(reader, q, limit=20)),
                cycling(raw),
            ),
            "suggest_staff": (
                cycling(lambda q: selectors.suggestions(staff, q)),
                cycling(raw),
            ),
        }
        pids = harness.backend_pids() if connection.vendor == "postgresql" else []
        out["samples"] = args.samples
        out["cases"] = harness.measure(
            cases, samples=args.samples, repeats=args.repeats, backend_pids=pids
        )
        out["target"] = {"p95_ms": 50, "recall": 1.0}
    finally:
        harness.emit(out)
        harness.drop_database(args)


if __name__ == "__main__":
    main()
