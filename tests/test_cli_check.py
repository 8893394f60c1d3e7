"""``publisher check``: the outline and the warnings, stored nowhere, with an exit status each."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

from publisher.i18n import catalog

from .cli import assert_refused, run

COLON = unicodedata.lookup("FULLWIDTH COLON")
ZH = catalog("zh-CN")


def issue_text(
    number: int = 12,
    date: str = "2024年3月5日 星期二",
    byline: str = "(记者 张明)",
    page: str = "",
) -> str:
    """A small issue; ``page`` is a running header printed before its articles."""
    header = f"{page}\n\n" if page else ""
    return (
        f"# 测试报\n\n{date} 第{number}期\n\n{header}"
        "## 春耕备耕有序开展\n\n各镇街抓住有利天气组织春耕。农资供应充足。" + byline + "\n\n"
        "## 老旧小区改造启动\n\n今年计划改造小区十个。(记者 王丽)\n"
    )


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_clean_issue_prints_its_outline_and_exits_0(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "clean.md", issue_text())
    result = run("check", path, env=env)
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert lines[:3] == [f"== {path} ==", "测试报", "2024-03-05 星期二 农历正月廿五 第12期"]
    assert lines[4] == ZH("check.page.unknown")  # one group when the pages are unknown
    assert lines[5] == "  春耕备耕有序开展"
    assert "    作者" + COLON + "张明 · 1 段" in lines
    assert lines[-1] == ZH("check.clean")
    # Nothing stored, not even an empty database in the data directory.
    assert not Path(env["PUBLISHER_DATA_DIR"]).exists()


def test_articles_are_grouped_by_their_page(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "paged.md", issue_text(page="第3版 要闻"))
    result = run("check", path, env=env)
    lines = result.stdout.decode().splitlines()
    assert lines[lines.index("第3版 要闻") + 1] == "  春耕备耕有序开展"
    # Removing the page's running header is an inference the editor is told about.
    assert result.returncode == 1
    assert ZH("doubt.running-header-dropped", subject="第3版 要闻") in lines[-1]


def test_an_article_without_byline_is_a_warning_and_exit_1(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "nobyline.md", issue_text(byline=""))
    result = run("check", path, env=env)
    assert result.returncode == 1, result.stderr.decode()
    message = ZH("doubt.no-byline", subject="春耕备耕有序开展")
    warning = f"{path}{COLON}警告{COLON}{message}"
    assert warning in result.stdout.decode().splitlines()
    # The words are the catalog's, with full-width punctuation (checked by code point).
    assert unicodedata.name(warning[len(str(path))]) == "FULLWIDTH COLON"


def test_the_settings_language_chooses_the_words(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "nobyline.md", issue_text(byline=""))
    result = run("check", path, env={**env, "PUBLISHER_SERVER_LANGUAGE": "en"})
    assert result.returncode == 1
    assert f"{path}: warning: \u201c春耕备耕有序开展\u201d has no byline" in result.stdout.decode()


def test_an_unusable_file_exits_2_with_one_line(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", "# 测试报\n\n## 标题\n\n正文。")
    assert_refused(run("check", path, env=env), "bad.md", "no issue number")
    assert_refused(run("check", tmp_path / "missing.md", env=env), "missing.md", "no such file")


def test_json_is_show_json_plus_warnings(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "nobyline.md", issue_text(byline=""))
    checked = run("check", "--json", path, env=env)
    assert checked.returncode == 1
    data = json.loads(checked.stdout)
    assert run("ingest", "--no-build", path, env=env).returncode == 0
    shown = json.loads(run("show", "12", "--json", env=env).stdout)
    assert list(data) == [*shown, "warnings"]
    assert [list(a) for a in data["articles"]] == [list(a) for a in shown["articles"]]
    assert data["articles"][0]["title"] == shown["articles"][0]["title"] == "春耕备耕有序开展"
    assert data["warnings"] == [
        {
            "code": "no-byline",
            "subject": "春耕备耕有序开展",
            "message": ZH("doubt.no-byline", subject="春耕备耕有序开展"),
        }
    ]


def test_several_files_give_a_json_list(env: dict[str, str], tmp_path: Path) -> None:
    first = write(tmp_path, "a.md", issue_text(12))
    second = write(tmp_path, "b.md", issue_text(13, "2024年3月6日 星期三"))
    result = run("check", "--json", first, second, env=env)
    assert result.returncode == 0
    assert [(d["number"], d["warnings"]) for d in json.loads(result.stdout)] == [
        (12, []),
        (13, []),
    ]


def test_a_lower_number_and_an_older_date_than_the_archive_are_warnings(
    env: dict[str, str], tmp_path: Path
) -> None:
    stored = write(tmp_path, "12.md", issue_text(12, "2024年3月5日 星期二"))
    assert run("ingest", "--no-build", stored, env=env).returncode == 0
    older = write(tmp_path, "11.md", issue_text(11, "2024年3月4日 星期一"))
    result = run("check", "--json", older, env=env)
    assert result.returncode == 1
    assert [(w["code"], w["last"]) for w in json.loads(result.stdout)["warnings"]] == [
        ("number-lower", "12"),
        ("date-older", "2024-03-05"),
    ]
    text = run("check", older, env=env).stdout.decode()
    assert ZH("doubt.number-lower", last="12") in text
    # The stored issue itself, checked again (to correct it), is not below itself.
    assert run("check", stored, env=env).returncode == 0
    newer = write(tmp_path, "13.md", issue_text(13, "2024年3月6日 星期三"))
    assert run("check", newer, env=env).returncode == 0


def test_ingest_prints_the_warnings_on_stderr_and_still_succeeds(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "nobyline.md", issue_text(byline=""))
    result = run("ingest", "--no-build", path, env=env)
    assert result.returncode == 0
    assert result.stdout.decode().startswith("stored: ")
    message = ZH("doubt.no-byline", subject="春耕备耕有序开展")
    assert result.stderr.decode().splitlines() == [f"{path}{COLON}警告{COLON}{message}"]
    older = write(tmp_path, "11.md", issue_text(11, "2024年3月4日 星期一"))
    stderr = run("ingest", "--no-build", older, env=env).stderr.decode()
    assert ZH("doubt.number-lower", last="12") in stderr


def test_check_loads_no_web_code() -> None:
    # The catalogs live outside publisher.web, so the command line starts without Starlette.
    code = (
        "import sys, publisher.cli.check, publisher.cli.archive;"
        "print(sorted(m for m in sys.modules if m.startswith(('publisher.web', 'starlette'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert result.stdout.decode().strip() == "[]"
