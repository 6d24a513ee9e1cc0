"""The workbench through its test client: the token gate, the pages, the writes, two coders at once."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
from starlette.testclient import TestClient

from pipeline.coding.agreement import coder_agreement, format_value
from pipeline.coding.human import read_human_file
from pipeline.coding.stage import code_stage
from pipeline.settings import load_study
from pipeline.serve.app import create_app
from pipeline.store import StudyStore
from test_coding_corpus import CODES, build_corpus, write_human
from workbench_study import workbench_study

TOKEN = "test-token-0123456789"
PORT = 18765
BASE = f"http://127.0.0.1:{PORT}"


def client_for(study, token: str = TOKEN) -> TestClient:
    return TestClient(create_app(study, TOKEN, PORT), base_url=BASE, follow_redirects=False)


def logged_in(study) -> TestClient:
    client = client_for(study)
    assert client.get(f"/?token={TOKEN}").status_code == 303
    return client


@pytest.fixture
def corpus(make_study):
    """A small coded study: forsker1 decided half the segments, forsker2 a quarter."""
    root, truth = build_corpus(make_study, n_informants=4, settings_extra="  min_examples_per_code: 3\n")
    ids = list(truth)  # transcript order
    write_human(root, "forsker1", {sid: truth[sid] for sid in ids[: len(ids) // 2]})
    write_human(root, "forsker2", {sid: truth[sid] for sid in ids[: len(ids) // 4]})
    study = load_study(root)
    code_stage(study)
    return study, truth


def informant_segments(study) -> list:
    with StudyStore(study.store_path) as store:
        return store.segments(speaker="informant")


def human_rows(study, coder: str) -> dict:
    with StudyStore(study.store_path) as store:
        ids = {s.segment_id for s in store.segments(speaker="informant")}
    return {sid: set(d.codes) for sid, d in read_human_file(study.human_dir / f"{coder}.csv", ids, set(CODES)).items()}


def toggle(client, coder, segment_ids, code, on=True, **extra):
    return client.post("/api/koding", json={"koder": coder, "segmenter": segment_ids, "kode": code, "på": on, **extra})


# ------------------------------------------------------------------ the token gate


def test_without_the_token_every_page_and_write_is_401(corpus):
    study, _ = corpus
    client = client_for(study)
    for path in ("/", "/informant/1", "/forslag", "/anonymisering", "/enighet", "/kjoring", "/rapport",
                 "/static/workbench.js", "/api/kjoring"):
        assert client.get(path).status_code == 401, path
    assert client.get("/?token=wrong-token").status_code == 401
    assert toggle(client, "forsker3", ["x"], "stability").status_code == 401
    assert not (study.human_dir / "forsker3.csv").exists()


def test_the_token_once_becomes_a_session_cookie_and_leaves_the_address(corpus):
    study, _ = corpus
    client = client_for(study)
    response = client.get(f"/enighet?a=forsker1&token={TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/enighet?a=forsker1"  # the token is not kept in the URL
    cookie = response.headers["set-cookie"]
    assert f"qualpipe-{PORT}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get("/")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    other = client_for(study)
    other.cookies.set(f"qualpipe-{PORT}", "guessed")
    assert other.get("/").status_code == 401


def test_foreign_hosts_origins_and_form_posts_are_refused(corpus):
    study, _ = corpus
    client = logged_in(study)
    # DNS rebinding: a page elsewhere reaching this server under its own host name.
    assert client.get("/", headers={"host": "evil.example:18765"}).status_code == 400
    segment = informant_segments(study)[0].segment_id
    body = {"koder": "forsker3", "segmenter": [segment], "kode": "stability", "på": True}
    assert client.post("/api/koding", json=body, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/koding", content=json.dumps(body),
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 415
    assert not (study.human_dir / "forsker3.csv").exists()
    assert client.post("/api/koding", json=body, headers={"origin": BASE}).status_code == 200


# ------------------------------------------------------------------------ pages


def test_study_page_shows_informants_progress_per_coder_and_what_is_stale(corpus):
    study, truth = corpus
    client = logged_in(study)
    html = client.get("/").text
    from pipeline.anonymise.sources import informant_label

    with StudyStore(study.store_path) as store:
        labels = [informant_label(study, i) for i in store.informants()]
    assert len(labels) == 4 and all(f">{label}</a>" in html for label in labels)
    assert "forsker1" in html and "forsker2" in html
    decided = len(truth) // 2
    assert f"forsker1 {decided}" in html and f"forsker2 {len(truth) // 4}" in html
    # A transcript changed since it was ingested is listed as stale.
    path = study.transcripts_dir / "k01.txt"
    path.write_text(path.read_text(encoding="utf-8") + "IP: Ny setning.\n", encoding="utf-8")
    assert "k01.txt: changed since" in client.get("/").text


def test_transcript_page_is_the_conversation_with_codes_codebook_and_suggestions(corpus):
    study, truth = corpus
    client = logged_in(study)
    client.get("/koder?navn=forsker1&neste=/informant/1")
    html = client.get("/informant/1").text
    with StudyStore(study.store_path) as store:
        segments = [s for s in store.segments() if s.informant_id == "1"]
        machine = {c.segment_id for c in store.codings() if c.source in ("rule", "model")}
    for segment in segments:
        assert segment.text in html
    assert "Intervjuer" in html and "Hva betydde det å kunne bli boende?" in html
    informant = [s for s in segments if s.speaker == "informant"]
    mine = human_rows(study, "forsker1")
    decided = next(s for s in informant if s.segment_id in mine and mine[s.segment_id])
    assert f'data-id="{decided.segment_id}"' in html
    start = html.index(f'id="seg-{decided.segment_id}"')
    assert f'data-codes="{" ".join(c for c in CODES if c in mine[decided.segment_id])}"' in html[start:start + 600]
    # The codebook beside it: labels, definitions, include/exclude, examples, number keys.
    assert "Stabilitet og trygghet" in html and "Ta med" in html and "Ta ikke med" in html and "Eksempler" in html
    assert "Hver gang kontrakten gikk ut" in html
    undecided = [s for s in informant if s.segment_id not in mine and s.segment_id in machine]
    if undecided:
        start = html.index(f'id="seg-{undecided[0].segment_id}"')
        end = html.find('id="seg-', start + 1)
        segment_html = html[start:end if end > 0 else len(html)]
        assert 'data-suggested=""' not in segment_html
        assert "mark forslag" in segment_html
    assert client.get("/informant/99").status_code == 404


def test_review_queue_lists_undecided_segments_most_uncertain_first(corpus):
    study, truth = corpus
    client = logged_in(study)
    deadline = time.monotonic() + 60
    html = client.get("/forslag").text
    while "Forbereder køen" in html and time.monotonic() < deadline:
        time.sleep(0.2)
        html = client.get("/forslag").text
    decided = set(human_rows(study, "forsker1"))
    ids = [part.split('"')[0] for part in html.split('class="item" tabindex="-1" id="item-')[1:]]
    assert ids and not set(ids) & decided
    uncertainty = [float(part.split("<")[0]) for part in html.split("usikkerhet ")[2:]]
    assert uncertainty == sorted(uncertainty, reverse=True) and len(uncertainty) == len(ids)


def test_agreement_page_shows_the_same_figures_as_the_command(corpus):
    study, _ = corpus
    html = logged_in(study).get("/enighet?a=forsker1&b=forsker2").text
    rows = coder_agreement(study, "forsker1", "forsker2")
    assert f"n = {rows[0].n} enheter" in html
    for row in rows:
        assert format_value(row.kappa) in html
    assert "Cohens kappa" in html and "Krippendorffs alfa" in html


def test_run_page_lists_the_stages_and_the_status_api_reports_progress(corpus):
    study, _ = corpus
    client = logged_in(study)
    html = client.get("/kjoring").text
    for stage in ("ingest", "anonymise", "code", "compare", "topics", "report"):
        assert f"<li>{stage}</li>" in html
    state = client.get("/api/kjoring").json()
    assert state["running"] is False and state["done"] == []


def test_anonymisation_page_without_a_key_shows_no_originals(corpus):
    study, _ = corpus
    html = logged_in(study).get("/anonymisering").text
    assert "Ingen anonymiseringsnøkkel" in html and "original" not in html.split("<main", 1)[1].split("Ingen")[0]


# ----------------------------------------------------------------------- writes


def test_toggling_a_code_writes_the_coders_human_file_and_the_store(corpus):
    study, _ = corpus
    client = logged_in(study)
    segments = [s.segment_id for s in informant_segments(study)]
    a, b = segments[-1], segments[-2]
    response = toggle(client, "forsker3", [a, b], "stability")
    assert response.status_code == 200 and response.json()["segmenter"] == {a: ["stability"], b: ["stability"]}
    assert toggle(client, "forsker3", [a], "discount").json()["segmenter"] == {a: ["stability", "discount"]}
    assert toggle(client, "forsker3", [b], "stability", on=False).json()["segmenter"] == {b: []}
    assert human_rows(study, "forsker3") == {a: {"stability", "discount"}, b: set()}
    header = (study.human_dir / "forsker3.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "segment_id,codes,codebook_version,file,turn_index,start,end,text_hash"
    with StudyStore(study.store_path) as store:
        assert set(store.human_reviews("forsker3")) == {a, b}
        assert {(c.segment_id, c.code) for c in store.codings(source="human", coder="forsker3")} == \
            {(a, "stability"), (a, "discount")}
    # Accept a suggestion whole: "decide" replaces this coder's decision on that segment.
    assert client.post("/api/avgjor", json={"koder": "forsker3", "avgjørelser": {b: ["information"]}}).json() == \
        {"segmenter": {b: ["information"]}}
    assert human_rows(study, "forsker3")[b] == {"information"}


def test_a_review_change_starts_from_the_suggestion(corpus):
    study, _ = corpus
    client = logged_in(study)
    sid = informant_segments(study)[-3].segment_id
    result = toggle(client, "forsker3", [sid], "discount", grunnlag={sid: ["stability"]}).json()
    assert result == {"segmenter": {sid: ["stability", "discount"]}}


def test_bad_writes_are_refused_and_change_nothing(corpus):
    study, _ = corpus
    client = logged_in(study)
    interviewer = next(s for s in StudyStore(study.store_path).segments() if s.speaker == "interviewer")
    informant = informant_segments(study)[0].segment_id
    before = (study.human_dir / "forsker1.csv").read_bytes()
    cases = [
        toggle(client, "forsker1", [informant], "no_such_code"),
        toggle(client, "forsker1", [interviewer.segment_id], "stability"),
        toggle(client, "forsker1", ["s-unknown"], "stability"),
        toggle(client, "model", [informant], "stability"),  # a machine's name is no human coder
        toggle(client, "../etc/passwd", [informant], "stability"),
        client.post("/api/avgjor", json={"koder": "forsker1", "avgjørelser": {informant: ["nope"]}}),
        client.post("/api/koding", content="not json", headers={"content-type": "application/json"}),
    ]
    for response in cases:
        assert response.status_code == 400 and response.json()["feil"]
    assert (study.human_dir / "forsker1.csv").read_bytes() == before
    assert sorted(p.name for p in study.human_dir.iterdir()) == ["forsker1.csv", "forsker2.csv"]


def test_two_coders_at_once_lose_nothing_and_never_overwrite_each_other(corpus):
    study, _ = corpus
    segments = [s.segment_id for s in informant_segments(study)]
    forsker1_before = human_rows(study, "forsker1")
    chosen = segments[:12]
    errors: list = []

    def code(coder: str, code_id: str) -> None:
        client = logged_in(study)
        for sid in chosen:
            response = toggle(client, coder, [sid], code_id)
            if response.status_code != 200:
                errors.append(response.text)

    def tab(code_id: str) -> None:  # one coder in two tabs, each toggling its own code on the same segments
        code("forsker4", code_id)

    threads = [threading.Thread(target=code, args=("forsker3", "standard")),
               threading.Thread(target=code, args=("forsker1", "discount")),
               threading.Thread(target=tab, args=("stability",)), threading.Thread(target=tab, args=("information",))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert human_rows(study, "forsker3") == {sid: {"standard"} for sid in chosen}
    assert human_rows(study, "forsker4") == {sid: {"stability", "information"} for sid in chosen}
    after = human_rows(study, "forsker1")
    for sid in chosen:
        assert after[sid] == forsker1_before.get(sid, set()) | {"discount"}
    assert {sid: codes for sid, codes in after.items() if sid not in chosen} == \
        {sid: codes for sid, codes in forsker1_before.items() if sid not in chosen}
    # The next run re-imports the files: the store agrees with them, the machine leaves them alone.
    files = {coder: (study.human_dir / f"{coder}.csv").read_bytes() for coder in ("forsker1", "forsker3", "forsker4")}
    code_stage(study)
    assert {coder: (study.human_dir / f"{coder}.csv").read_bytes() for coder in files} == files
    with StudyStore(study.store_path) as store:
        assert set(store.human_reviews("forsker4")) == set(chosen)


# -------------------------------------------------------------------- privacy


def test_a_page_holding_an_identifier_is_refused_by_the_guard(corpus):
    study, _ = corpus
    settings = study.root / "study.yaml"
    # The corpus's study.yaml has an anonymisation block already (the demo codebook's keep terms).
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "anonymisation:\n", "anonymisation:\n  known_identifiers: [\"PERSON: Hilde Strand\"]\n"), encoding="utf-8")
    study = load_study(study.root)
    with StudyStore(study.store_path) as store:
        leaked = [s for s in store.segments() if s.informant_id == "1"][1]
        store.conn.execute("UPDATE segments SET text = ? WHERE segment_id = ?",
                           (leaked.text + " Hilde Strand sa det.", leaked.segment_id))
    client = logged_in(study)
    page = client.get("/informant/1")
    assert page.status_code == 500 and "Hilde" not in page.text and "lekkasjevernet" in page.text
    assert client.get("/informant/2").status_code == 200


@pytest.fixture(scope="module")
def real_study(tmp_path_factory):
    return workbench_study(tmp_path_factory, "serve-client")


def test_anonymisation_review_shows_originals_with_the_key_and_records_decisions(real_study):
    from pipeline.anonymise.review import review_rows
    from pipeline.anonymise.sources import load_decisions

    study = load_study(real_study)
    rows = review_rows(study)
    assert rows, "the three demo interviews have uncertain detections"
    client = logged_in(study)
    html = client.get("/anonymisering").text
    file, segment_id, turn, start, end, kind, *_, original, _context, _ = rows[0]
    assert "originaler" in html and f'<mark class="original">{original}</mark>' in html
    assert client.get("/anonymisering").headers["cache-control"] == "no-store"
    response = client.post("/api/anonymisering", json={"funn": f"{file}:{turn}:{start}:{end}", "valg": "fjern"})
    assert response.status_code == 200
    assert any(d["original"] == original and d["decision"] == "remove" for d in load_decisions(study).values())
    assert client.post("/api/anonymisering", json={"funn": "nope:1:2:3", "valg": "fjern"}).status_code == 400
    # No other page shows an original: the anonymised transcript has the tag instead.
    with StudyStore(study.store_path) as store:
        informant_id = store.segment(segment_id).informant_id
    page = client.get(f"/informant/{informant_id}").text
    assert page.count(f">{original}<") == 0


def test_with_an_encrypted_key_originals_and_pages_wait_for_the_passphrase(real_study, tmp_path, monkeypatch):
    import shutil

    from pipeline.anonymise.keystore import encrypt, key_paths, read_key_data

    root = tmp_path / "encrypted"
    shutil.copytree(real_study, root)
    study = load_study(root)
    env = study.settings.anonymisation.key_passphrase_env
    monkeypatch.setenv(env, "")  # restored (removed) after the test, also once the app has set it
    monkeypatch.delenv(env)
    plain, encrypted = key_paths(study)
    encrypted.write_bytes(encrypt(read_key_data(study), "riktig passfrase"))
    plain.unlink()
    client = logged_in(study)
    html = client.get("/anonymisering").text
    assert 'id="passphrase-form"' in html and 'class="original"' not in html
    assert client.get("/").status_code == 503  # the guard cannot be built: fail closed
    wrong = client.post("/api/passfrase", json={"passfrase": "feil"})
    assert wrong.status_code == 400 and env not in os.environ
    assert client.post("/api/passfrase", json={"passfrase": "riktig passfrase"}).status_code == 200
    assert 'class="original"' in client.get("/anonymisering").text
    assert client.get("/").status_code == 200


def test_a_rerun_from_the_workbench_shows_progress_refuses_coding_meanwhile_and_links_the_report(real_study):
    study = load_study(real_study)
    client = logged_in(study)
    segment = informant_segments(study)[0].segment_id
    started = client.post("/api/kjoring", json={})
    assert started.status_code == 202 and started.json()["running"] is True
    assert client.post("/api/kjoring", json={}).status_code == 409  # one run at a time
    refused = toggle(client, "forsker3", [segment], "stability")
    assert refused.status_code == 400 and "re-run" in refused.json()["feil"]
    seen_stages = set()
    deadline = time.monotonic() + 300
    state = client.get("/api/kjoring").json()
    while state["running"] and time.monotonic() < deadline:
        seen_stages.add(state["current"])
        time.sleep(0.5)
        state = client.get("/api/kjoring").json()
    assert not state["running"] and not state["error"], state["error"]
    assert [name for name, _ in state["done"]] == state["stages"] == \
        ["ingest", "anonymise", "code", "compare", "topics", "report"]
    assert state["finished"] and len(seen_stages - {""}) >= 2  # progress was visible while it ran
    assert "Åpne rapporten" in client.get("/kjoring").text
    report = client.get("/rapport")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert client.get("/rapport/../study.yaml").status_code == 404
    assert toggle(client, "forsker3", [segment], "stability").status_code == 200  # coding resumes
