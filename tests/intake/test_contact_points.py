"""The contact points file: the demo city loads, and mistakes are named clearly."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from intake.contact_point import ContactPointConfigError, load_contact_points

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "config" / "contact-points.toml"


def test_the_demo_city_has_a_central_and_district_points() -> None:
    points = load_contact_points(DEMO)
    assert [p.id for p in points.points] == ["centrum", "horni-lipova", "zabreh"]
    main = points.main
    assert main.phone == "+420 596 000 123" and main.capacity == 2
    assert main.appointment_hours["mon"] == ((time(10), time(12)), (time(13), time(17)))
    assert main.walk_in_hours["mon"] == ((time(8), time(10)),)
    assert date(2026, 12, 31) in main.closed_days
    assert set(main.languages) == {"cs", "en", "uk"} and main.interpreter


@pytest.mark.parametrize(
    ("district", "point"),
    [
        ("Horni Lipova", "horni-lipova"),
        ("bydlím na sídlišti Jih", "horni-lipova"),
        ("Poruba", "centrum"),  # not a district of the city: the main point
        ("sidliste jih", "horni-lipova"),
        ("ZÁBŘEH", "zabreh"),
        ("", "centrum"),
        (None, "centrum"),
        ("xy", "centrum"),
    ],
)
def test_the_point_serving_a_district_or_the_main_one(district: str | None, point: str) -> None:
    assert load_contact_points(DEMO).for_district(district).id == point


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "points.toml"
    path.write_text(text, "utf-8")
    return path


POINT = """
[[point]]
id = "a"
name = "A"
address = "Street 1"
phone = "+420 1"
email = "a@example.org"
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[point.opening_hours]\nmon = ["08:00-12:00", "11:00-13:00"]', "overlap"),
        ('[point.opening_hours]\nmon = ["12:00-08:00"]', "ends before it starts"),
        ('[point.opening_hours]\nmon = ["8-12"]', "not an interval"),
        ('[point.opening_hours]\nmon = ["08:00-25:00"]', "hour must be in"),
        ('[point.opening_hours]\nmonday = ["08:00-12:00"]', "opening_hours.monday"),
        (
            '[point.opening_hours]\nmon = ["08:00-12:00"]\n'
            '[point.appointment_hours]\nmon = ["11:00-13:00"]',
            "outside the opening hours",
        ),
        ("capacity = 0", "point 0.capacity"),
        ("colour = 'red'", "point 0.colour"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ContactPointConfigError, match=message):
        load_contact_points(write(tmp_path, POINT + extra))


def test_two_points_with_one_id_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContactPointConfigError, match="same id"):
        load_contact_points(write(tmp_path, POINT + POINT))


def test_a_file_without_points_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContactPointConfigError, match=r"no \[\[point\]\]"):
        load_contact_points(write(tmp_path, "[contact_point]\nname = 'old format'\n"))


def test_the_district_is_named_in_the_citys_words_not_the_persons() -> None:
    points = load_contact_points(ROOT / "tests" / "data" / "contact-points.toml")
    typed = "sidliste jih 12, byt 3"
    point = points.for_district(typed)
    assert point.district_named(typed) == "Sídliště Jih"  # the street and flat stay out
    assert points.main.district_named("Poruba") is None
