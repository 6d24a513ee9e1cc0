"""The workbench end to end in a real browser: Playwright driving Debian's chromium.

The server runs on 127.0.0.1 and a free port, on three processed demo
interviews (tests/workbench_study.py). Chromium comes from apt
(scripts/setup.sh --test installs it); Playwright's own browser download is
not used, so it is launched by path (``$QUALPIPE_CHROMIUM`` or
/usr/bin/chromium).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.codebook import load_codebook
from pipeline.coding.human import read_human_file
from pipeline.settings import load_study
from pipeline.serve import Server
from pipeline.store import StudyStore
from workbench_study import workbench_study

CHROMIUM = Path(os.environ.get("QUALPIPE_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    study = load_study(workbench_study(tmp_path_factory, "serve-browser"))
    running = Server(study, host="127.0.0.1", port=0).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: run scripts/setup.sh --test (installs it from apt) "
                    "or set QUALPIPE_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


def open_as(browser, server, coder: str):
    """A fresh browser profile that opened the printed URL and chose a coder."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url)
    assert page.url == server.base_url + "/"  # the token became a cookie and left the address
    page.get_by_role("link", name="Velg koder").click()
    page.fill("#navn", coder)
    page.press("#navn", "Enter")
    page.wait_for_url(server.base_url + "/")
    assert page.locator("#coder-name").inner_text() == coder
    return context, page, errors


def decisions(server, coder: str) -> dict[str, set[str]]:
    """What data/coded/human/<coder>.csv holds."""
    study = server.study
    with StudyStore(study.store_path) as store:
        ids = {s.segment_id for s in store.segments(speaker="informant")}
    codes = set(load_codebook(study.codebook_path).ids)
    return {sid: set(d.codes) for sid, d in read_human_file(study.human_dir / f"{coder}.csv", ids, codes).items()}


def saved(page) -> None:
    """Every write the page sent has its answer, and the last one was stored."""
    page.locator('body[data-pending="0"]').wait_for(state="attached")
    assert page.locator("#status").inner_text().startswith("Lagret")


def test_the_token_is_enforced(browser, server):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(server.base_url + "/")
    assert response.status == 401 and "Ingen tilgang" in page.content()
    assert page.goto(server.base_url + "/?token=feil").status == 401
    assert page.goto(server.base_url + "/informant/2").status == 401
    context.close()


def test_two_coders_code_with_the_keyboard_at_once_and_see_it_after_reload(browser, server):
    a_context, a, a_errors = open_as(browser, server, "koder_a")
    b_context, b, b_errors = open_as(browser, server, "koder_b")
    # Coder A goes from the study page to a transcript; coder B opens the same one by its address.
    a.get_by_role("link", name="boligkjøper 2", exact=True).click()
    b.goto(server.base_url + "/informant/2")
    a.wait_for_url(server.base_url + "/informant/2*")
    segments = a.locator(".seg.codable")
    ids = [segments.nth(i).get_attribute("data-id") for i in range(4)]
    assert a.locator(".seg.focus").get_attribute("data-id") == ids[0]  # keyboard focus starts on the first one

    a.keyboard.press("1")                      # segment 1: stability
    b.keyboard.press("ArrowDown")
    b.keyboard.press("3")                      # B, meanwhile, codes segment 2 as standard
    a.keyboard.press("ArrowDown")
    a.keyboard.press("2")                      # segment 2: information
    a.keyboard.press("4")                      # ... and discount (multi-label)
    a.keyboard.press("ArrowDown")
    a.keyboard.press("Shift+ArrowDown")        # segments 3 and 4 together
    a.keyboard.press("1")
    b.keyboard.press("1")
    saved(a)
    saved(b)

    a.reload()
    for sid, codes in ((ids[0], "stability"), (ids[1], "information discount"), (ids[2], "stability"),
                       (ids[3], "stability")):
        assert a.locator(f'[data-id="{sid}"]').get_attribute("data-codes") == codes
    assert a.locator(f'[data-id="{ids[0]}"] .mark').all_inner_texts() == ["Stabilitet og trygghet"]
    assert a.locator(f'[data-id="{ids[1]}"] .mark').all_inner_texts() == \
        ["Informasjon og oppfølging", "Pris og rabatt"]
    assert decisions(server, "koder_a") == {ids[0]: {"stability"}, ids[1]: {"information", "discount"},
                                            ids[2]: {"stability"}, ids[3]: {"stability"}}
    assert decisions(server, "koder_b") == {ids[1]: {"standard", "stability"}}
    # Each coder still sees only their own decision on the segment both coded.
    b.reload()
    assert b.locator(f'[data-id="{ids[1]}"]').get_attribute("data-codes") == "stability standard"
    # The back button returns to the study page, which now counts the new decisions.
    a.go_back()
    assert a.url == server.base_url + "/"
    assert "koder_a" in a.locator("table").first.inner_text()
    assert not a_errors and not b_errors
    a_context.close()
    b_context.close()
