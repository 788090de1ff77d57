"""The README lists every detection with what it looks for, as components/detection says."""

from __future__ import annotations

from support import REPO_ROOT

from components.detection.catalog import README_END, README_START, markdown_table


def test_readme_detection_table_is_current() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(README_START) + len(README_START)
    end = readme.index(README_END)
    assert readme[start:end].strip() == markdown_table(), (
        "README detection table is stale: paste components.detection.catalog.markdown_table()"
    )
