"""The search's exact hits: Chinese words of two, three and four characters, English, mixed
text and error codes, ranking, highlighting; run on SQLite and (``DATABASE_URL``) PostgreSQL."""

from __future__ import annotations

import pytest

from itsm.knowledge import selectors, services
from itsm.knowledge.tests import factories

pytestmark = pytest.mark.django_db

TEXTS = {
    "oracle": ("Oracle 表空间不足", "数据库报错 ORA-01653：无法在表空间 USERS 中扩展表。"),
    "printer": ("打印机卡纸", "打开纸盒取出卡住的纸张，然后重新打印。"),
    "mail": ("Outlook cannot send mail", "邮件服务器拒绝连接，错误代码 0x800CCC0E。"),
    "vpn": ("VPN 客户端连接超时", "检查防火墙是否放行 UDP 500 和 4500 端口。"),
    "disk": ("服务器硬盘坏道导致蓝屏", "更换硬盘后从备份恢复系统。"),
    "dc": ("用户密码过期无法登录域控制器", "在域控制器上重置密码。"),
}


@pytest.fixture
def docs(admin_user):
    rows = {}
    for name, (title, body) in TEXTS.items():
        rows[name] = factories.article(by=admin_user, title=title, body=body)
    return rows


def found(user, query, **kwargs):
    return [hit.number for hit in selectors.search(user, query, **kwargs)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("表空间", ["oracle"]),  # three characters, cut 表/空间 by the segmenter
        ("卡纸", ["printer"]),  # two characters
        ("打印", ["printer"]),  # two characters inside 打印机 and 打印
        ("打印机", ["printer"]),
        ("域控制器", ["dc"]),  # four characters
        ("硬盘坏道", ["disk"]),  # four characters the dictionary holds whole
        ("控制", ["dc"]),  # two characters inside a word
        ("Oracle 表空间", ["oracle"]),  # mixed
        ("oracle表空间", ["oracle"]),  # mixed without a space
        ("ORA-01653", ["oracle"]),  # an error code stays whole
        ("01653", ["oracle"]),  # and its parts are words
        ("0x800CCC0E", ["mail"]),
        ("outlook MAIL", ["mail"]),  # English, any case
        ("ＶＰＮ 超时", ["vpn"]),  # full-width letters
        ("端口 4500", ["vpn"]),
        ("蓝", ["disk"]),  # one character: words starting with it
        ("屏", ["disk"]),  # one character ending a run
        ("表空间 打印机", []),  # every word must match
        ("不存在的词", []),
    ],
)
def test_exact_hits(admin_user, docs, query, expected):
    assert found(admin_user, query) == [docs[name].number for name in expected]


def test_two_character_word_that_is_not_a_dictionary_word_in_context(admin_user, docs):
    # 空间 sits in 表空间 (the text is cut 表/空间), 间不 spans two words: bigrams find both
    assert found(admin_user, "空间") == [docs["oracle"].number]
    assert found(admin_user, "间不") == [docs["oracle"].number]


def test_title_matches_rank_first(admin_user):
    # the title match is the older one: the newer-first tie-break would put it second
    in_title = factories.article(by=admin_user, title="交换机端口故障", body="Replace it.")
    in_body = factories.article(by=admin_user, title="Network", body="交换机端口故障")
    assert found(admin_user, "交换机") == [in_title.number, in_body.number]
    assert found(admin_user, "交换机 端口") == [in_title.number, in_body.number]


def test_highlighting_marks_words_and_escapes_html(admin_user):
    factories.article(
        by=admin_user, title="<b>Oracle</b> 表空间", body="x" * 300 + " 表空间满了 <script>"
    )
    (hit,) = selectors.search(admin_user, "oracle 表空间")
    assert hit.title_html == "&lt;b&gt;<mark>Oracle</mark>&lt;/b&gt; <mark>表空间</mark>"
    assert "<mark>表空间</mark>满了 &lt;script&gt;" in hit.snippet_html
    assert hit.snippet_html.startswith("…")


def test_documents_pushed_by_other_apps(admin_user, customer_a):
    from django.utils import timezone

    services.index_document(
        kind="known_error",
        key=7,
        number="KE-000007",
        title="打印机驱动冲突",
        body="Workaround: 重新安装驱动",
        customer_id=None,
        customer_visible=False,
        updated_at=timezone.now(),
    )
    assert [(h.kind, h.number) for h in selectors.search(admin_user, "驱动")] == [
        ("known_error", "KE-000007")
    ]
    services.remove_document(kind="known_error", key=7)
    assert selectors.search(admin_user, "驱动") == []


def test_an_edit_reindexes(admin_user, docs):
    article = docs["printer"]
    services.update_article(article, by=admin_user, title="扫描仪卡纸")
    assert found(admin_user, "扫描仪") == [article.number]
    assert found(admin_user, "打印机") == []


def test_one_statement_per_search(admin_user, customer_user, docs, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.search(admin_user, "Oracle 表空间")
    with django_assert_num_queries(1):
        selectors.search(customer_user, "打印机 卡纸")


def test_a_query_without_words_finds_nothing(admin_user, docs):
    assert selectors.search(admin_user, " ，。!? ") == []


def test_suggestions_add_articles_sharing_two_words(admin_user):
    """A summary typed in other words than the article's: the strict search finds nothing,
    the suggestions add the articles whose title shares two of its words (not one, and not
    two of the text's)."""

    def suggested(text):
        return [hit.number for hit in selectors.suggestions(admin_user, text)["articles"]]

    vpn = factories.published(title=TEXTS["vpn"][0], body=TEXTS["vpn"][1])
    printer = factories.published(title=TEXTS["printer"][0], body=TEXTS["printer"][1])
    factories.article(title="VPN 连接超时（草稿）")  # a draft is never suggested
    text = "VPN 又连接超时 again"
    assert found(admin_user, text) == []
    assert suggested(text) == [vpn.number]
    assert suggested("VPN 打印 again") == []  # one word of each: nothing
    assert suggested("纸盒 重新 again") == []  # two words of the text, not of the title
    assert suggested("VPN 超时") == [vpn.number]  # both words: the strict pass
    assert suggested("打印机卡纸") == [printer.number]
