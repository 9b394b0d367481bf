"""An appointment as an iCalendar file (RFC 5545), for the person's phone calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, Event

from intake.contact_point import ContactPoint

PRODUCT = "-//KMB Intake//Appointments//EN"


def appointment_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    point: ContactPoint,
    summary: str,
    description: str,
    stamp: datetime,
) -> str:
    """One event with the place and a reminder an hour before; times in UTC."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("location", f"{point.name}, {point.address}")
    event.add("description", description)
    if point.map_url:
        event.add("url", point.map_url)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
