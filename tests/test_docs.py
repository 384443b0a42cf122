"""The README and docs/ hold together: every relative link leads to a file that exists (and to a heading
that exists, when it names one), and every environment variable the settings read is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
PAGES = [BASE_DIR / "README.md", *sorted((BASE_DIR / "docs").glob("*.md"))]
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(text: str) -> str:
    """The text without code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown file: lower case, punctuation dropped, spaces
    as hyphens, a repeated heading numbered (-1, -2, ...)."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def relative_links(page: Path) -> list[str]:
    targets = LINK.findall(prose(page.read_text(encoding="utf-8")))
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]  # http:, https:, mailto:


def test_there_are_docs_to_check():
    names = {page.name for page in PAGES}
    assert {"README.md", "configuration.md", "architecture.md", "contributing.md"} <= names
    assert sum(len(relative_links(page)) for page in PAGES) > 20


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(BASE_DIR)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            broken.append(f"{target}: no file {destination.relative_to(BASE_DIR)}")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination.read_text()):
            broken.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert broken == [], f"{page.name} has broken links: {broken}"


def test_the_anchor_rule_is_githubs():
    text = "# Title\n## Whole exports (CSV of values, SDMX)\n## `make run`: the demo\n## Title\n"
    text += "```\n# not a heading\n```\n"
    assert anchors(text) == {"title", "whole-exports-csv-of-values-sdmx", "make-run-the-demo", "title-1"}


def settings_variables() -> set[str]:
    """Every environment variable name alliance_monitor/settings.py reads, found in its source."""
    source = (BASE_DIR / "alliance_monitor" / "settings.py").read_text()
    names = set(re.findall(r"\benv(?:_bool|_list)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    names |= set(re.findall(r"os\.environ(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    names |= set(re.findall(r"os\.getenv\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))
    return names


def test_every_setting_read_from_the_environment_is_documented():
    names = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FOUR_EYES_REQUIRED"} <= names
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]*)`", (BASE_DIR / "docs" / "configuration.md").read_text()))
    missing = sorted(names - documented)
    assert missing == [], f"Document these in docs/configuration.md (read in settings.py): {missing}"
