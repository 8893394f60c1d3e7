"""The email digest: rendered and inlined once, personalised by substitution, fit for mail clients."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import lxml.html
import pytest

from publisher.app import Publisher
from publisher.digest import Digest
from publisher.ingest import ingest_files
from publisher.render import digest as digest_module
from publisher.render.digest import GMAIL_CLIP_BYTES, render_digest
from publisher.render.text import excerpt, typeset

from .render_support import fw, publish, punctuation

VALUES = {
    "name": "王读者",
    "email": "reader@example.cn",
    "unsubscribe_url": "https://news.example.cn/u?t=abc&x=1",
    "preferences_url": "https://news.example.cn/p?t=abc",
}


@pytest.fixture
def stored(app: Publisher, sample_path: Path):
    ingest_files(app, [sample_path])
    return app.archive.stored(2890)


def digest_for(app: Publisher, stored, *, full_text: bool = False) -> Digest:
    settings = app.settings
    if full_text:
        email = dataclasses.replace(settings.email, full_text=True)
        settings = dataclasses.replace(settings, email=email)
    return render_digest(settings, stored.issue, stored.publication_slug)


def test_digest_has_masthead_contents_ledes_and_links(app: Publisher, stored) -> None:
    digest = digest_for(app, stored)
    assert digest.subject == fw("新即墨 第2890期|区政府党组(扩大)会议暨区政府常务会议召开 等5篇")
    assert digest.preheader.startswith("2023年10月27日 星期五 农历九月十三 第2890期。孙杰组织召开")
    html, _ = digest.personalize(VALUES)
    doc = lxml.html.fromstring(html)
    text = doc.text_content()
    assert "2023年10月27日 星期五 农历九月十三 第2890期" in text
    assert doc.xpath("//p[contains(@class, 'heading')]/text()") == ["本期目录"]
    assert len(doc.xpath("//p[contains(@class, 'toc-item')]")) == 5
    assert doc.xpath("//p[contains(@class, 'kicker')]/text()") == [
        "德国ITEM项目是我区首家实现“竣工即投产”的企业"
    ]
    more = doc.xpath("//p[contains(@class, 'more')]/a")
    assert [a.text_content() for a in more] == ["阅读全文 →"] * 5
    assert [a.get("href") for a in more] == [
        f"http://localhost:8000/xinjimo/2890/{n}/" for n in range(1, 6)
    ]
    # Ledes, not full text: the fourth article's later paragraphs stay on the web.
    assert "姜俊杰" not in text
    assert "即墨融媒体中心 编辑出版" in text


def test_personal_fields_are_filled_by_substitution_only(
    app: Publisher, stored, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = digest_for(app, stored)
    assert digest.html.fields == {"email", "unsubscribe_url", "preferences_url"}
    assert digest.text.fields == {"email", "unsubscribe_url", "preferences_url"}

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("delivery must not render templates or inline CSS")

    monkeypatch.setattr(digest_module, "Premailer", forbidden)
    monkeypatch.setattr(digest_module, "render", forbidden)
    html, text = digest.personalize(VALUES)
    doc = lxml.html.fromstring(html)
    assert doc.xpath("//a[text()='退订']/@href") == [VALUES["unsubscribe_url"]]
    assert doc.xpath("//a[text()='订阅设置']/@href") == [VALUES["preferences_url"]]
    assert "&amp;x=1" in html  # the value is escaped for HTML, the URL intact
    assert "reader@example.cn" in doc.text_content()
    assert fw("退订:") + "https://news.example.cn/u?t=abc&x=1" in text
    assert "__PUB_" not in html + text


def test_css_is_inlined_for_mail_clients(app: Publisher, stored) -> None:
    html, _ = digest_for(app, stored).personalize(VALUES)
    doc = lxml.html.fromstring(html)
    paragraph = doc.xpath("//p[contains(@class, 'text')]")[0]
    assert "text-indent:2em" in paragraph.get("style").replace(" ", "")
    assert "font-size:21px" in doc.xpath("//h2[contains(@class, 'title')]")[0].get("style")
    container = doc.xpath("//table[contains(@class, 'container')]")[0]
    assert container.get("width") == "600"
    assert "max-width:600px" in container.get("style").replace(" ", "")
    assert doc.xpath("//table[@role='presentation']")
    # What is left in <style> is only what cannot be inlined: dark mode and the phone layout.
    (style,) = doc.xpath("//style/text()")
    assert "prefers-color-scheme: dark" in style and "max-width: 620px" in style
    assert not [rule for rule in style.split("@media")[0].split("}") if rule.strip()]
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    for tag in ("script", "link", "form", "iframe", "video"):
        assert not doc.xpath(f"//{tag}"), tag
    assert "display:flex" not in html and "position:" not in html


def test_full_text_digest_stays_under_gmails_clipping_limit(app: Publisher, stored) -> None:
    digest = digest_for(app, stored, full_text=True)
    html, text = digest.personalize(VALUES)
    assert "姜俊杰" in html and "姜俊杰" in text  # the whole fourth article is in
    assert len(html.encode("utf-8")) < GMAIL_CLIP_BYTES
    assert "&#" not in html  # Chinese stays UTF-8, not three times longer as entities


def test_text_part_reads_well_on_its_own(app: Publisher, stored) -> None:
    _, text = digest_for(app, stored).personalize(VALUES)
    assert text.startswith("新即墨 第2890期\n2023年10月27日 星期五 农历九月十三 第2890期\n")
    assert fw("本期目录\n1. 区政府党组(扩大)会议暨区政府常务会议召开\n") in text
    assert (
        fw("德国ITEM项目是我区首家实现“竣工即投产”的企业\n一个“即”字,收益几何?\n刘元平 刘翔宇\n")
        in text
    )
    assert fw("阅读全文:") + "http://localhost:8000/xinjimo/2890/4/" in text
    assert "【简讯】" in text
    assert "<" not in text and "&" not in text.replace("&x=1", "")
    assert "\n\n\n" not in text


def test_web_digest_is_published_without_personal_links(app: Publisher, sample_path: Path) -> None:
    publish(app, sample_path)
    page = (app.settings.site_dir / "xinjimo" / "2890" / "email.html").read_text(encoding="utf-8")
    assert "__PUB_" not in page and "退订" not in page
    assert fw("一个“即”字,收益几何?") in page


def test_excerpt_keeps_whole_sentences() -> None:
    short = "会议召开。"
    assert excerpt(short) == short
    sentences = "第一句话很长" * 5 + "。" + "第二句" * 40 + "。" + "第三句。"
    lede = excerpt(sentences, limit=120)
    assert lede == "第一句话很长" * 5 + "。"
    with_quote = "他说:“好。”" + "后面" * 70
    assert excerpt(with_quote, limit=20) == "他说:“好。”"


def test_excerpt_cuts_a_long_sentence_at_a_clause() -> None:
    sentence = "甲" * 50 + "," + "乙" * 50 + "、" + "丙" * 50 + "。"
    assert excerpt(sentence, limit=120) == "甲" * 50 + "," + "乙" * 50 + "……"
    assert excerpt("丁" * 200, limit=120) == "丁" * 120 + "……"


def test_typeset_sets_chinese_punctuation_full_width() -> None:
    # Checked by code point: a flattened full-width literal in text.py or here cannot pass.
    assert punctuation(typeset("会议(扩大)召开,要求:做好;行吗?行!")) == [
        "FULLWIDTH LEFT PARENTHESIS",
        "FULLWIDTH RIGHT PARENTHESIS",
        "FULLWIDTH COMMA",
        "FULLWIDTH COLON",
        "FULLWIDTH SEMICOLON",
        "FULLWIDTH QUESTION MARK",
        "FULLWIDTH EXCLAMATION MARK",
    ]
    # A parenthesis pair changes together when Chinese touches it inside or out.
    assert punctuation(typeset("年产(1.4万吨)")) == [
        "FULLWIDTH LEFT PARENTHESIS",
        "FULL STOP",
        "FULLWIDTH RIGHT PARENTHESIS",
    ]
    # Numbers and Latin text keep their half-width forms.
    latin = "年产值约1.4万吨 ITEM (GmbH) a,b 10:30"
    assert typeset(latin) == latin
    assert not [n for n in punctuation(typeset(latin)) if n.startswith("FULLWIDTH")]


def test_excerpt_knows_full_width_sentence_and_clause_ends() -> None:
    question, comma = "\uff1f", "\uff0c"
    sentences = "第一句" * 10 + question + "第二句" * 40 + "\u3002"
    assert excerpt(sentences, limit=60) == "第一句" * 10 + question
    clause = "甲" * 50 + comma + "乙" * 100 + "\u3002"
    assert excerpt(clause, limit=120) == "甲" * 50 + "\u2026\u2026"
