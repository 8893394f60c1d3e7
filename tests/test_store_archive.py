"""The archive on a real database: keys, idempotence, replacement with stable slugs."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine, text

from publisher.app import Publisher
from publisher.errors import ConflictError, NotFoundError
from publisher.model import Article
from publisher.parse import parse_bytes
from publisher.store.archive import slugify_publication

from .conftest import SAMPLE


@pytest.fixture
def sample():
    return parse_bytes(SAMPLE.read_bytes())


def test_round_trip_is_exact(app: Publisher, sample) -> None:
    stored = app.archive.save(sample).issue
    assert app.archive.get(2890) == stored
    assert stored.content_key() == sample.content_key()


def test_replace_keeps_slugs_of_edited_articles_and_adds_new_ones(app: Publisher, sample) -> None:
    app.archive.save(sample)
    articles = list(sample.articles)
    articles[3] = dataclasses.replace(articles[3], title="一个“即”字,收益几许?")
    articles.insert(1, Article(title="新增一篇完全不同的报道", paragraphs=("内容全然不同。",)))
    del articles[0]
    edited = dataclasses.replace(sample, articles=tuple(articles))

    result = app.archive.save(edited, replace=True)
    assert result.status == "replaced"
    slugs = {a.title: a.slug for a in app.archive.get(2890).articles}
    assert slugs["一个“即”字,收益几许?"] == "4"
    assert slugs["孙杰组织召开即墨区政企沟通座谈会"] == "2"
    assert slugs["新增一篇完全不同的报道"] == "6"  # never reuses the removed article's "1"
    assert "1" not in slugs.values()


def test_different_content_without_replace_is_refused(app: Publisher, sample) -> None:
    app.archive.save(sample)
    with pytest.raises(ConflictError):
        app.archive.save(dataclasses.replace(sample, lunar_date="农历九月十四"))
    assert app.archive.get(2890).lunar_date == "农历九月十三"


def test_save_all_is_all_or_nothing(app: Publisher, sample) -> None:
    app.archive.save(sample)
    other = dataclasses.replace(sample, number=2891)
    conflicting = dataclasses.replace(sample, lunar_date="农历九月十四")
    with pytest.raises(ConflictError):
        app.archive.save_all([(other, "", ""), (conflicting, "", "")])
    with pytest.raises(NotFoundError):
        app.archive.get(2891)


def test_publications_have_pinyin_slugs(app: Publisher, sample) -> None:
    app.archive.save(sample)
    assert app.archive.publication_slug("新即墨") == "xinjimo"
    assert slugify_publication("Daily 日报!") == "daily-ribao"


def test_same_number_in_two_publications(app: Publisher, sample) -> None:
    app.archive.save(sample)
    app.archive.save(dataclasses.replace(sample, publication="即墨日报"))
    assert app.archive.get(2890, "即墨日报").publication == "即墨日报"
    with pytest.raises(NotFoundError, match="--publication"):
        app.archive.get(2890)


def test_free_text_of_any_length_is_stored(app: Publisher) -> None:
    # SQLite ignores VARCHAR lengths; PostgreSQL refused these with a traceback.
    front = (
        "---\nweekday: 星期五(重阳节前一周)\n"
        f"lunar_date: {'农历九月十三' * 10}\npublisher: {'即墨融媒体中心' * 40}\n---\n"
    )
    issue = parse_bytes(front.encode() + SAMPLE.read_bytes())
    stored = app.archive.save(issue, source_name="稿" * 600 + ".md").issue
    assert app.archive.get(2890) == stored


def test_a_long_publication_name_gets_a_bounded_slug(app: Publisher, sample) -> None:
    name = "即墨区融媒体中心社区新闻周刊" * 10  # 140 characters: about 700 of pinyin
    app.archive.save(dataclasses.replace(sample, publication=name))
    slug = app.archive.publication_slug(name)
    assert slug.startswith("jimoqurongmeitizhongxin") and len(slug) <= 100


def test_control_characters_from_front_matter_escapes_are_dropped(app: Publisher) -> None:
    # decode() strips them from the text, but YAML's "\0" makes one again; PostgreSQL
    # cannot store NUL in text.
    front = '---\npublisher: "即墨\\0融媒体\\x07中心"\n---\n'
    issue = parse_bytes(front.encode() + SAMPLE.read_bytes())
    assert issue.publisher == "即墨融媒体中心"
    app.archive.save(issue)
    assert app.archive.get(2890).publisher == "即墨融媒体中心"


def test_connections_the_server_dropped_are_replaced(
    app: Publisher, sample, postgres_server: Engine | None
) -> None:
    app.archive.save(sample)
    if postgres_server is not None:  # what a restart or a proxy's idle timeout does
        with postgres_server.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                {"db": app.db.engine.url.database},
            )
    assert app.archive.get(2890).number == 2890


@pytest.mark.parametrize(
    "names", [("新即墨", "新即墨"), ("新即墨", "新即墨!")], ids=["same", "same-slug"]
)
def test_first_issues_of_a_new_publication_stored_at_once_both_land(
    app: Publisher, sample, names: tuple[str, str]
) -> None:
    import threading

    from publisher.config import load_settings

    starters = len(names)
    barrier = threading.Barrier(starters, timeout=60)
    errors: list[BaseException] = []
    app.db  # noqa: B018  the schema first: this test is about the publication row

    def store(number: int, name: str) -> None:
        other = Publisher(load_settings())  # a process of its own, with its own connections
        try:
            issue = dataclasses.replace(sample, number=number, publication=name)
            barrier.wait()
            other.archive.save(issue)
        except BaseException as e:  # reported below; a thread cannot fail the test itself
            errors.append(e)
        finally:
            other.close()

    threads = [
        threading.Thread(target=store, args=(number, name))
        for number, name in zip((1, 2), names, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = sorted((s.publication, s.number) for s in app.archive.list())
    assert stored == sorted(zip(names, (1, 2), strict=True))
    slugs = {app.archive.publication_slug(name) for name in names}
    assert len(slugs) == len(set(names))  # one slug per publication, never shared
