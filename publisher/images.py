"""The image files an issue's figures print: read beside the issue file, checked, named for the site.

An issue's Markdown names its photos relative to itself (``![alt](photos/a.jpg)``).
Ingest reads each one here, so the archive keeps the bytes and any machine can
build the site. Only plain files beside the issue are read: no absolute
paths, no ``..``, no URLs (nothing is fetched), nothing that is not a JPEG,
PNG, GIF or WebP by its first bytes, nothing over ``MAX_IMAGE_BYTES``. A
photo that fails a check leaves its figure without a file, so the pages show
the caption only; the issue itself is never refused for it.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from publisher.model import Issue
from publisher.parse.doubts import Doubt

MAX_IMAGE_BYTES = 10 * 1024 * 1024

# Media types by the file's first bytes (its "magic"), and the extension the site uses.
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ImageFile:
    """A figure's image as the archive keeps it: ``name`` is the figure's ``src`` as written."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class ImageInfo:
    """What the renderers need to link a stored image: its name, type and size in bytes."""

    name: str
    media_type: str
    length: int


@dataclass(frozen=True)
class Skipped:
    """A figure whose file was not taken, and why (for the editor's warnings)."""

    src: str
    reason: str  # a code, worded by the catalogs (reason.<code>): url, outside, missing…

    def doubt(self) -> Doubt:
        """The warning an editor sees: the figure keeps its caption, the photo is not published."""
        return Doubt("image-skipped", self.src, {"reason": self.reason})


def media_type(data: bytes) -> str | None:
    """The image type of ``data`` by its magic bytes, or None if it is none we publish."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_local(src: str) -> bool:
    """Whether ``src`` may name a file beside the issue: relative, no ``..``, not a URL."""
    if not src or _URL.match(src) or src.startswith(("/", "\\")) or "\\" in src:
        return False
    return ".." not in PurePosixPath(src).parts


def site_name(src: str, media_type: str) -> str:
    """A safe, stable file name for the image in the site: ASCII stem, a hash of ``src``.

    The hash keeps two figures called ``a/1.jpg`` and ``b/1.jpg`` apart and
    the name the same across rebuilds.
    """
    stem = _UNSAFE_NAME.sub("-", PurePosixPath(src).stem).strip("-")[:60] or "image"
    digest = hashlib.sha256(src.encode("utf-8")).hexdigest()[:10]
    return f"{stem}-{digest}.{EXTENSIONS[media_type]}"


def figure_sources(issue: Issue) -> list[str]:
    """Every distinct ``src`` of the issue's figures, in print order."""
    sources = (f.src for a in issue.articles for f in a.figures if f.src)
    return list(dict.fromkeys(sources))


def read_images(issue: Issue, directory: Path) -> tuple[list[ImageFile], list[Skipped]]:
    """The image files of ``issue``'s figures found in ``directory``, and those not taken."""
    images: list[ImageFile] = []
    skipped: list[Skipped] = []
    for src in figure_sources(issue):
        outcome = _read_one(src, directory)
        if isinstance(outcome, ImageFile):
            images.append(outcome)
        else:
            skipped.append(outcome)
    return images, skipped


def infos(images: Iterable[ImageFile]) -> tuple[ImageInfo, ...]:
    """The renderers' view of ``images``."""
    return tuple(ImageInfo(i.name, i.media_type, len(i.data)) for i in images)


def _read_one(src: str, directory: Path) -> ImageFile | Skipped:
    if _URL.match(src):
        return Skipped(src, "url")
    if not is_local(src):
        return Skipped(src, "outside")
    path = directory.joinpath(*PurePosixPath(src).parts)
    try:
        # lstat: a symlink could point anywhere on the machine.
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            return Skipped(src, "not-file")
        if info.st_size > MAX_IMAGE_BYTES:
            return Skipped(src, "too-large")
        with path.open("rb") as file:
            data = file.read(MAX_IMAGE_BYTES + 1)
    except FileNotFoundError:
        return Skipped(src, "missing")
    except OSError:
        return Skipped(src, "unreadable")
    if len(data) > MAX_IMAGE_BYTES:
        return Skipped(src, "too-large")
    kind = media_type(data)
    if kind is None:
        return Skipped(src, "not-image")
    return ImageFile(src, kind, data)
