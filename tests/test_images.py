"""Photos beside an issue file: read only when safe, stored with the issue, published by the build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from publisher import images
from publisher.app import Publisher
from publisher.errors import ConflictError
from publisher.images import ImageFile, media_type, read_images, site_name
from publisher.ingest import ingest_files
from publisher.model import Article, Figure, Issue
from publisher.render.build import build_changed

from .render_support import CONVENTIONS, IMAGES, png

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20


def issue_with(*sources: str | None) -> Issue:
    figures = tuple(Figure(src, caption=f"说明{i}") for i, src in enumerate(sources))
    article = Article(title="标题", paragraphs=("正文。",), figures=figures)
    return dataclasses.replace(CONVENTIONS, articles=(article,))


def test_media_type_comes_from_the_first_bytes_not_the_name() -> None:
    assert media_type(JPEG) == "image/jpeg"
    assert media_type(png()) == "image/png"
    assert media_type(GIF) == "image/gif"
    assert media_type(WEBP) == "image/webp"
    assert media_type(b"<svg onload=alert(1)>") is None
    assert media_type(b"RIFF\x10\x00\x00\x00WAVEfmt ") is None
    assert media_type(b"") is None


def test_only_plain_image_files_beside_the_issue_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue_dir = tmp_path / "issue"
    photos = issue_dir / "photos"
    photos.mkdir(parents=True)
    (photos / "a.png").write_bytes(png())
    (photos / "b.jpg").write_bytes(JPEG)
    (photos / "fake.jpg").write_bytes(b"not an image at all")
    (photos / "big.gif").write_bytes(GIF + b"\x00" * 200)
    (tmp_path / "secret.png").write_bytes(png())
    (photos / "link.png").symlink_to(tmp_path / "secret.png")
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", 150)
    issue = issue_with(
        "photos/a.png",
        "photos/b.jpg",
        "photos/a.png",  # printed twice, read once
        None,
        "photos/fake.jpg",
        "photos/big.gif",
        "photos/missing.jpg",
        "photos/link.png",
        "photos",
        "../secret.png",
        "photos/../../secret.png",
        str(tmp_path / "secret.png"),
        "https://example.cn/a.jpg",
        "file:///etc/passwd",
        "photos\\a.png",
    )
    found, skipped = read_images(issue, issue_dir)
    assert [(i.name, i.media_type) for i in found] == [
        ("photos/a.png", "image/png"),
        ("photos/b.jpg", "image/jpeg"),
    ]
    assert found[0].data == png()
    reasons = {s.src: s.reason for s in skipped}
    assert list(reasons) == [
        "photos/fake.jpg",
        "photos/big.gif",
        "photos/missing.jpg",
        "photos/link.png",
        "photos",
        "../secret.png",
        "photos/../../secret.png",
        str(tmp_path / "secret.png"),
        "https://example.cn/a.jpg",
        "file:///etc/passwd",
        "photos\\a.png",
    ]
    assert reasons["photos/fake.jpg"] == "not-image"
    assert reasons["photos/big.gif"] == "too-large"
    assert reasons["https://example.cn/a.jpg"] == "url"
    assert reasons["photos/missing.jpg"] == "missing"
    assert skipped[0].doubt().code == "image-skipped"


def test_site_names_are_safe_distinct_and_stable() -> None:
    one = site_name("a/1.jpg", "image/jpeg")
    other = site_name("b/1.jpg", "image/jpeg")
    assert one != other and one == site_name("a/1.jpg", "image/jpeg")
    assert one.startswith("1-") and one.endswith(".jpg")
    odd = site_name("照片/../<x> 1.PNG", "image/png")
    assert "/" not in odd and ".." not in odd and odd.endswith(".png")
    assert site_name("照片.webp", "image/webp").startswith("image-")


def test_images_are_stored_with_the_issue_and_replaced_with_it(app: Publisher) -> None:
    archive = app.archive
    assert archive.save(CONVENTIONS, images=IMAGES).status == "stored"
    stored = archive.stored(3012)
    assert [(i.name, i.media_type, i.length) for i in stored.images] == [
        (i.name, i.media_type, len(i.data)) for i in IMAGES
    ]
    assert archive.images(3012) == sorted(IMAGES, key=lambda i: i.name)
    assert archive.save(CONVENTIONS, images=IMAGES).status == "unchanged"
    # An upload through the console has no directory: the stored photos stay.
    assert archive.save(CONVENTIONS).status == "unchanged"
    assert len(archive.images(3012)) == 2
    # Different photos are a different issue: refused unless replacing.
    changed = (ImageFile("photos/meeting.png", "image/png", png(8, 8)),)
    with pytest.raises(ConflictError):
        archive.save(CONVENTIONS, images=changed)
    assert archive.save(CONVENTIONS, images=changed, replace=True).status == "replaced"
    assert archive.images(3012) == list(changed)


def test_a_failed_save_stores_no_images(app: Publisher) -> None:
    archive = app.archive
    archive.save(CONVENTIONS)
    other = dataclasses.replace(CONVENTIONS, number=3013)
    conflicting = dataclasses.replace(CONVENTIONS, articles=CONVENTIONS.articles[:1])
    with pytest.raises(ConflictError):
        archive.save_all([(other, "", "", IMAGES), (conflicting, "", "", IMAGES)])
    assert archive.images(3012) == []
    assert [s.number for s in archive.list()] == [3012]


def test_ingest_reads_photos_beside_the_issue_and_the_build_publishes_them(
    app: Publisher, tmp_path: Path
) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(png())
    path = tmp_path / "issue.md"
    path.write_text(
        "---\npublication: 新即墨\nnumber: 3013\ndate: 2024-03-06\n---\n\n# 新即墨\n\n"
        "## 区里召开会议\n\n![会场](photos/a.png)\n\n会议指出，要把工作做好。(记者 张三)\n\n"
        "## 第二篇\n\n![丢失](photos/none.jpg)\n\n正文在这里。(李四)\n",
        encoding="utf-8",
    )
    (ingested,) = ingest_files(app, [path])
    assert [f.src for a in ingested.issue.articles for f in a.figures] == [
        "photos/a.png",
        "photos/none.jpg",
    ]
    assert [(d.subject, d.detail) for d in ingested.doubts if d.code == "image-skipped"] == [
        ("photos/none.jpg", {"reason": "missing"})
    ]
    assert [i.name for i in app.archive.images(3013)] == ["photos/a.png"]
    build_changed(app)
    written = list((app.settings.site_dir / "xinjimo" / "3013" / "images").iterdir())
    assert [p.read_bytes() for p in written] == [png()]


def test_replacing_an_issue_removes_the_photos_it_no_longer_prints(app: Publisher) -> None:
    app.archive.save(CONVENTIONS, images=IMAGES)
    build_changed(app)
    directory = app.settings.site_dir / "xinjimo" / "3012" / "images"
    assert len(list(directory.iterdir())) == 2
    app.archive.save(CONVENTIONS, images=IMAGES[:1], replace=True)
    build_changed(app)
    assert [p.read_bytes() for p in directory.iterdir()] == [IMAGES[0].data]


def test_the_consoles_digest_preview_shows_the_photos(app: Publisher) -> None:
    from publisher.service import Service

    app.archive.save(CONVENTIONS, images=IMAGES)
    html = Service(app, scheduler=False).preview_html("xinjimo", 3012)
    assert html.count("<img") >= len(IMAGES)
    assert "/xinjimo/3012/images/" in html
