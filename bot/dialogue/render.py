"""Building the replies: questions with their buttons, the summary and the result.

Payloads of buttons: ``ans:STEP:OPTION`` answers a question, ``tog:STEP:OPTION``
ticks an option of a multiple choice, ``nav:ACTION`` moves in the conversation
and ``lang:CODE`` switches the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogue.script import BY_KEY, N_, QUESTION_KEYS, STEPS, Step, applies, progress
from bot.dialogue.translator import Translator
from bot.dialogue.types import Choice, Link, Reply
from intake.contact_point import ContactPoint
from intake.triage import Result

LANGUAGE_NAMES = {"cs": "Čeština", "en": "English", "uk": "Українська"}

ERRORS: dict[str, str] = {
    "not_a_number": N_("Please write the amount as a number, for example 12 000."),
    "negative": N_("The number cannot be negative."),
    "amount_too_large": N_("That amount looks too high. Please check it."),
    "not_a_count": N_("Please write a number, for example 2."),
    "count_too_small": N_("The number must be at least %(minimum)s."),
    "count_too_large": N_(
        "Please write a number up to %(maximum)s. If there are more of you, "
        "tell the staff at the contact point."
    ),
    "not_days": N_("Please write a number of days or a date, for example 14 or 15. 12."),
    "not_a_date": N_("That date does not exist. Please write it like this: 15. 12."),
    "date_in_past": N_(
        "That date has already passed. If you should have left already, write 0; "
        "otherwise write a date in the future."
    ),
    "days_too_large": N_(
        'That is more than three years away. If you are not sure, tap "I don\'t know".'
    ),
    "not_a_phone": N_("Please write a phone number, for example +420 777 123 456."),
    "not_a_name": N_("Please write a name using letters."),
    "name_too_long": N_("Please write a shorter name, at most %(maximum)s characters."),
    "not_an_option": N_("Please tap one of the buttons."),
}

PROGRAM_TEXT: dict[str, str | None] = {
    "emergency_help": N_("Urgent help now."),
    "crisis_housing": None,  # plural: see program_line
    "housing_first": N_("Housing First: your own flat, with a social worker who supports you."),
    "social_housing": N_("Social housing: a flat with regular support from a social worker."),
    "affordable_housing": N_("Affordable housing: a flat with a lower rent."),
    "housing_loss_prevention": N_(
        "Help to keep your home: talking to the landlord, a payment plan, benefits."
    ),
    "debt_counselling": N_("Free help with debts."),
    "benefits_advice": N_("Advice on state help with housing costs."),
    "information_only": N_("Information and advice about housing."),
}

URGENCY_TEXT = {
    "emergency": N_(
        "Your situation is urgent. The contact point's staff have been told "
        "and will contact you as soon as possible. If you are in danger, call 112."
    ),
    "high": N_("Your situation needs help soon. Staff will look at your case among the first."),
    "medium": N_("Staff will look at your case and contact you."),
    "low": N_("Staff will look at your case and contact you."),
}


def button(t: Translator, label: str, payload: str, *, selected: bool = False) -> Choice:
    return Choice(label=t.gettext(label), payload=payload, selected=selected)


def language_question(t: Translator, *, welcome: bool) -> Reply:
    text = t.gettext("Which language do you want to use?")
    if welcome:
        text = (
            t.gettext(
                "Hello, I am the assistant of the housing contact point. I can help you find "
                "a solution to your housing situation. It is free and confidential."
            )
            + "\n\n"
            + text
        )
    return Reply(
        text=text,
        choices=tuple(
            Choice(label=name, payload=f"lang:{code}", selected=code == t.locale)
            for code, name in LANGUAGE_NAMES.items()
        ),
    )


def question(
    t: Translator,
    step: Step,
    answers: Mapping[str, Any],
    *,
    can_go_back: bool,
    selection: tuple[str, ...] = (),
) -> Reply:
    lines = []
    if step.numbered:
        number, total = progress(step.key, answers)
        lines.append(t.gettext("Question %(number)s of %(total)s", number=number, total=total))
    lines.append(t.gettext(step.question))
    if step.hint:
        lines.append(t.gettext(step.hint))
    options = step.options_for(answers)
    if step.kind == "multi":
        choices = [
            button(t, o.label, f"tog:{step.key}:{o.key}", selected=o.key in selection)
            for o in options
        ]
        choices.append(button(t, N_("None of these"), f"ans:{step.key}:none"))
        choices.append(button(t, N_("Done"), "nav:done"))
    else:
        choices = [
            Choice(
                label=t.gettext(o.label) if step.kind != "count" else o.label,
                payload=f"ans:{step.key}:{o.key}",
            )
            for o in options
        ]
    if step.optional and step.kind != "multi":
        choices.append(button(t, N_("Skip"), "nav:skip"))
    if can_go_back:
        choices.append(button(t, N_("Back"), "nav:back"))
    return Reply(text="\n".join(lines), choices=tuple(choices))


def emergency_numbers(t: Translator) -> Reply:
    return Reply(
        text=t.gettext(
            "Important phone numbers:\n"
            "If you are in danger, call 112 now (or the police on 158). It is free.\n"
            "Violence at home: call 116 006, free and nonstop (Bílý kruh bezpečí).\n"
            "You can carry on here when you are safe."
        ),
        links=(
            Link(t.gettext("Call 112"), "tel:112"),
            Link(t.gettext("Call the police 158"), "tel:158"),
            Link(t.gettext("Call 116 006"), "tel:116006"),
        ),
    )


def help_text(t: Translator) -> Reply:
    """What the bot can do — and, since "pomoc" (help) may be a cry for it, how to call
    for help now (not on the first line: a phone's notification shows that one)."""
    commands = t.gettext(
        "You can tap the buttons or write your answer.\n"
        "/back – the previous question\n/skip – skip a question\n"
        "/restart – start again\n/language – change the language\n"
        "/mydata – what I store about you\n/delete – delete your data\n"
        "/human – talk to a person\n/book – book an appointment"
    )
    danger = t.gettext("If you are in danger, call 112 or the police on 158. It is free.")
    return Reply(
        text=f"{commands}\n\n{danger}",
        links=(
            Link(t.gettext("Call 112"), "tel:112"),
            Link(t.gettext("Call the police 158"), "tel:158"),
        ),
    )


def declined(t: Translator, point: ContactPoint) -> Reply:
    return Reply(
        text=t.gettext(
            "That is fine. I will not store anything about you. You can still come to "
            "the contact point or call it, without giving your name:\n%(contact)s\n\n"
            "In danger, call 112. If you change your mind, tap the button below.",
            contact=contact_lines(point),
        ),
        choices=(
            button(t, N_("I agree after all"), "nav:consent"),
            button(t, N_("Start again"), "nav:restart"),
        ),
    )


def contact_lines(point: ContactPoint) -> str:
    return f"{point.name}\n{point.address}\n{point.phone} · {point.email}"


def format_value(t: Translator, step: Step, value: Any, answers: Mapping[str, Any]) -> str:
    if value is None:
        return t.gettext("not given")
    if step.kind == "multi":
        labels = {o.key: o.label for o in step.options_for(answers)}
        chosen = [t.gettext(labels[v]) for v in value if v in labels]
        return ", ".join(chosen) if chosen else t.gettext("none")
    if step.kind == "amount":
        return t.amount(value)
    if step.kind == "days":
        if value in (0, 1):
            return t.gettext("today") if value == 0 else t.gettext("tomorrow")
        return t.ngettext("in %(num)s day", "in %(num)s days", value)
    if step.kind == "choice":
        for option in step.options_for(answers):
            if option.value == value:
                return t.gettext(option.label)
    return str(value)


def answered_questions(answers: Mapping[str, Any]) -> list[Step]:
    return [
        BY_KEY[key] for key in QUESTION_KEYS if key in answers and applies(BY_KEY[key], answers)
    ]


def answers_text(t: Translator, answers: Mapping[str, Any]) -> str:
    shown = [s for s in STEPS if s.summary_label and s.key in answers and applies(s, answers)]
    return "\n".join(
        f"• {t.gettext(s.summary_label)}: {format_value(t, s, answers[s.key], answers)}"
        for s in shown
    )


def summary(t: Translator, answers: Mapping[str, Any]) -> Reply:
    text = "\n".join(
        [
            t.gettext("Please check your answers:"),
            answers_text(t, answers),
            t.gettext("Is everything right? Then I will pass it to the contact point."),
        ]
    )
    return Reply(
        text=text,
        choices=(
            button(t, N_("Yes, send it"), "nav:confirm"),
            button(t, N_("Correct an answer"), "nav:edit"),
            button(t, N_("Back"), "nav:back"),
        ),
    )


def edit_picker(t: Translator, answers: Mapping[str, Any]) -> Reply:
    return Reply(
        text=t.gettext("Which answer do you want to change?"),
        choices=(
            *tuple(
                button(t, s.summary_label, f"edit:{s.key}") for s in answered_questions(answers)
            ),
            button(t, N_("Back to the summary"), "nav:summary"),
        ),
    )


def program_line(t: Translator, program: str, crisis_months: int) -> str:
    if program == "crisis_housing":
        return t.ngettext(
            "Crisis housing: a safe place to stay for a short time (up to %(num)s month).",
            "Crisis housing: a safe place to stay for a short time (up to %(num)s months).",
            crisis_months,
        )
    return t.gettext(PROGRAM_TEXT[program] or "")


def after_registration(t: Translator, *, can_book: bool) -> tuple[Choice, ...]:
    book = (button(t, N_("Book an appointment"), "bk:start:n"),) if can_book else ()
    return (*book, button(t, N_("Start again"), "nav:restart"))


def registered(
    t: Translator,
    *,
    reference: str,
    result: Result,
    point: ContactPoint,
    crisis_months: int,
    can_book: bool = False,
) -> Reply:
    programs = "\n".join("• " + program_line(t, p, crisis_months) for p in result.programs)
    text = "\n\n".join(
        [
            t.gettext(
                "Thank you. Your answers are with the contact point. "
                "Your case number is %(reference)s.",
                reference=reference,
            ),
            t.gettext(URGENCY_TEXT[result.urgency]),
            t.gettext("From your answers, this may help you:") + "\n" + programs,
            t.gettext(
                "This is not a decision. The contact point's staff will go through your "
                "situation with you. Flats are allocated by the city and benefits are "
                "decided by the Labour Office."
            ),
            t.gettext("You can also come or call:") + "\n" + contact_lines(point),
        ]
    )
    return Reply(text=text, choices=after_registration(t, can_book=can_book))


def already_registered(t: Translator, reference: str | None, *, can_book: bool = False) -> Reply:
    return Reply(
        text=t.gettext(
            "Your answers are with the contact point (case number %(reference)s). "
            "Staff will contact you. To fill in the questions again, tap Start again.",
            reference=reference or "—",
        ),
        choices=after_registration(t, can_book=can_book),
    )


def notice(t: Translator, message: str, **params: object) -> Reply:
    return Reply(text=t.gettext(message, **params))


def restart_question(t: Translator, reference: str | None) -> Reply:
    """Before a registered chat starts again (a new person on a shared phone): the
    registration stays, and deleting it is another button."""
    return Reply(
        text=t.gettext(
            "Start again, for someone else? The registration %(reference)s stays with the "
            "contact point. To have it deleted instead, tap “Delete my data”.",
            reference=reference or "",
        ),
        choices=(
            button(t, N_("Start again"), "nav:restart_confirm"),
            button(t, N_("Delete my data"), "nav:delete"),
            button(t, N_("Cancel"), "nav:keep"),
        ),
    )


def delete_question(t: Translator) -> Reply:
    return Reply(
        text=t.gettext(
            "Do you want to delete everything you told me, and your case at the "
            "contact point? This cannot be undone."
        ),
        choices=(
            button(t, N_("Yes, delete it"), "nav:delete_confirm"),
            button(t, N_("No, keep it"), "nav:keep"),
        ),
    )


URGENCY_NAMES = {
    "emergency": N_("emergency"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
}


def staff_alert(
    t: Translator, *, reference: str, urgency: str, district: str | None, url: str
) -> Reply:
    """For the staff chat: what to open, how urgent and where, nothing about the person."""
    return Reply(
        text=t.gettext(
            "New case %(reference)s, urgency: %(urgency)s, part of the city: %(district)s."
            "\nOpen it: %(url)s",
            reference=reference,
            urgency=t.gettext(URGENCY_NAMES[urgency]),
            district=district or t.gettext("not given"),
            url=url,
        )
    )


def talk_to_staff(t: Translator, point: ContactPoint, *, hours: str, registered: bool) -> Reply:
    lines = [
        t.gettext(
            "You can talk to the contact point's staff by phone or in person:\n%(contact)s",
            contact=contact_lines(point),
        ),
        t.gettext("Open: %(hours)s", hours=hours),
        t.gettext("In danger, call 112 at any time."),
    ]
    if registered:
        lines.append(
            t.gettext("Your request is now first in the staff's list: they will contact you.")
        )
    return Reply(text="\n".join(lines))
