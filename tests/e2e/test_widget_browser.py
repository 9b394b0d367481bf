"""The widget in a real browser: Playwright driving Debian's Chromium, headless,
against `kmb serve` started by the test (as a separate process)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.dialogue.models import Conversation, Message
from bot.web.sessions import WebSession
from intake.db import Database
from intake.models import Case
from tests.bot.test_intake_conversations import EXAMPLES, walk_through
from tests.served import Served, kmb_serve

playwright_api = pytest.importorskip("playwright.async_api")
if not Path(os.environ.get("KMB_CHROMIUM", "/usr/bin/chromium")).exists():
    if os.environ.get("KMB_TEST_REQUIRE_BROWSER") == "1":
        raise RuntimeError("Chromium is required for the browser tests (scripts/test.sh)")
    pytest.skip("no Chromium: install Debian's chromium package", allow_module_level=True)

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("KMB_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SMALL_PHONE = {"width": 360, "height": 640}  # a cheap phone: a long answer is taller than the chat
HOST = "#kmb-intake-widget"
STORED = "JSON.parse(sessionStorage.getItem('kmb-intake') || '{}')"  # the widget's state


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """`kmb serve` in its own process, on a fresh database."""
    with kmb_serve(
        request,
        tmp_path_factory,
        request.param,
        widget_exit_url="about:blank",
        flood_limit_per_minute="1000",
        widget_rate_per_session="1000/minute",
    ) as served:
        yield served


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    async with playwright_api.async_playwright() as p:
        chromium = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def database(served: Served) -> AsyncIterator[Database]:
    db = Database(served.database_url)
    yield db
    await db.dispose()


async def open_page(browser, served: Served, viewport: dict, path: str = "/"):
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.errors = errors
    await page.goto(served.base + path)
    return page


async def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def count_script(selector: str) -> str:
    return (
        f"() => document.querySelector('{HOST}').shadowRoot.querySelectorAll('{selector}').length"
    )


@dataclass
class WidgetChat:
    """The engine-test conversation interface, spoken through the widget in a browser."""

    page: object
    db: Database
    last_text: str = ""

    async def _cursor(self) -> int:
        """The widget's own cursor: the place of the last message it received."""
        return await self.page.evaluate(f"() => ({STORED}).cursor || 0")

    async def _settle(self, before: int) -> None:
        """Wait for the answer (something past ``before``); keep the text of what came."""
        await self.page.wait_for_function(
            f"""() => {{ const r = document.querySelector('{HOST}').shadowRoot;
                return ({STORED}).cursor > {before}
                    && r.querySelectorAll('.msg.pending').length === 0
                    && r.querySelector('.typing').hidden; }}""",
            timeout=15_000,
        )
        # The log is drawn from the stored list, one bubble per entry, in order.
        texts = await self.page.evaluate(
            f"""() => {{ const bubbles = document.querySelector('{HOST}').shadowRoot
                    .querySelectorAll('.msg');
                return ({STORED}).log.map((m, i) => [m, bubbles[i]])
                    .filter(([m]) => m.who === 'bot' && m.id > {before})
                    .map(([, b]) => b.textContent); }}"""
        )
        self.last_text = "\n".join(texts)

    async def press(self, payload: str) -> None:
        before = await self._cursor()
        await self.page.locator(f".chip[data-payload='{payload}']:not([disabled])").click()
        await self._settle(before)

    async def type(self, text: str) -> None:
        before = await self._cursor()
        await self.page.locator("#kmb-input").fill(text)
        await self.page.locator("#kmb-input").press("Enter")
        await self._settle(before)

    @property
    def text(self) -> str:
        return self.last_text

    async def chat_id(self) -> str:
        stored = await self.page.evaluate("() => sessionStorage.getItem('kmb-intake')")
        token = json.loads(stored)["token"]
        async with self.db.sessions() as session:
            return await session.scalar(
                select(WebSession.chat_id).where(
                    WebSession.token_hash == hashlib.sha256(token.encode()).hexdigest()
                )
            )

    async def conversation(self) -> Conversation:
        chat_id = await self.chat_id()
        async with self.db.sessions() as session:
            return await session.scalar(
                select(Conversation).where(
                    Conversation.channel == "web", Conversation.chat_id == chat_id
                )
            )

    async def step(self) -> str:
        return (await self.conversation()).step


async def start_chat(page, db: Database, label: str = "Pomoc s bydlením") -> WidgetChat:
    """Open the widget with its launcher and wait for the first message."""
    await page.get_by_role("button", name=label).click()
    await page.wait_for_function(f"() => ({count_script('.msg.bot')})() > 0")
    return WidgetChat(page, db)


@pytest.mark.parametrize(
    ("example", "language", "viewport"),
    [(EXAMPLES[1], "cs", PHONE), (EXAMPLES[5], "uk", DESKTOP)],
    ids=["cs-phone", "uk-desktop"],
)
async def test_a_complete_intake_by_clicking_and_typing(
    browser, served: Served, database: Database, example: dict, language: str, viewport: dict
) -> None:
    page = await open_page(browser, served, viewport)
    chat = await start_chat(page, database)
    await walk_through(chat, example["answers"], language=language)
    await screenshot(page, f"widget-summary-{language}")
    await chat.press("nav:confirm")
    conversation = await chat.conversation()
    async with database.sessions() as session:
        case = await session.get(Case, conversation.case_id)
    assert case.reference in chat.text and case.result == example["result"]
    assert case.locale == language
    await screenshot(page, f"widget-registered-{language}")
    assert page.errors == []


async def test_booking_offers_the_calendar_file_for_download(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await walk_through(chat, EXAMPLES[2]["answers"], language="cs")
    await chat.press("nav:confirm")
    await chat.press("bk:start:n")
    await chat.press("bk:p:centrum:n")
    day = page.locator(".chip[data-payload^='bk:d:centrum:']:not([disabled])").first
    await chat.press(await day.get_attribute("data-payload"))
    time = page.locator(".chip[data-payload^='bk:t:centrum:']:not([disabled])").first
    await chat.press(await time.get_attribute("data-payload"))
    assert "Máte objednaný termín" in chat.text
    link = page.get_by_role("link", name="Přidat do kalendáře")
    async with page.expect_download() as info:
        await link.click()
    download = await info.value
    assert download.suggested_filename == "appointment.ics"
    content = await asyncio.to_thread(Path(await download.path()).read_text, "utf-8")
    assert "BEGIN:VEVENT" in content and "Masarykovo" in content
    await screenshot(page, "widget-booked-cs")
    assert page.errors == []


async def test_a_reload_continues_and_quick_exit_leaves_no_trace(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await chat.press("lang:en")
    await chat.press("ans:immediate_danger:no")
    await page.reload()
    assert await page.evaluate(count_script(".msg.bot")) >= 3  # the log is back
    await chat.press("ans:consent:agree")
    assert await chat.step() == "housing_group"
    assert await page.evaluate("() => localStorage.length") == 0
    assert (await page.context.cookies()) == []

    await page.get_by_role(
        "button", name="Quick exit: leave this page at once and hide the chat"
    ).first.click()
    await page.wait_for_url("about:blank")
    await page.goto(served.base + "/")
    stored = json.loads(await page.evaluate("() => sessionStorage.getItem('kmb-intake')"))
    assert stored["token"] is None and stored["log"] == []  # nothing of the conversation
    assert await page.evaluate(count_script(".msg")) == 0


async def test_deleting_the_data_clears_the_window_too(
    browser, served: Served, database: Database
) -> None:
    """/delete erases the data on the server; the widget then stops showing (and
    keeping in the tab's storage) what was said before, like a quick exit would."""
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await chat.press("lang:en")
    await chat.press("ans:immediate_danger:no")
    await chat.press("ans:consent:agree")
    await chat.type("my husband hits me, where can I go")
    await chat.type("/mydata")
    await chat.press("nav:delete")
    await page.locator(".chip[data-payload='nav:delete_confirm']:not([disabled])").click()
    await page.wait_for_function(
        f"() => document.querySelector('{HOST}').shadowRoot.textContent"
        ".includes('this window no longer shows it')",
        timeout=15_000,
    )
    shown = await page.evaluate(f"() => document.querySelector('{HOST}').shadowRoot.textContent")
    stored = await page.evaluate("() => sessionStorage.getItem('kmb-intake')")
    for trace in ("husband", "Are you in danger right now", "What I store about you"):
        assert trace not in shown and trace not in stored, trace


async def test_a_long_answer_shows_its_first_line_and_the_numbers_can_be_called(
    browser, served: Served, database: Database
) -> None:
    """On a phone: the answer to a typed question is shown from its first line (where
    "call 158 or 112" is), its phone numbers are links to call, and the text box keeps
    the focus, so the keyboard stays open for the next message."""
    page = await open_page(browser, served, SMALL_PHONE)
    chat = await start_chat(page, database)
    await chat.press("lang:cs")
    await chat.press("ans:immediate_danger:no")
    await chat.press("ans:consent:agree")
    await page.locator("#kmb-input").focus()
    await chat.type("manzel me bije, co mam delat")
    assert "158" in chat.text
    calls = await page.evaluate(
        f"() => [...document.querySelector('{HOST}').shadowRoot"
        ".querySelectorAll('.msg.bot a[href^=\"tel:\"]')].map(a => a.getAttribute('href'))"
    )
    assert {"tel:158", "tel:112", "tel:116006"} <= set(calls)
    answer = page.locator(".msg.bot", has_text="116 006").last
    log_box, answer_box = await page.locator(".log").bounding_box(), await answer.bounding_box()
    assert log_box["y"] <= answer_box["y"] < log_box["y"] + log_box["height"] / 2
    root = f"document.querySelector('{HOST}').shadowRoot"
    focused = await page.evaluate(f"() => {root}.activeElement?.id")
    assert focused == "kmb-input"


async def test_the_text_box_grows_with_a_long_message(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, SMALL_PHONE)
    chat = await start_chat(page, database)
    box = page.locator("#kmb-input")
    empty = (await box.bounding_box())["height"]
    await box.fill("")
    long = "We have to leave the hostel on Friday and we have two children. "
    await box.press_sequentially(long * 2)
    grown = (await box.bounding_box())["height"]
    assert grown > empty * 1.5
    await box.press("Enter")
    await chat._settle(0)
    assert (await box.bounding_box())["height"] == empty


@pytest.mark.parametrize(
    ("message", "calls"),
    [
        ("Volejte 112 nebo policii 158.", ["112", "158"]),
        ("Linka 116 006, děti 116 111.", ["116 006", "116 111"]),
        ("Tel. +420 596 000 123 nebo 596 000 124", ["+420 596 000 123", "596 000 124"]),
        ("Dluh městu: 150\u00a0000 Kč", []),  # an amount, with a no-break space
        ("Debt: 150,000 CZK; income 112 000 Kč", []),
        ("Husova 158/12, 1 155 lidí, 3.150", []),  # a house number, parts of numbers
    ],
)
async def test_only_phone_numbers_become_links_to_call(
    browser, served: Served, message: str, calls: list[str]
) -> None:
    """The widget's own pattern (read from widget.js), run in the browser."""
    source = (Path(__file__).parents[2] / "bot/web/static/widget.js").read_text()
    pattern = re.search(r"const PHONE = (/.+/g);", source).group(1)
    page = await open_page(browser, served, DESKTOP)
    found = await page.evaluate(f"(text) => [...text.matchAll({pattern})].map(m => m[0])", message)
    assert found == calls


async def test_a_multiple_choice_is_shown_once_however_often_it_is_tapped(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await walk_through(chat, EXAMPLES[1]["answers"], "en", until="vulnerabilities")
    await chat.press("tog:vulnerabilities:disability")
    await chat.press("tog:vulnerabilities:pregnancy")
    await chat.press("tog:vulnerabilities:pregnancy")  # and off again
    questions = page.locator(".msg.bot", has=page.locator(".chip[data-payload='nav:done']"))
    assert await questions.count() == 1
    pressed = questions.locator(".chip[aria-pressed='true']")
    assert await pressed.all_inner_texts() == ["Disability"]
    await chat.press("nav:done")
    assert (await chat.conversation()).answers["vulnerabilities"] == ["disability"]


async def test_escape_twice_is_a_quick_exit(browser, served: Served, database: Database) -> None:
    page = await open_page(browser, served, DESKTOP)
    await start_chat(page, database)
    await page.keyboard.press("Escape")
    await page.keyboard.press("Escape")
    await page.wait_for_url("about:blank")


async def test_offline_then_online_delivers_the_message_once(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    for payload in (
        "lang:en",
        "ans:immediate_danger:no",
        "ans:consent:agree",
        "ans:housing_group:home",
        "ans:situation:overcrowding",
        "ans:sleeping_place_tonight:safe",
    ):
        await chat.press(payload)
    before = await chat._cursor()
    await page.context.set_offline(True)
    await page.locator("#kmb-input").fill("3")
    await page.locator("#kmb-input").press("Enter")
    await page.wait_for_function(f"() => ({count_script('.msg.pending')})() === 1")
    await page.wait_for_function(
        f"() => !document.querySelector('{HOST}').shadowRoot.querySelector('.offline').hidden"
    )
    await screenshot(page, "widget-offline")
    await asyncio.sleep(1.5)
    await page.context.set_offline(False)
    await chat._settle(before)
    conversation = await chat.conversation()
    assert conversation.answers["adults"] == 3 and conversation.step == "children"
    async with database.sessions() as session:
        typed = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation.id, Message.text == "3")
        )
    assert typed == 1
    questions = await page.evaluate(
        f"() => [...document.querySelector('{HOST}').shadowRoot.querySelectorAll('.msg.bot')]"
        ".filter(m => m.textContent.includes('children under 18')).length"
    )
    assert questions == 1


async def test_a_server_busy_for_long_is_retried_a_limited_number_of_times(
    browser, served: Served, database: Database
) -> None:
    """The server answers "busy, try again" (503, Retry-After) for longer than a minute:
    the widget resends the same message 12 times, shows the apology once while it
    tries and once when it gives up, and then stops. (The outage is played by the
    browser's request routing: keeping a real database away for a minute would slow
    every other test of this module.)"""
    if not served.database_url.startswith("sqlite"):
        pytest.skip("the widget's behaviour does not depend on the database")
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await chat.press("lang:en")
    sent: list[str] = []

    async def busy(route) -> None:
        if route.request.method != "POST":
            await route.continue_()
            return
        sent.append(json.loads(route.request.post_data)["id"])
        await route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/problem+json"},
            body=json.dumps({"status": 503, "title": "Service Unavailable", "detail": "Busy."}),
        )

    await page.route("**/widget/api/messages*", busy)
    await page.locator(".chip[data-payload='ans:immediate_danger:no']").click()
    apologies = (
        f"() => [...document.querySelector('{HOST}').shadowRoot.querySelectorAll('.msg.bot')]"
        ".filter(m => m.textContent.includes('Busy.')).length"
    )
    await page.wait_for_function(f"() => ({apologies})() === 2", timeout=40_000)
    await asyncio.sleep(2.5)  # long enough for another attempt, were there one
    assert len(sent) == 12 and len(set(sent)) == 1  # the same message, a limited number of times
    assert await page.evaluate(apologies) == 2  # said while trying, and when giving up
    # and the person's message still says it was not sent
    assert await page.evaluate(count_script(".msg.me.pending")) == 1


async def test_a_page_load_leaves_the_focus_to_the_page(browser, served: Served) -> None:
    page = await open_page(browser, served, DESKTOP)
    await page.wait_for_function(f"() => !!document.querySelector('{HOST}')")
    assert await page.evaluate("() => document.activeElement === document.body")
    # Even when the chat was left open without a session (it starts one by itself).
    await page.evaluate(
        "() => sessionStorage.setItem('kmb-intake', JSON.stringify("
        "{open: true, token: null, cursor: 0, pending: [], log: [], lang: 'cs'}))"
    )
    await page.reload()
    await page.wait_for_function(f"() => ({count_script('.chip:not([disabled])')})() > 0")
    assert await page.evaluate("() => document.activeElement === document.body")


async def test_an_expired_session_says_so_and_goes_on_in_a_new_one(
    browser, served: Served, database: Database
) -> None:
    """The person comes back after the session expired: what they type is not lost;
    they read that the conversation ended, and a new one begins with their message."""
    page = await open_page(browser, served, PHONE)
    chat = await start_chat(page, database)
    await chat.press("lang:en")
    old_chat = await chat.chat_id()
    async with database.engine.begin() as connection:  # as the expiry job would
        await connection.execute(text("DELETE FROM web_session"))
    await page.locator("#kmb-input").fill("hello")
    await page.locator("#kmb-input").press("Enter")
    await page.wait_for_function(
        f"() => document.querySelector('{HOST}').shadowRoot.querySelector('.log')"
        ".textContent.includes('This conversation has ended')",
        timeout=15_000,
    )
    await page.wait_for_function(f"() => ({count_script('.msg.pending')})() === 0")
    new_chat = await chat.chat_id()
    assert new_chat and new_chat != old_chat
    async with database.sessions() as session:
        conversation = await session.scalar(
            select(Conversation).where(Conversation.chat_id == new_chat)
        )
        typed = await session.scalar(
            select(func.count()).where(Message.conversation_id == conversation.id)
        )
    assert typed == 2  # the new session's start, then what they typed


async def test_html_in_messages_is_shown_as_text(
    browser, served: Served, database: Database
) -> None:
    page = await open_page(browser, served, DESKTOP)
    chat = await start_chat(page, database)
    await chat.type("<img src=x onerror=alert(1)><script>alert(2)</script>")
    mine = await page.evaluate(
        f"() => document.querySelector('{HOST}').shadowRoot.querySelector('.msg.me').textContent"
    )
    assert mine.startswith("<img src=x onerror=alert(1)>")
    assert await page.evaluate(count_script("img, script")) == 0
    assert page.errors == []


AGGRESSIVE = """<!doctype html><html lang="en"><head><style>
* { font-size: 40px !important; color: red !important; background: yellow !important;
    position: static !important; display: block !important; }
button { display: none !important; } div { border: 9px dashed green !important; }
</style></head><body><h1>Host page</h1><p>Text</p>
<script src="/widget.js" defer data-lang="en"></script></body></html>"""


async def test_the_widget_survives_aggressive_host_css(
    browser, served: Served, database: Database
) -> None:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    await page.route(
        served.base + "/aggressive",
        lambda route: route.fulfill(body=AGGRESSIVE, content_type="text/html"),
    )
    await page.goto(served.base + "/aggressive")
    launcher = page.get_by_role("button", name="Help with housing")
    box = await launcher.bounding_box()
    assert box and box["x"] > DESKTOP["width"] / 2 and box["y"] > DESKTOP["height"] / 2
    chat = await start_chat(page, database, label="Help with housing")
    size = await page.evaluate(
        f"() => getComputedStyle(document.querySelector('{HOST}').shadowRoot"
        ".querySelector('.msg.bot')).fontSize"
    )
    assert size == "16px"
    await chat.press("lang:en")
    await screenshot(page, "widget-aggressive-host")


async def test_keyboard_only_and_accessibility(browser, served: Served, database: Database) -> None:
    from axe_playwright_python.async_playwright import Axe

    page = await open_page(browser, served, DESKTOP)
    launcher = page.get_by_role("button", name="Pomoc s bydlením")
    await launcher.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"() => ({count_script('.chip:not([disabled])')})() > 0")
    focused = await page.evaluate(
        f"() => document.querySelector('{HOST}').shadowRoot.activeElement?.dataset.payload"
    )
    assert focused == "lang:cs"  # focus moved to the first answer
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")  # English
    await page.wait_for_function(
        f"() => !!document.querySelector('{HOST}').shadowRoot"
        ".querySelector(\".chip[data-payload='ans:immediate_danger:no']:not([disabled])\")"
    )
    live = await page.evaluate(
        f"() => document.querySelector('{HOST}').shadowRoot.querySelector('.log')"
        ".getAttribute('aria-live')"
    )
    assert live == "polite"
    results = await Axe().run(page)
    serious = [
        v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], results.generate_report()
    await page.set_viewport_size({"width": 640, "height": 400})  # about 200 % zoom of 1280×800
    await screenshot(page, "widget-zoom-200")
    send = page.get_by_role("button", name="Send")
    assert await send.is_visible()
