"""The intake conversation: what each message, button or command does to it.

Every method works on one :class:`Turn` (one inbound message) inside the
transaction that the engine opened; nothing here commits.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import followup, render
from bot.dialogue.answers import read_answer
from bot.dialogue.booking import CHANGE as CHANGE_BOOKING
from bot.dialogue.booking import NEW as NEW_BOOKING
from bot.dialogue.booking import Booking
from bot.dialogue.catalogue import in_cyrillic, looks_like_a_question, opening_hours
from bot.dialogue.config import EngineConfig
from bot.dialogue.models import Conversation
from bot.dialogue.privacy import delete_personal_data, my_data
from bot.dialogue.script import (
    BY_KEY,
    CONSENT,
    DECLINED,
    DONE,
    EDIT,
    LANGUAGE,
    N_,
    SAFETY,
    SUMMARY,
    Option,
    answers_document,
    first_unanswered,
    next_step_after,
)
from bot.dialogue.text import InvalidAnswer, clean_text, fold, parse_command, parse_yes_no
from bot.dialogue.translator import Translator
from bot.dialogue.types import Inbound, Reply
from intake import casework, consent, outbox
from intake.models import Case
from intake.registration import Registration, register_case
from intake.triage import Answers
from knowledge_base import questions
from knowledge_base.content import Entry
from locales import LOCALES

NEW = "new"
BOOKING_MODES = (NEW_BOOKING, CHANGE_BOOKING)
_SOURCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Turn:
    """What one inbound message does to one conversation."""

    conversation: Conversation
    t: Translator
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    case_reference: str | None = None

    def say(self, message: str, **params: object) -> None:
        self.replies.append(render.notice(self.t, message, **params))


class Flow:
    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.booking = Booking(config) if config.contact_points is not None else None

    async def respond(self, session: AsyncSession, turn: Turn, inbound: Inbound) -> None:
        """Answer one inbound message: change the conversation and add the replies."""
        conversation = turn.conversation
        command = parse_command(inbound.text) if inbound.text else None
        if conversation.step == NEW:
            self._set_source(conversation, inbound, command)
            if inbound.payload:
                turn.say(N_("I no longer have our earlier conversation. Let's start again."))
            conversation.step = LANGUAGE
            turn.replies.append(render.language_question(turn.t, welcome=True))
            return
        if inbound.text is not None and len(inbound.text) > self.config.max_message_chars:
            turn.say(
                N_("Your message is too long. Please write at most %(maximum)s characters."),
                maximum=self.config.max_message_chars,
            )
            return await self._prompt(session, turn)
        if command:
            return await self._command(session, turn, inbound, *command)
        if inbound.text is None and inbound.payload is None:
            turn.say(
                N_("I can only read text and buttons. Please write your answer or tap a button.")
            )
            return await self._prompt(session, turn)
        if inbound.payload is not None:
            return await self._button(session, turn, inbound.payload)
        text = clean_text(inbound.text or "")
        if not text:
            turn.say(N_("I received an empty message."))
            return await self._prompt(session, turn)
        if conversation.handoff_to is not None and conversation.case_id is not None:
            # A member of staff is talking with the person: pass the message on.
            await followup.person_replied(session, conversation.case_id, now=turn.now)
            turn.events.append("passed_to_staff")
            turn.say(N_("Thank you. Your message was passed to the contact point."))
            return
        await self._typed(session, turn, text)

    def _set_source(
        self, conversation: Conversation, inbound: Inbound, command: tuple[str, str | None] | None
    ) -> None:
        source = inbound.source
        if command and command[0] == "start" and command[1]:
            source = command[1]
        if source and _SOURCE.fullmatch(source):
            conversation.source = source

    async def _command(
        self, session: AsyncSession, turn: Turn, inbound: Inbound, name: str, argument: str | None
    ) -> None:
        actions = {
            "start": self._prompt,
            "back": self._back,
            "skip": self._skip,
            "restart": self._start_again,
            "mydata": self._my_data,
            "delete": self._ask_delete,
            "language": self._ask_language,
            "human": self._human,
            "book": self._book,
        }
        if name in actions:
            return await actions[name](session, turn)
        if name == "help":
            turn.replies.append(render.help_text(turn.t))
            return await self._prompt(session, turn)
        turn.say(N_("I do not know that command. Write /help to see what I can do."))
        return await self._prompt(session, turn)

    async def _button(self, session: AsyncSession, turn: Turn, payload: str) -> None:
        conversation = turn.conversation
        kind, _, rest = payload.partition(":")
        step_key, _, option_key = rest.partition(":")
        step = BY_KEY.get(step_key)
        if kind == "lang" and rest in LOCALES:
            return await self._switch_language(session, turn, rest)
        if kind == "nav":
            return await self._navigate(session, turn, rest)
        if kind == "kb":
            return await self._catalogue_button(session, turn, step_key, option_key)
        if kind == "bk" and self.booking is not None:
            return await self._booking_button(session, turn, rest.split(":"))
        if kind == "edit" and step is not None:
            if conversation.step != EDIT:
                return await self._stale(session, turn)
            conversation.editing = True
            conversation.step = step.key
            return await self._prompt(session, turn)
        if kind in ("ans", "tog") and step is not None:
            if step.key != conversation.step:
                return await self._stale(session, turn)
            option = _find_option(step.options_for(conversation.answers), option_key)
            if step.kind == "multi" and kind == "tog" and option:
                return await self._toggle(session, turn, option)
            if step.kind == "multi" and kind == "ans" and option_key == "none":
                return await self._record(session, turn, step.key, [])
            if step.kind != "multi" and kind == "ans" and option:
                return await self._record(session, turn, step.key, option.value)
        return await self._not_understood(session, turn)

    async def _not_understood(self, session: AsyncSession, turn: Turn) -> None:
        turn.say(
            N_("I did not understand that button. Please use the buttons of the last question.")
        )
        return await self._prompt(session, turn)

    async def _stale(self, session: AsyncSession, turn: Turn) -> None:
        turn.say(N_("That question is already answered."))
        return await self._prompt(session, turn)

    async def _navigate(self, session: AsyncSession, turn: Turn, action: str) -> None:
        conversation = turn.conversation
        step = conversation.step
        handlers = {
            "back": self._back,
            "skip": self._skip,
            "restart": self._start_again,
            "language": self._ask_language,
            "delete": self._ask_delete,
            "restart_confirm": self._confirm_restart,
            "delete_confirm": self._delete,
            "keep": self._prompt,
            "resume": self._prompt,
        }
        if action in handlers:
            return await handlers[action](session, turn)
        current = BY_KEY.get(step)
        if action == "done" and current is not None and current.kind == "multi":
            return await self._record(session, turn, step, conversation.answers.get(step, []))
        if action == "confirm" and step == SUMMARY:
            return await self._register(session, turn)
        moves = {
            ("edit", SUMMARY): EDIT,
            ("summary", EDIT): SUMMARY,
            ("consent", DECLINED): CONSENT,
        }
        target = moves.get((action, step))
        if target is None and action in {"done", "confirm", "edit", "summary", "consent"}:
            return await self._stale(session, turn)
        if target is None:
            return await self._not_understood(session, turn)
        if target == CONSENT and SAFETY not in conversation.answers:
            # Declining forgot every answer; the safety question comes first again, or
            # someone in danger who hesitated once would be registered as safe.
            target = SAFETY
        conversation.step = target
        return await self._prompt(session, turn)

    async def _ask_language(self, session: AsyncSession, turn: Turn) -> None:
        turn.replies.append(render.language_question(turn.t, welcome=False))

    async def _typed(self, session: AsyncSession, turn: Turn, text: str) -> None:
        conversation = turn.conversation
        step_key = conversation.step
        problem: InvalidAnswer | None = None
        if step_key == LANGUAGE:
            locale = _language_from_text(text)
            if locale:
                return await self._switch_language(session, turn, locale)
        elif step_key == SUMMARY:
            if parse_yes_no(text) is True:
                return await self._register(session, turn)
        elif step_key in BY_KEY:
            step = BY_KEY[step_key]
            today = turn.now.astimezone(ZoneInfo(self.config.time_zone)).date()
            try:
                value = read_answer(step, text, conversation.answers, today=today)
            except InvalidAnswer as error:
                problem = error
            else:
                return await self._record(session, turn, step.key, value)
        if looks_like_a_question(text) or step_key in (DONE, DECLINED):
            # Not an answer to the question asked: maybe a question of their own.
            return await self._answer_question(session, turn, text)
        if problem is not None:
            turn.say(render.ERRORS[problem.reason], **problem.params)
        elif step_key != EDIT:
            turn.say(render.ERRORS["not_an_option"])
        return await self._prompt(session, turn)

    async def _answer_question(self, session: AsyncSession, turn: Turn, text: str) -> None:
        """Answer from the catalogue, or say honestly that I do not know."""
        conversation = turn.conversation
        consented = conversation.consent_at is not None
        catalogue = self.config.catalogue
        found = catalogue.find(text, conversation.locale) if catalogue else None
        if (
            found is not None
            and conversation.step in (LANGUAGE, NEW)
            and found.asked_in != conversation.locale
            and _clearly_written_in(text, found.asked_in)
        ):
            # The language was only a default (the page's, the phone's) and the person
            # wrote in another one before choosing: answer in theirs, and ask the
            # language question in it too.
            conversation.locale = found.asked_in
            turn.t = Translator(found.asked_in)
            found = catalogue.find(text, found.asked_in) if catalogue else None
        if found is not None:
            return await self._show_entry(
                session,
                turn,
                found.entry,
                question=text if consented else None,
                offer_language=found.asked_in,
            )
        turn.events.append("unanswered")
        questions.record_unanswered(
            session,
            conversation_id=conversation.id,
            locale=conversation.locale,
            text=text if consented else None,
            now=turn.now,
        )
        turn.say(
            N_(
                "I am sorry, I do not know the answer to that. The contact point's staff can "
                "help you: call %(phone)s or write /human."
            ),
            phone=self.config.contact_point.phone,
        )
        await self._prompt(session, turn)

    async def _show_entry(
        self,
        session: AsyncSession,
        turn: Turn,
        entry: Entry,
        *,
        question: str | None,
        offer_language: str | None = None,
    ) -> None:
        """A catalogue answer; the conversation goes on when the person taps Continue,
        answers whether it helped, or simply answers the question they were asked."""
        conversation = turn.conversation
        answered = await questions.record_answered(
            session,
            conversation_id=conversation.id,
            slug=entry.slug,
            locale=conversation.locale,
            text=question,
            now=turn.now,
        )
        assert self.config.catalogue is not None
        turn.replies.append(
            self.config.catalogue.reply(
                entry,
                turn.t,
                answer_id=answered.id,
                offer_language=offer_language,
            )
        )
        turn.events.append("answered")

    async def _catalogue_button(
        self, session: AsyncSession, turn: Turn, action: str, argument: str
    ) -> None:
        """More of an answer, a related topic, or whether the answer helped."""
        conversation, catalogue = turn.conversation, self.config.catalogue
        if catalogue is None:
            return await self._not_understood(session, turn)
        if action == "topic":
            entry = catalogue.entry(argument, conversation.locale)
            if entry is None:
                return await self._not_understood(session, turn)
            return await self._show_entry(session, turn, entry, question=None)
        answered = (
            await questions.answered_in(session, int(argument), conversation_id=conversation.id)
            if argument.isdigit()
            else None
        )
        entry = catalogue.entry(answered.slug, conversation.locale) if answered else None
        if answered is None or entry is None:
            return await self._not_understood(session, turn)
        if action == "more":
            turn.replies.append(
                catalogue.reply(
                    entry,
                    turn.t,
                    answer_id=answered.id,
                    more=True,
                )
            )
            return
        if action not in ("yes", "no"):
            return await self._not_understood(session, turn)
        answered.helpful = action == "yes"
        turn.events.append(f"answer_{'helped' if answered.helpful else 'did_not_help'}")
        if answered.helpful:
            turn.say(N_("Thank you. I am glad it helped."))
        else:
            turn.say(
                N_(
                    "I am sorry. Try asking in other words, or ask the contact point's "
                    "staff: call %(phone)s."
                ),
                phone=self.config.contact_point.phone,
            )
        return await self._prompt(session, turn)

    async def _book(self, session: AsyncSession, turn: Turn, mode: str = NEW_BOOKING) -> None:
        """/book, or the button after registration: offer a place, a day, a time."""
        booked = self.booking is not None and await self.booking.start(
            session,
            turn.replies,
            turn.t,
            case_id=turn.conversation.case_id,
            now=turn.now,
            mode=mode,
        )
        if not booked:
            turn.say(
                N_(
                    "To book a time, please answer the short questions first. "
                    "Then I can offer you a time at the contact point."
                )
            )
            return await self._prompt(session, turn)

    async def _booking_button(self, session: AsyncSession, turn: Turn, parts: list[str]) -> None:
        assert self.booking is not None
        booking, conversation = self.booking, turn.conversation
        action, *args = parts
        mode = args[-1] if args and args[-1] in BOOKING_MODES else None
        point = (
            self.config.contact_points.get(args[0]) if args and self.config.contact_points else None
        )
        common = {"case_id": conversation.case_id, "now": turn.now}
        event: str | None = None
        handled = True
        if action == "start" and mode:
            return await self._book(session, turn, mode)
        if action == "p" and point and mode and len(args) == 2:
            handled = await booking.days(
                session, turn.replies, turn.t, point, mode=mode, now=turn.now
            )
        elif action == "d" and point and mode and len(args) == 3 and (day := _day(args[1])):
            handled = await booking.times(
                session, turn.replies, turn.t, point, day, mode=mode, now=turn.now
            )
        elif action == "t" and point and mode and len(args) == 3 and (start := _moment(args[1])):
            event = await booking.book(
                session, turn.replies, turn.t, point, start, mode=mode, **common
            )
        elif action == "cancel" and not args:
            handled = await booking.ask_cancel(session, turn.replies, turn.t, **common)
        elif action == "cancel_yes" and len(args) == 1 and args[0].isdigit():
            event = await booking.cancel(session, turn.replies, turn.t, int(args[0]), **common)
        elif action == "confirm" and len(args) == 1 and args[0].isdigit():
            event = await booking.confirm(session, turn.replies, turn.t, int(args[0]), **common)
        elif action == "keep" and not args:
            turn.say(N_("All right, your appointment stays as it is."))
        else:
            return await self._not_understood(session, turn)
        if event:
            turn.events.append(event)
        if not handled:
            return await self._book(session, turn, NEW_BOOKING)

    async def _switch_language(self, session: AsyncSession, turn: Turn, locale: str) -> None:
        conversation = turn.conversation
        conversation.locale = locale
        turn.t = Translator(locale)
        if conversation.step == LANGUAGE:
            conversation.history = [*conversation.history, LANGUAGE]
            conversation.step = SAFETY
        else:
            turn.say(N_("All right, let's continue in English."))
        return await self._prompt(session, turn)

    async def _record(self, session: AsyncSession, turn: Turn, key: str, value: object) -> None:
        conversation = turn.conversation
        answers = {**conversation.answers, key: value}
        if key == SAFETY and value is True:
            turn.replies.append(render.emergency_numbers(turn.t))
            turn.events.append("danger")
        shelters = self.config.contact_point.night_shelters
        if key == "sleeping_place_tonight" and value in ("none", "unsafe") and shelters:
            # Something to act on tonight, before the remaining questions.
            lines = "\n".join(shelter.line() for shelter in shelters)
            turn.say(N_("For tonight you can go to:\n%(places)s"), places=lines)
        if key == CONSENT:
            answers.pop(CONSENT)
            if value is False:
                conversation.answers, conversation.history = {}, []
                conversation.step = DECLINED
                return await self._prompt(session, turn)
            if conversation.consent_version != self.config.consent_version:
                consent.give(
                    session,
                    conversation_id=conversation.id,
                    channel=conversation.channel,
                    version=self.config.consent_version,
                    now=turn.now,
                )
            conversation.consent_at = turn.now
            conversation.consent_version = self.config.consent_version
        conversation.answers = answers
        conversation.history = [*conversation.history, key]
        if conversation.editing:
            following = first_unanswered(answers)
        else:
            following = next_step_after(key, answers)
        if following == SUMMARY:
            conversation.editing = False
        conversation.step = following
        return await self._prompt(session, turn)

    async def _toggle(self, session: AsyncSession, turn: Turn, option: Option) -> None:
        conversation = turn.conversation
        step = conversation.step
        chosen = list(conversation.answers.get(step) or [])
        chosen = (
            [v for v in chosen if v != option.value]
            if option.value in chosen
            else [*chosen, option.value]
        )
        conversation.answers = {**conversation.answers, step: chosen}
        await self._prompt(session, turn)
        turn.replies[-1] = dataclasses.replace(turn.replies[-1], update=True)

    async def _back(self, session: AsyncSession, turn: Turn) -> None:
        conversation = turn.conversation
        if conversation.step in (DONE, DECLINED) or not conversation.history:
            turn.say(N_("There is no earlier question to go back to."))
            return await self._prompt(session, turn)
        *rest, previous = conversation.history
        conversation.history = rest
        conversation.step = previous
        conversation.editing = False
        return await self._prompt(session, turn)

    async def _skip(self, session: AsyncSession, turn: Turn) -> None:
        step = BY_KEY.get(turn.conversation.step)
        if step is None or not step.optional:
            turn.say(N_("This question cannot be skipped. Please choose an answer."))
            return await self._prompt(session, turn)
        return await self._record(session, turn, step.key, [] if step.kind == "multi" else None)

    async def _start_again(self, session: AsyncSession, turn: Turn) -> None:
        """/restart: at once, unless someone registered from this chat: then ask first,
        since their registration stays (and /delete would no longer reach it)."""
        case_id = turn.conversation.case_id
        if case_id is None:
            return await self._restart(session, turn)
        reference = await session.scalar(select(Case.reference).where(Case.id == case_id))
        turn.replies.append(render.restart_question(turn.t, reference))

    async def _confirm_restart(self, session: AsyncSession, turn: Turn) -> None:
        if turn.conversation.case_id is None:  # an old button: nothing to confirm now
            return await self._stale(session, turn)
        return await self._restart(session, turn)

    async def _restart(self, session: AsyncSession, turn: Turn) -> None:
        conversation = turn.conversation
        if conversation.case_id is not None:
            # Someone registered from this chat: whoever starts again may be another
            # person (a shared phone). What came before is the registered person's,
            # and the consent is asked for, and recorded, anew.
            conversation.intake_started_at = turn.now
            conversation.consent_at = conversation.consent_version = None
            conversation.case_id = None  # the case stays the earlier person's
            conversation.handoff_to = None
        conversation.answers, conversation.history = {}, []
        conversation.editing = False
        conversation.step = SAFETY
        turn.say(N_("Let's start again."))
        return await self._prompt(session, turn)

    async def _my_data(self, session: AsyncSession, turn: Turn) -> None:
        reply = await my_data(session, turn.conversation, turn.t)
        if self.booking is not None:
            line = await self.booking.summary_line(
                session, turn.t, case_id=turn.conversation.case_id, now=turn.now
            )
            if line:
                reply = dataclasses.replace(reply, text=f"{reply.text}\n{line}")
        turn.replies.append(reply)
        if not reply.choices:  # nothing stored: carry on with the question
            return await self._prompt(session, turn)

    async def _human(self, session: AsyncSession, turn: Turn) -> None:
        point, registered = self.config.contact_point, turn.conversation.case_id is not None
        turn.replies.append(
            render.talk_to_staff(
                turn.t, point, hours=opening_hours(point, turn.t.locale), registered=registered
            )
        )
        turn.events.append("human_requested")
        if turn.conversation.case_id is not None:  # registered: top of the staff's queue
            await casework.request_human(session, turn.conversation.case_id, now=turn.now)

    async def _ask_delete(self, session: AsyncSession, turn: Turn) -> None:
        turn.replies.append(render.delete_question(turn.t))

    async def _delete(self, session: AsyncSession, turn: Turn) -> None:
        conversation = turn.conversation
        # Telegram can delete the chat's messages; the widget clears itself (clear=True).
        take_back = conversation.channel in self.config.outbox_channels
        await delete_personal_data(session, conversation, now=turn.now, take_back=take_back)
        turn.events.append("deleted")
        if conversation.channel in self.config.fetch_channels:  # the web widget
            done = turn.t.gettext(
                N_("Everything you told me has been deleted, and this window no longer shows it.")
            )
        else:
            done = turn.t.gettext(
                N_(
                    "Everything you told me has been deleted, and our messages of the last "
                    "two days are being removed from this chat. To remove older ones, delete "
                    "this chat in your app."
                )
            )
        turn.replies.append(Reply(text=done, clear=True))
        turn.replies.append(render.language_question(turn.t, welcome=False))
        conversation.step = LANGUAGE

    async def _register(self, session: AsyncSession, turn: Turn) -> None:
        conversation = turn.conversation
        answers = conversation.answers
        assert conversation.consent_at is not None and conversation.consent_version
        registration = Registration(
            answers=Answers.from_document(answers_document(answers)),
            channel=conversation.channel,
            chat_id=conversation.chat_id,
            locale=conversation.locale,
            consent_version=conversation.consent_version,
            consent_at=conversation.consent_at,
            display_name=answers.get("name"),
            phone=answers.get("phone"),
            source=conversation.source,
            district=answers.get("district"),
            point_id=(
                self.config.contact_points.for_district(answers.get("district")).id
                if self.config.contact_points
                else None
            ),
        )
        case, result = await register_case(
            session, registration=registration, thresholds=self.config.thresholds
        )
        assert case.person_id is not None
        await consent.attach(session, conversation_id=conversation.id, person_id=case.person_id)
        case.intake_started_at = conversation.intake_started_at
        conversation.case_id = case.id
        conversation.step = DONE
        conversation.history = []
        turn.case_reference = case.reference
        alerts = self.config.staff_alerts
        if alerts is not None and result.urgency in alerts.urgencies:
            points = self.config.contact_points
            alert = render.staff_alert(
                Translator(alerts.locale),
                reference=case.reference or "",
                urgency=result.urgency,
                # The city's name for the district, never the person's own words (they
                # may hold a street and a house number).
                district=points.for_district(case.district).district_named(case.district)
                if points
                else None,
                url=alerts.case_url.format(reference=case.reference),
            )
            outbox.enqueue(
                session,
                channel=alerts.channel,
                chat_id=alerts.chat_id,
                kind="staff_alert",
                body=alert.to_dict(),
                now=turn.now,
            )
            turn.events.append("staff_alerted")
        turn.events += ["registered", f"urgency:{result.urgency}"]
        turn.replies.append(
            render.registered(
                turn.t,
                reference=case.reference or "",
                result=result,
                point=self.config.contact_point,
                crisis_months=self.config.thresholds.crisis_housing_max_months,
                can_book=self.booking is not None,
            )
        )

    async def _prompt(self, session: AsyncSession, turn: Turn) -> None:
        """Ask (again) what the conversation is waiting for."""
        conversation, t = turn.conversation, turn.t
        step = conversation.step
        if step in (LANGUAGE, NEW):
            reply = render.language_question(t, welcome=False)
        elif step == SUMMARY:
            reply = render.summary(t, conversation.answers)
        elif step == EDIT:
            reply = render.edit_picker(t, conversation.answers)
        elif step == DECLINED:
            reply = render.declined(t, self.config.contact_point)
        elif step == DONE:
            reference = (
                await session.scalar(select(Case.reference).where(Case.id == conversation.case_id))
                if conversation.case_id
                else None
            )
            reply = render.already_registered(t, reference, can_book=self.booking is not None)
        else:
            step_def = BY_KEY[step]
            selection = (
                tuple(conversation.answers.get(step) or ()) if step_def.kind == "multi" else ()
            )
            reply = render.question(
                t,
                step_def,
                conversation.answers,
                can_go_back=bool(conversation.history),
                selection=selection,
            )
            if step == "phone" and conversation.channel in self.config.fetch_channels:
                # The web chat lives in one browser tab: "we will write to you here"
                # holds only while it stays open.
                warning = t.gettext(
                    N_(
                        "This chat stays only while this window is open. Without a phone "
                        "number, staff cannot reach you once you close it."
                    )
                )
                reply = dataclasses.replace(reply, text=f"{reply.text}\n\n{warning}")
        turn.replies.append(reply)


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


def _moment(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        return None


def _find_option(options: tuple[Option, ...], key: str) -> Option | None:
    return next((o for o in options if o.key == key), None)


# Words that show a question is English (a Czech question may share topic words with
# an English entry: "hostel cena" is not English).
_ENGLISH_WORDS = frozenset(  # none of them a Czech word ("a", "i", "to", "do" are)
    (
        *("you", "we", "my", "our", "your", "is", "are", "am", "does", "can", "could"),
        *("how", "what", "where", "when", "who", "why", "the", "an", "of", "for", "have"),
        *("has", "need", "please", "hello"),
    )
)


def _clearly_written_in(text: str, locale: str) -> bool:
    """Whether ``text`` is clearly in ``locale``: Cyrillic for Ukrainian, two English
    function words for English (Czech is the default and never switched to this way)."""
    if locale == "uk":
        return in_cyrillic(text)
    if locale == "en":
        words = re.findall(r"[a-z']+", text.lower())
        return len(_ENGLISH_WORDS.intersection(words)) >= 2
    return False


def _language_from_text(text: str) -> str | None:
    folded = fold(text).strip(" .!")
    names = {
        "cs": ("cs", "cz", "cesky", "cestina", "czech", "1"),
        "en": ("en", "english", "anglicky", "anglictina", "англійська", "2"),
        "uk": ("uk", "ua", "ukrainian", "українська", "украинский", "ukrajinsky", "3"),
    }
    for code, words in names.items():
        if folded in {fold(w) for w in words}:
            return code
    return None
