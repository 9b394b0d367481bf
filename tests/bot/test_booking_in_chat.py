"""Booking in the chat: a place, a day, a time; the confirmation with a calendar file;
changing and cancelling; times taken by someone else; buttons that are not one's own."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from sqlalchemy import select

from appointments.models import BOOKED, CANCELLED, Appointment
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.chat import Chat


async def register(chat: Chat, *, language: str = "en", district: str = "Poruba") -> None:
    chat.locale = language
    await walk_through(chat, EXAMPLES[2]["answers"], language=language, district=district)
    await chat.press("nav:confirm")


async def appointments(chat: Chat) -> list[Appointment]:
    async with chat.engine.db.sessions() as session:
        return list(await session.scalars(select(Appointment).order_by(Appointment.id)))


def payloads(chat: Chat, prefix: str) -> list[str]:
    return [c.payload for c in chat.choices if c.payload.startswith(prefix)]


async def book_first_free(chat: Chat, point: str = "centrum", mode: str = "n") -> None:
    await chat.press(f"bk:p:{point}:{mode}")
    await chat.press(payloads(chat, f"bk:d:{point}:")[0])
    await chat.press(payloads(chat, f"bk:t:{point}:")[0])


async def test_a_registered_person_books_in_three_taps_and_gets_a_calendar_file(
    chat: Chat,
) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    places = [(c.payload, c.selected) for c in chat.choices if c.payload.startswith("bk:p:")]
    assert places[0] == ("bk:p:centrum:n", True) and len(places) == 3
    await chat.press("bk:p:centrum:n")
    days = [c.label for c in chat.choices if c.payload.startswith("bk:d:")]
    assert days[0] == "Mon, Nov 23" and len(days) == 6  # today, after the 2-hour lead time
    await chat.press("bk:d:centrum:20261123:n")
    times = [c.label for c in chat.choices if c.payload.startswith("bk:t:")]
    assert times[0] == "1:00\u202fPM"  # 10:30 now in Prague; 12:30 is the lunch break
    await chat.press("bk:t:centrum:202611231200:n")
    assert "appointment_booked" in chat.last.events
    (confirmation,) = chat.replies
    assert confirmation.text.startswith("Your appointment is booked:")
    assert "Monday, November 23, 2026, 1:00\u202fPM" in confirmation.text
    assert "Masarykovo náměstí 12" in confirmation.text
    event = Calendar.from_ical(confirmation.document.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert "Masarykovo" in str(event.get("location"))
    assert {c.payload for c in confirmation.choices} == {
        "kb:topic:what-to-bring",
        "bk:start:c",
        "bk:cancel",
    }
    (appointment,) = await appointments(chat)
    assert (appointment.point_id, appointment.status, appointment.locale) == (
        "centrum",
        BOOKED,
        "en",
    )


async def test_the_district_preselects_the_place_and_dates_follow_the_language(
    chat: Chat,
) -> None:
    await register(chat, language="cs", district="Horní Lipová")
    await chat.type("/book")
    assert [c.payload for c in chat.choices if c.selected] == ["bk:p:horni-lipova:n"]
    assert chat.choices[0].payload == "bk:p:horni-lipova:n"
    await book_first_free(chat, "horni-lipova")
    assert "listopadu 2026" in chat.text and "Hlavní 45" in chat.text
    assert chat.text.startswith("Máte objednaný termín:")


async def test_one_appointment_at_a_time_which_can_be_changed_and_cancelled(
    chat: Chat,
) -> None:
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    await chat.type("/book")
    assert chat.text.startswith("You already have an appointment:")
    await chat.press("bk:start:c")
    await chat.press("bk:p:centrum:c")
    await chat.press(payloads(chat, "bk:d:centrum:")[1])  # another day
    await chat.press(payloads(chat, "bk:t:centrum:")[0])
    assert "appointment_changed" in chat.last.events and "Your new time:" in chat.text
    first, second = await appointments(chat)
    assert (first.status, second.status) == (CANCELLED, BOOKED)
    await chat.press("bk:cancel")
    await chat.press(f"bk:cancel_yes:{second.id}")
    assert "appointment_cancelled" in chat.last.events and "is cancelled" in chat.text
    assert [a.status for a in await appointments(chat)] == [CANCELLED, CANCELLED]
    await chat.press("bk:start:n")  # a new one can be booked again
    assert chat.choices[0].payload == "bk:p:centrum:n"


async def test_choosing_a_time_can_be_left_at_every_step(chat: Chat) -> None:
    """Changing the time, the person can keep the one they have at the place, the day
    and the time; booking a first one, they can leave it for later."""
    await register(chat)
    await chat.press("bk:start:n")
    await chat.press("nav:resume")  # not now
    assert not await appointments(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    [booked] = await appointments(chat)
    await chat.press("bk:start:c")
    assert "bk:keep" in payloads(chat, "bk:")
    await chat.press("bk:p:centrum:c")
    assert "bk:keep" in payloads(chat, "bk:")
    await chat.press(payloads(chat, "bk:d:centrum:")[1])
    await chat.press("bk:keep")
    assert "stays as it is" in chat.text
    [kept] = await appointments(chat)
    assert (kept.id, kept.status, kept.starts_at) == (booked.id, BOOKED, booked.starts_at)


async def test_a_time_taken_meanwhile_offers_the_next_free_ones(chat: Chat, engine) -> None:
    other = Chat(engine)
    await register(other)
    await register(chat)
    for person in (other, chat):
        await person.press("bk:start:n")
        await person.press("bk:p:zabreh:n")
        await person.press(payloads(person, "bk:d:zabreh:")[0])
    slot = payloads(chat, "bk:t:zabreh:")[0]
    await other.press(slot)  # capacity 1 at Zábřeh: the other person is first
    await chat.press(slot)
    assert "no longer free" in chat.text
    alternatives = payloads(chat, "bk:t:zabreh:")
    assert alternatives and slot not in alternatives
    await chat.press(alternatives[0])
    assert "appointment_booked" in chat.last.events


async def test_booking_needs_the_questions_first_and_refuses_strange_buttons(
    chat: Chat, engine
) -> None:
    chat.locale = "en"
    await chat.type("/start")
    await chat.press("lang:en")
    await chat.type("/book")
    assert "answer the short questions first" in chat.text
    assert await chat.step() == "immediate_danger"  # and the question comes again
    other = Chat(engine)
    await register(other)
    await other.press("bk:start:n")
    await book_first_free(other)
    (theirs,) = await appointments(other)
    await register(chat)
    for payload in (
        f"bk:cancel_yes:{theirs.id}",  # someone else's appointment
        "bk:t:nowhere:202611231200:n",
        "bk:t:centrum:notatime:n",
        "bk:d:centrum:20261123:x",
        "bk:fly",
    ):
        await chat.deliver(payload=payload)
        assert "did not understand" in chat.text or "no such appointment" in chat.text, payload
    assert [a.status for a in await appointments(chat)] == [BOOKED]


async def test_my_data_shows_the_appointment_and_deleting_cancels_it(chat: Chat) -> None:
    """Deleting frees the seat; the appointment stays only as a statistic."""
    await register(chat)
    await chat.press("bk:start:n")
    await book_first_free(chat)
    await chat.type("/mydata")
    assert "Appointment: Monday, November 23, 2026" in chat.text
    await chat.type("/delete")
    await chat.press("nav:delete_confirm")
    [left] = await appointments(chat)
    assert (left.status, left.person_id, left.note) == ("cancelled", None, None)
