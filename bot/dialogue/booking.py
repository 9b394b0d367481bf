"""Booking an appointment in the chat: a place, a day, a time — a few taps.

Buttons carry everything they need, so no booking state is kept on the conversation
and an old button is checked exactly like a new one:

    bk:start:MODE                  choose a place (or see the appointment one has)
    bk:p:POINT:MODE                choose a day at POINT
    bk:d:POINT:YYYYMMDD:MODE       choose a time on that (local) day
    bk:t:POINT:YYYYMMDDHHMM:MODE   book the slot that starts then (UTC)
    bk:cancel                      ask whether to cancel the appointment
    bk:cancel_yes:ID / bk:keep     cancel it / keep it

MODE is ``n`` for a new appointment and ``c`` for a change of time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, format_time
from sqlalchemy.ext.asyncio import AsyncSession

from appointments import booking
from appointments.calendar_file import appointment_ics
from appointments.models import BOOKED, Appointment
from appointments.slots import Slot
from bot.dialogue.config import EngineConfig
from bot.dialogue.script import N_
from bot.dialogue.translator import Translator
from bot.dialogue.types import Choice, Document, Link, Reply
from intake.contact_point import ContactPoint
from intake.models import Case

DAYS_SHOWN = 6
TIMES_SHOWN = 12
NEW, CHANGE = "n", "c"


class Booking:
    """The booking part of the conversation; called by the flow for ``/book`` and ``bk:``."""

    def __init__(self, config: EngineConfig) -> None:
        assert config.contact_points is not None
        self.points = config.contact_points
        self.zone = ZoneInfo(config.time_zone)
        self.max_future = config.max_future_appointments
        self.reminder_hours = config.reminder_hours

    # ---- formatting ---------------------------------------------------------------------
    def day_label(self, day: date, t: Translator) -> str:
        return format_skeleton("MMMEd", day, locale=t.locale)

    def time_label(self, moment: datetime, t: Translator) -> str:
        return format_time(moment, "short", tzinfo=self.zone, locale=t.locale)

    def when(self, moment: datetime, t: Translator) -> str:
        day = format_date(moment.astimezone(self.zone), "full", locale=t.locale)
        return f"{day}, {self.time_label(moment, t)}"

    def confirmation(
        self, appointment: Appointment, t: Translator, *, heading: str, now: datetime
    ) -> Reply:
        """The appointment as the person keeps it: when, where, and a calendar file."""
        point = self.points.get(appointment.point_id) or self.points.main
        lines = [
            t.gettext(heading),
            self.when(appointment.starts_at, t),
            f"{point.name}\n{point.address}\n{point.phone}",
        ]
        if t.locale not in point.languages:
            lines.append(
                t.gettext(
                    N_(
                        "Staff there may not speak your language. An interpreter can be "
                        "arranged: call %(phone)s a few days before."
                    ),
                    phone=point.phone,
                )
                if point.interpreter
                else t.gettext(
                    N_(
                        "Staff there may not speak your language. "
                        "You can bring someone to interpret."
                    )
                )
            )
        lines.append(
            t.gettext(
                N_("If you cannot come, change or cancel the time here, or call %(phone)s."),
                phone=point.phone,
            )
        )
        title = t.gettext(N_("Appointment at the housing contact point"))
        document = Document(
            filename="appointment.ics",
            mime="text/calendar",
            content=appointment_ics(
                uid=f"appointment-{appointment.id}@kmb-intake",
                start=appointment.starts_at,
                end=appointment.ends_at,
                point=point,
                summary=title,
                description=t.gettext(
                    N_("Bring an identity document and any letters about your housing.")
                ),
                stamp=now,
            ),
        )
        return Reply(
            text="\n\n".join(lines),
            choices=(
                Choice(t.gettext(N_("What to bring")), "kb:topic:what-to-bring"),
                Choice(t.gettext(N_("Change the time")), f"bk:start:{CHANGE}"),
                Choice(t.gettext(N_("Cancel the appointment")), "bk:cancel"),
            ),
            links=(Link(t.gettext(N_("Map")), point.map_url),) if point.map_url else (),
            document=document,
        )

    def reminder(self, appointment: Appointment, t: Translator) -> Reply:
        """Sent a day and a couple of hours before: when, where, and what to do."""
        point = self.points.get(appointment.point_id) or self.points.main
        return Reply(
            text="\n\n".join(
                [
                    t.gettext(N_("A reminder of your appointment:")),
                    self.when(appointment.starts_at, t),
                    f"{point.name}\n{point.address}",
                    t.gettext(N_("Will you come?")),
                ]
            ),
            choices=(
                Choice(t.gettext(N_("Yes, I will come")), f"bk:confirm:{appointment.id}"),
                Choice(t.gettext(N_("Change the time")), f"bk:start:{CHANGE}"),
                Choice(t.gettext(N_("Cancel the appointment")), "bk:cancel"),
            ),
            links=(Link(t.gettext(N_("Map")), point.map_url),) if point.map_url else (),
        )

    async def confirm(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        appointment_id: int,
        *,
        case_id: int | None,
        now: datetime,
    ) -> str | None:
        """The person answered a reminder: they will come."""
        appointment = await self._own_future(session, appointment_id, case_id=case_id, now=now)
        if appointment is None:
            replies.append(Reply(text=t.gettext(N_("There is no such appointment."))))
            return None
        appointment.confirmed_at = now
        replies.append(Reply(text=t.gettext(N_("Thank you. See you then."))))
        return "appointment_confirmed"

    async def _own_future(
        self, session: AsyncSession, appointment_id: int, *, case_id: int | None, now: datetime
    ) -> Appointment | None:
        """The person's own booked appointment that is still ahead, or None."""
        case = await self._case(session, case_id)
        appointment = await session.get(Appointment, appointment_id)
        if (
            case is None
            or appointment is None
            or appointment.person_id != case.person_id
            or appointment.status != BOOKED
            or appointment.starts_at <= now
        ):
            return None
        return appointment

    async def summary_line(
        self, session: AsyncSession, t: Translator, *, case_id: int | None, now: datetime
    ) -> str | None:
        """The person's next appointment in one line (for /mydata), if they have one."""
        case = await self._case(session, case_id)
        if case is None:
            return None
        existing = await booking.future_appointments(session, case.person_id, now=now)
        if not existing:
            return None
        point = self.points.get(existing[0].point_id) or self.points.main
        return t.gettext(
            N_("Appointment: %(when)s, %(place)s"),
            when=self.when(existing[0].starts_at, t),
            place=point.name,
        )

    # ---- the steps ----------------------------------------------------------------------
    async def _case(self, session: AsyncSession, case_id: int | None) -> Case | None:
        return await session.get(Case, case_id) if case_id is not None else None

    async def start(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        *,
        case_id: int | None,
        now: datetime,
        mode: str = NEW,
    ) -> bool:
        """Offer the places; False when the person has not registered yet."""
        case = await self._case(session, case_id)
        if case is None:
            return False
        existing = await booking.future_appointments(session, case.person_id, now=now)
        if existing and mode == NEW:
            replies.append(
                self.confirmation(
                    existing[0], t, heading=N_("You already have an appointment:"), now=now
                )
            )
            return True
        preferred = self.points.for_district(case.district)
        if len(self.points.points) == 1:
            return await self.days(session, replies, t, preferred, mode=mode, now=now)
        ordered = [preferred] + [p for p in self.points.points if p.id != preferred.id]
        replies.append(
            Reply(
                text=t.gettext(
                    N_("Where would you like to come? The place nearest to you is first.")
                ),
                choices=tuple(
                    Choice(p.name, f"bk:p:{p.id}:{mode}", selected=p is preferred) for p in ordered
                )
                + self.way_out(t, mode),
            )
        )
        return True

    async def days(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        point: ContactPoint,
        *,
        mode: str,
        now: datetime,
    ) -> bool:
        free = await booking.free(session, point, now=now)
        days = sorted({slot.start.astimezone(self.zone).date() for slot in free})[:DAYS_SHOWN]
        others = (
            (Choice(t.gettext(N_("Another place")), f"bk:start:{mode}"),)
            if len(self.points.points) > 1
            else ()
        )
        if not days:
            replies.append(
                Reply(
                    text=t.gettext(
                        N_("There is no free time at %(place)s soon. Please call %(phone)s."),
                        place=point.name,
                        phone=point.phone,
                    ),
                    choices=others + self.way_out(t, mode),
                )
            )
            return True
        replies.append(
            Reply(
                text=f"{point.name}\n{point.address}\n\n" + t.gettext(N_("Which day suits you?")),
                choices=tuple(
                    Choice(self.day_label(day, t), f"bk:d:{point.id}:{day:%Y%m%d}:{mode}")
                    for day in days
                )
                + others
                + self.way_out(t, mode),
            )
        )
        return True

    async def times(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        point: ContactPoint,
        day: date,
        *,
        mode: str,
        now: datetime,
    ) -> bool:
        free = [
            slot
            for slot in await booking.free(session, point, now=now)
            if slot.start.astimezone(self.zone).date() == day
        ][:TIMES_SHOWN]
        if not free:
            replies.append(
                Reply(text=t.gettext(N_("That day is full now. Please choose another one.")))
            )
            return await self.days(session, replies, t, point, mode=mode, now=now)
        replies.append(
            Reply(
                text=t.gettext(N_("%(day)s: which time suits you?"), day=self.day_label(day, t)),
                choices=(
                    *(self.time_choice(slot, t, mode, with_day=False) for slot in free),
                    Choice(t.gettext(N_("Another day")), f"bk:p:{point.id}:{mode}"),
                    *self.way_out(t, mode),
                ),
            )
        )
        return True

    @staticmethod
    def way_out(t: Translator, mode: str) -> tuple[Choice, ...]:
        """Every step of choosing a time can be left: keeping the time one has, or not
        booking now."""
        if mode == CHANGE:
            return (Choice(t.gettext(N_("Keep my current time")), "bk:keep"),)
        return (Choice(t.gettext(N_("Not now")), "nav:resume"),)

    def time_choice(self, slot: Slot, t: Translator, mode: str, *, with_day: bool) -> Choice:
        label = self.time_label(slot.start, t)
        if with_day:
            label = f"{self.day_label(slot.start.astimezone(self.zone).date(), t)} {label}"
        return Choice(label, f"bk:t:{slot.point_id}:{slot.start.astimezone(UTC):%Y%m%d%H%M}:{mode}")

    async def book(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        point: ContactPoint,
        start: datetime,
        *,
        case_id: int | None,
        mode: str,
        now: datetime,
    ) -> str | None:
        """Book the slot; the event to record, or None when it could not be booked."""
        case = await self._case(session, case_id)
        if case is None:
            return None
        existing = await booking.future_appointments(session, case.person_id, now=now)
        try:
            appointment = await booking.book(
                session,
                point=point,
                start=start,
                person_id=case.person_id,
                case_id=case.id,
                locale=t.locale,
                booked_by="person",
                now=now,
                max_future=self.max_future,
                replacing=existing[0] if mode == CHANGE and existing else None,
                reminder_hours=self.reminder_hours,
            )
        except booking.AlreadyBooked:
            replies.append(
                self.confirmation(
                    existing[0], t, heading=N_("You already have an appointment:"), now=now
                )
            )
            return None
        except booking.BookingError as error:
            replies.append(
                Reply(
                    text=t.gettext(N_("Sorry, that time is no longer free. These times are free:")),
                    choices=(
                        *(self.time_choice(s, t, mode, with_day=True) for s in error.alternatives),
                        Choice(t.gettext(N_("Another day")), f"bk:p:{point.id}:{mode}"),
                    ),
                )
            )
            return None
        heading = (
            N_("Your new time:")
            if mode == CHANGE and existing
            else N_("Your appointment is booked:")
        )
        replies.append(self.confirmation(appointment, t, heading=heading, now=now))
        return "appointment_changed" if mode == CHANGE and existing else "appointment_booked"

    async def ask_cancel(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        *,
        case_id: int | None,
        now: datetime,
    ) -> bool:
        case = await self._case(session, case_id)
        if case is None:
            return False
        existing = await booking.future_appointments(session, case.person_id, now=now)
        if not existing:
            replies.append(
                Reply(
                    text=t.gettext(N_("You have no appointment booked.")),
                    choices=(Choice(t.gettext(N_("Book a time")), f"bk:start:{NEW}"),),
                )
            )
            return True
        appointment = existing[0]
        replies.append(
            Reply(
                text=t.gettext(
                    N_("Cancel your appointment on %(when)s?"),
                    when=self.when(appointment.starts_at, t),
                ),
                choices=(
                    Choice(t.gettext(N_("Yes, cancel it")), f"bk:cancel_yes:{appointment.id}"),
                    Choice(t.gettext(N_("No, keep it")), "bk:keep"),
                ),
            )
        )
        return True

    async def cancel(
        self,
        session: AsyncSession,
        replies: list[Reply],
        t: Translator,
        appointment_id: int,
        *,
        case_id: int | None,
        now: datetime,
    ) -> str | None:
        appointment = await self._own_future(session, appointment_id, case_id=case_id, now=now)
        if appointment is None:
            replies.append(Reply(text=t.gettext(N_("There is no such appointment to cancel."))))
            return None
        await booking.cancel(session, appointment, by_point=False, now=now)
        replies.append(
            Reply(
                text=t.gettext(
                    N_("Your appointment on %(when)s is cancelled."),
                    when=self.when(appointment.starts_at, t),
                ),
                choices=(Choice(t.gettext(N_("Book a new time")), f"bk:start:{NEW}"),),
            )
        )
        return "appointment_cancelled"
