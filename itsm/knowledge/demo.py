"""Demo data of the knowledge base (a step of ``itsm demo``; idempotent, through services).

Categories 数据库 / 网络 / 桌面终端 / 邮件与协作, articles written by the agent and reviewed by
the engineer (a group leader: four eyes) in every status — published for every customer, for
Huaxin Bank only, internal, in review, a draft and an archived one — with a revised text
(a version), a file kept with the newest one, links to the demo tickets and CIs, and the
tickets indexed for the search.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from itsm.core.models import Organisation, User
from itsm.knowledge import services
from itsm.knowledge.choices import ArticleStatus
from itsm.knowledge.models import Article, Category

CATEGORIES = [
    ("数据库 (Databases)", "Oracle、MySQL、PostgreSQL 的常见故障与处理。"),
    ("网络 (Network)", "交换机、VPN、无线网络。"),
    ("桌面终端 (Desktop)", "PC、打印机、外设与办公软件。"),
    ("邮件与协作 (Mail and collaboration)", "Exchange、Outlook 与即时通讯。"),
]

ARTICLES = [
    # title, category index, body, visibility, customers, final status, revised body; raised
    # in this order, so the newest article (first in the list) is a published one with a file:
    # its page offers the edit page and the download
    (
        "Windows 7 补丁安装指南 (archived)",
        2,
        "Windows 7 已停止支持，本文仅供参考。",
        "internal",
        (),
        ArticleStatus.ARCHIVED,
        "",
    ),
    (
        "交换机端口 err-disabled 的恢复",
        1,
        "端口因 BPDU Guard 或端口安全进入 err-disabled。确认环路已排除后执行 shutdown / "
        "no shutdown，或配置 errdisable recovery。",
        "internal",
        (),
        ArticleStatus.DRAFT,
        "",
    ),
    (
        "Outlook 无法发送邮件，错误 0x800CCC0E",
        3,
        "Outlook 提示 0x800CCC0E：无法连接到发送服务器。确认 SMTP 服务器地址与端口 587、"
        "启用 STARTTLS，并检查账号密码是否过期。",
        "customers",
        (),
        ArticleStatus.REVIEW,
        "",
    ),
    (
        "Oracle 表空间不足：ORA-01653 的处理",
        0,
        "现象：应用写入失败，告警日志出现 ORA-01653: unable to extend table。\n"
        "原因：表空间的数据文件已满且未开启自动扩展。\n"
        "处理：1. 查询 dba_data_files 确认使用率；2. ALTER DATABASE DATAFILE … RESIZE，"
        "或为表空间新增数据文件；3. 开启 AUTOEXTEND 并设置上限。",
        "internal",
        (),
        ArticleStatus.PUBLISHED,
        "",
    ),
    (
        "VPN 客户端连接超时 (VPN client times out)",
        1,
        "Symptom: the VPN client stops at “connecting” and times out after 30 seconds.\n"
        "检查本机防火墙是否放行 UDP 500 与 4500 端口；在酒店等网络下改用 TCP 443 模式。",
        "customers",
        ("huaxin-bank",),
        ArticleStatus.PUBLISHED,
        "",
    ),
    (
        "打印机卡纸后无法打印",
        2,
        "1. 关闭打印机电源，打开前盖与纸盒，按进纸方向轻轻取出卡住的纸张。\n"
        "2. 检查纸张是否受潮、是否超过纸盒容量。\n3. 重新开机后打印测试页。",
        "customers",
        (),
        ArticleStatus.PUBLISHED,
        "1. 关闭打印机电源，打开前盖与纸盒，按进纸方向轻轻取出卡住的纸张（不要撕扯）。\n"
        "2. 检查纸张是否受潮、是否超过纸盒容量。\n3. 重新开机后打印测试页；仍卡纸请报修。",
    ),
]

#: files kept with an article: title → (file name, content type, content)
ATTACHMENTS = {
    "打印机卡纸后无法打印": (
        "printer-jam-checklist.txt",
        "text/plain",
        "打印机卡纸检查清单 (Printer paper jam checklist)\n"
        "1. 关闭电源 (power off)\n2. 取出卡纸 (remove the jammed paper)\n"
        "3. 检查纸张 (check the paper)\n4. 打印测试页 (print a test page)\n".encode(),
    ),
}


def load_knowledge() -> int:
    """Create the demo categories and articles once; index the tickets. Returns the rows
    created."""
    users = {u.username: u for u in User.objects.filter(username__in=["agent", "engineer"])}
    author, reviewer = users.get("agent"), users.get("engineer")
    if author is None or reviewer is None:
        return 0
    created = 0
    categories = []
    for name, description in CATEGORIES:
        category = Category.objects.filter(name=name, parent=None).first()
        if category is None:
            category = services.create_category(name=name, description=description, by=reviewer)
            created += 1
        categories.append(category)
    review_due = timezone.localdate() + datetime.timedelta(days=180)
    for title, index, body, visibility, customer_codes, status, revised in ARTICLES:
        if Article.objects.filter(title=title).exists():
            continue
        customers = list(Organisation.objects.filter(code__in=customer_codes))
        article = services.create_article(
            by=author,
            title=title,
            body=body,
            visibility=visibility,
            category=categories[index],
            customers=customers,
            review_due=review_due,
        )
        created += 1
        if status == ArticleStatus.DRAFT:
            continue
        services.submit_article(article, by=author)
        if status == ArticleStatus.REVIEW:
            continue
        services.publish_article(article, by=reviewer)
        if revised:
            services.update_article(article, by=author, body=revised)
        if title in ATTACHMENTS:
            name, content_type, content = ATTACHMENTS[title]
            services.add_attachment(
                article, by=author, name=name, content_type=content_type, content=content
            )
        if status == ArticleStatus.ARCHIVED:
            services.archive_article(article, by=reviewer, note="Windows 7 已停止支持")
    services.index_changed_tickets(limit=5000)  # the rest: the periodic job
    return created
