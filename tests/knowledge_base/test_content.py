"""The catalogue files: every topic in every language, within the rules of the catalogue."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base.content import (
    LANGUAGES,
    PLACEHOLDERS,
    REQUIRED_SLUGS,
    ContentError,
    fill,
    load,
    parse,
    problems,
)

ENTRIES = load()


def test_the_catalogue_is_complete_and_within_the_rules() -> None:
    assert problems(ENTRIES) == []
    assert {(e.slug, e.lang) for e in ENTRIES} == {
        (slug, lang) for slug in REQUIRED_SLUGS for lang in LANGUAGES
    }


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e.slug}/{e.lang}" for e in ENTRIES])
def test_entries_are_plain_text_and_promise_nothing(entry) -> None:
    text = fill(entry.short + entry.body, PLACEHOLDERS)
    assert "**" not in text and not any(line.startswith("#") for line in text.splitlines())
    assert "{{" not in text  # every placeholder is a known one
    assert entry.questions and entry.keywords and entry.sources


def test_the_same_sources_and_links_in_every_language() -> None:
    by_slug: dict[str, list] = {}
    for entry in ENTRIES:
        by_slug.setdefault(entry.slug, []).append(entry)
    for slug, versions in by_slug.items():
        assert len({tuple(sorted(v.links)) for v in versions}) == 1, slug


def test_broken_files_are_refused_with_the_reason() -> None:
    with pytest.raises(ContentError, match="front matter"):
        parse("no front matter", slug="x", lang="cs")
    with pytest.raises(ContentError, match="reviewed_on"):
        parse('+++\ntitle = "T"\nsources = ["s"]\n+++\nText', slug="x", lang="cs")
    entry = parse(
        '+++\ntitle = "T"\nreviewed_on = 2026-01-01\nsources = ["s"]\n'
        'links = ["nowhere"]\n+++\n{{contact_point.fax}} ' + "x" * 800,
        slug="x",
        lang="cs",
    )
    found = problems([entry], complete=False)
    assert any("unknown placeholder" in p for p in found)
    assert any("longer than" in p for p in found)
    assert any("unknown entry nowhere" in p for p in found)


def test_the_check_command_reports_entries_to_review() -> None:
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "check"], capture_output=True, text=True, cwd=root
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problems" in done.stdout
    strict = subprocess.run(
        [sys.executable, "-m", "knowledge_base", "check", "--max-age-days", "-1"],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert strict.returncode == 0  # entries to review are a report, not a failure
    assert f"{len(ENTRIES)} to review" in strict.stdout
    assert "to review: contact-point/cs" in strict.stdout


def test_stale_entries() -> None:
    from datetime import date

    from knowledge_base.content import stale

    newest = max(e.reviewed_on for e in ENTRIES)
    assert stale(ENTRIES, today=newest, max_age_days=0) == [
        e for e in ENTRIES if e.reviewed_on < newest
    ]
    assert stale(ENTRIES, today=date(2099, 1, 1), max_age_days=365) == ENTRIES


def test_every_entry_written_as_a_file_reads_back_the_same() -> None:
    from knowledge_base.content import format_entry

    for entry in ENTRIES:
        assert parse(format_entry(entry), slug=entry.slug, lang=entry.lang) == entry


def test_a_broken_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "seniors" / "cs.md"
    path.parent.mkdir()
    path.write_text('+++\ntitle = "T"\nreviewed_on = 2026-01-01\nsources = [1]\n+++\nText\n')
    with pytest.raises(ContentError, match=rf"^{path}:4: .*sources must be a list of texts"):
        load(tmp_path)
    path.write_text('+++\ntitle = "T"\nreviewed_on = 2026-01-01\nsources = ["s"\n+++\nText\n')
    with pytest.raises(ContentError, match=rf"^{path}:\d+: .*not TOML"):
        load(tmp_path)
