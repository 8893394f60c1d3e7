"""The ingest/show/issues commands: the contract other tools depend on."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from publisher.cli.context import COMMAND_MODULES, cli

from .cli import assert_refused, run


def test_ingest_then_show_json(env: dict[str, str], sample_path: Path) -> None:
    result = run("ingest", "--no-build", sample_path, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().count("\n") == 1
    assert "stored" in result.stdout.decode() and "2890" in result.stdout.decode()

    shown = run("show", "2890", "--json", env=env)
    data = json.loads(shown.stdout)
    assert list(data) == [
        "publication",
        "number",
        "date",
        "weekday",
        "lunar_date",
        "organizers",
        "publisher",
        "articles",
    ]
    assert data["publication"] == "新即墨" and data["number"] == 2890
    assert list(data["articles"][0]) == [
        "slug",
        "kicker",
        "title",
        "subtitle",
        "authors",
        "paragraphs",
        "untitled",
        "source",
        "page",
        "page_name",
        "figures",
        "note",
        "quotes",
    ]
    assert {k: v for k, v in data.items() if k != "articles"} == {
        "publication": "新即墨",
        "number": 2890,
        "date": "2023-10-27",
        "weekday": "星期五",
        "lunar_date": "农历九月十三",
        "organizers": ["中共青岛即墨区委", "即墨区人民政府"],
        "publisher": "即墨融媒体中心",
    }
    articles = data["articles"]
    assert [
        (a["slug"], a["kicker"], a["title"], a["subtitle"], a["authors"], a["untitled"])
        for a in articles[:4]
    ] == [
        ("1", None, "区政府党组(扩大)会议暨区政府常务会议召开", None, ["周程林", "韩伟绩"], False),
        ("2", None, "孙杰组织召开即墨区政企沟通座谈会", None, ["周程林", "韩伟绩"], False),
        ("3", None, "区人大常委会视察重点类代表建议办理情况", None, ["刘云睿"], False),
        (
            "4",
            "德国ITEM项目是我区首家实现“竣工即投产”的企业",
            "一个“即”字,收益几何?",
            None,
            ["刘元平", "刘翔宇"],
            False,
        ),
    ]
    brief = articles[4]
    assert (brief["slug"], brief["authors"], brief["untitled"]) == ("5", ["刘迪章", "任光瑞"], True)
    assert brief["paragraphs"][0].startswith("10月26日上午")
    assert [len(a["paragraphs"]) for a in articles] == [5, 4, 3, 7, 1]
    assert all(isinstance(p, str) and "(" not in p[-12:] for a in articles for p in a["paragraphs"])


def test_show_human_readable(env: dict[str, str], sample_path: Path) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    text = run("show", "2890", env=env).stdout.decode()
    assert "新即墨 第2890期 2023-10-27 星期五 农历九月十三" in text
    assert "一个“即”字,收益几何?" in text


def test_reingest_same_content_changes_nothing(env: dict[str, str], sample_path: Path) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    again = run("ingest", "--no-build", sample_path, env=env)
    assert again.returncode == 0 and again.stdout.decode().startswith("unchanged")


def test_changed_content_is_refused_unless_replace(env: dict[str, str], sample_path: Path) -> None:
    run("ingest", "--no-build", sample_path, env=env)
    fixed = sample_path.read_text(encoding="utf-8").replace("收益几何", "收益几许")
    sample_path.write_text(fixed, encoding="utf-8")
    assert_refused(run("ingest", "--no-build", sample_path, env=env), "--replace")
    assert "收益几何" in run("show", "2890", env=env).stdout.decode()

    replaced = run("ingest", "--no-build", "--replace", sample_path, env=env)
    assert replaced.stdout.decode().startswith("replaced")
    data = json.loads(run("show", "2890", "--json", env=env).stdout)
    assert data["articles"][3]["title"] == "一个“即”字,收益几许?"
    assert [a["slug"] for a in data["articles"]] == ["1", "2", "3", "4", "5"]


def test_issues_newest_first_and_several_publications(env: dict[str, str], tmp_path: Path) -> None:
    for name, number, day in [("甲报", 1, 1), ("甲报", 2, 2), ("乙报", 1, 3)]:
        path = tmp_path / f"{name}{number}.md"
        path.write_text(f"# {name}\n\n2024年1月{day}日 第{number}期\n\n## 标题\n\n正文。", "utf-8")
        assert run("ingest", "--no-build", path, env=env).returncode == 0
    listing = run("issues", env=env).stdout.decode().splitlines()
    assert [line.split("\t")[:2] for line in listing] == [
        ["乙报", "第1期"],
        ["甲报", "第2期"],
        ["甲报", "第1期"],
    ]
    assert_refused(run("show", "1", env=env), "--publication")
    shown = json.loads(run("show", "1", "--publication", "乙报", "--json", env=env).stdout)
    assert shown["publication"] == "乙报"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("# 报\n第1期".encode("gb18030"), "UTF-8"),
        ("# 测试报\n\n## 标题\n\n正文。".encode(), "front matter"),
        ("# 测试报\n\n2024年1月1日 第1期\n".encode(), "no articles"),
    ],
)
def test_bad_input_exit_2_one_line_nothing_stored(
    env: dict[str, str], tmp_path: Path, content: bytes, words: str
) -> None:
    good = tmp_path / "good.md"
    good.write_text("# 测试报\n\n2024年1月1日 第1期\n\n## 标题\n\n正文。", "utf-8")
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    line = assert_refused(run("ingest", "--no-build", good, bad, env=env), words)
    assert line.startswith("publisher: ") and "bad.md" in line
    # The good file given alongside was not stored either: all or nothing.
    assert "empty" in run("issues", env=env).stdout.decode()


def test_missing_file_and_usage_errors(env: dict[str, str], tmp_path: Path) -> None:
    assert_refused(run("ingest", tmp_path / "nope.md", env=env), "no such file")
    assert_refused(run("ingest", tmp_path, env=env), "directory")
    assert_refused(run("show", "abc", env=env), "not a valid integer")
    assert_refused(run("frobnicate", env=env), "No such command")
    assert_refused(run("show", "9", env=env), "empty")


def test_bad_configuration_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "publisher.toml").write_text("[site]\nbase_urll = 'x'\n", "utf-8")
    assert_refused(run("issues", env=env, cwd=elsewhere), "base_urll", "[site]")
    assert_refused(run("issues", env={**env, "PUBLISHER_SITE_FEED_ISSUES": "many"}), "FEED_ISSUES")
    assert_refused(run("--config", tmp_path / "absent.toml", "issues", env=env), "does not exist")
    a_file = tmp_path / "a-file"
    a_file.write_text("", "utf-8")
    # An empty database URL: the SQLite file in the data directory (even in a PostgreSQL run).
    in_data_dir = {**env, "PUBLISHER_DATA_DIR": str(a_file), "PUBLISHER_DATABASE_URL": ""}
    assert_refused(run("issues", env=in_data_dir), "PUBLISHER_DATA_DIR")
    assert_refused(
        run("issues", env={**env, "PUBLISHER_DATABASE_URL": "bogus://x"}), "no database driver"
    )


def test_python_dash_m_and_help(env: dict[str, str]) -> None:
    result = run("--help", env=env)
    assert result.returncode == 0
    for command in ("ingest", "show", "issues"):
        assert command in result.stdout.decode()


def test_every_command_is_where_the_root_group_imports_it_from(env: dict[str, str]) -> None:
    # Commands are imported on demand: one missing from the map would never run.
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(module)
    assert {name: c.callback.__module__ for name, c in cli.commands.items()} == COMMAND_MODULES  # type: ignore[union-attr]
    listed = run("--help", env=env).stdout.decode()
    assert all(f"  {name} " in listed for name in COMMAND_MODULES)
