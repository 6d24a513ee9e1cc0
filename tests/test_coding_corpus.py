"""A small synthetic study for the coding tests, with a known "human" coding.

Each informant answers questions with sentences drawn (deterministically) from
per-code pools, so the right codes of every segment are known by construction.
The anonymisation stage is simulated by copying the ingested segments into the
StudyStore (the synthetic text holds no identifiers), so these tests do not
depend on the anonymiser.
"""

from __future__ import annotations

import json
import random

from conftest import DEMO_CODEBOOK
from pipeline.ingest import ingest_study
from pipeline.settings import load_study
from pipeline.secret import SECRET_MODE, secret_paths
from pipeline.store import PrivateStore, StudyStore, create_if_absent

SENTENCES = {
    "stability": [
        "Vi slapp å flytte igjen, og det var det viktigste.",
        "Barna fikk beholde skolen og vennene sine.",
        "Nå føler jeg meg trygg her, ingen kan kaste oss ut.",
        "Leiekontrakten var bare på tre år om gangen.",
        "Jeg var alltid redd for at vi måtte flytte.",
        "Nå har vi landet, liksom, dette er hjemmet vårt.",
        "Det gir en ro å vite at vi kan bli boende.",
        "Tryggheten betyr mer enn alt annet for meg.",
    ],
    "information": [
        "Hun fra NAV forklarte alt om lånet på et møte.",
        "Vi fikk et brev fra kommunen om tilbudet.",
        "Jeg husker ikke så mye av det de sa.",
        "Ingen fortalte oss hva fellesgjeld betyr.",
        "Vi gikk gjennom budsjettet sammen med veilederen.",
        "Jeg skulle ønske vi fikk mer oppfølging etterpå.",
        "Brosjyren var vanskelig å forstå for meg.",
        "Kontaktpersonen ringte meg flere ganger.",
    ],
    "standard": [
        "Badet var gammelt og slitt da vi kjøpte.",
        "Vi pusset opp kjøkkenet det første året.",
        "Vedlikeholdsbehovet var større enn vi trodde.",
        "Felleskostnadene i borettslaget gikk opp.",
        "Leiligheten ble for trang for oss fem.",
        "Det var fukt i kjelleren og vinduene lakk.",
        "Borettslaget skal skifte taket neste år.",
        "Tre soverom er akkurat nok for familien.",
    ],
    "discount": [
        "Vi fikk femti tusen i rabatt på prisen.",
        "Taksten var rettferdig, synes jeg.",
        "Det var fast pris, ingen budrunde.",
        "Rabattordningen gjorde at lånet ble mindre.",
        "Prisen var lavere enn på markedet.",
        "Takstmannen satte verdien litt lavt.",
        "Rabatten brukte vi på nye møbler.",
        "Kjøpesummen var én million.",
    ],
    "": [
        "Jeg jobber på et bakeri om natta.",
        "Været var fint den sommeren.",
        "Sønnen min spiller fotball hver tirsdag.",
        "Jeg kom til Norge for mange år siden.",
        "Naboene er hyggelige folk.",
        "Jeg liker å gå tur i skogen.",
        "Helsa er ikke så god lenger.",
        "Vi lager mat sammen på søndager.",
    ],
}
QUESTIONS = {
    "stability": "Hva betydde det å kunne bli boende?",
    "information": "Hvordan fikk du informasjon om kjøpet?",
    "standard": "Hvordan var leiligheten da dere kjøpte?",
    "discount": "Hva tenkte du om prisen?",
    "": "Kan du fortelle litt om deg selv?",
}
CODES = ["stability", "information", "standard", "discount"]


def transcript(seed: int, turns: int = 8) -> tuple[str, list[tuple[str, str]]]:
    """Transcript text and the (sentence, code) pairs of its informant turns, in order."""
    rng = random.Random(seed)
    lines, truth = [], []
    topics = [""] + CODES
    for turn in range(turns):
        topic = topics[turn % len(topics)] if turn < len(topics) else rng.choice(topics)
        lines.append(f"I: {QUESTIONS[topic]}")
        chosen = rng.sample(SENTENCES[topic], 2)
        if rng.random() < 0.5:
            chosen.append(rng.choice(SENTENCES[""]))
        lines.append("IP: " + " ".join(chosen))
        truth += [(sentence, topic) for sentence in chosen]
    return "\n".join(lines) + "\n", truth


def build_corpus(make_study, n_informants: int = 6, settings_extra: str = "", turns: int = 8, secret: str = "5e" * 32,
                 root=None):
    """A study folder, segments in the StudyStore, and the true codes per segment id."""
    files, truths = {}, {}
    for k in range(1, n_informants + 1):
        text, truth = transcript(seed=k, turns=turns)
        files[f"k{k:02d}.txt"] = text
        truths[f"k{k:02d}.txt"] = truth
    settings = "name: Teststudie\ncoding:\n  primary_coder: forsker1\n" + settings_extra
    root = make_study(files, settings=settings, codebook=DEMO_CODEBOOK, root=root)
    study = load_study(root)
    # A fixed secret: the corpus's segment ids, and every split of them by id, are then the same on
    # every machine (a study's own secret is random, so a split by id would differ from run to run).
    plain, _ = secret_paths(study)
    plain.parent.mkdir(parents=True, exist_ok=True)
    create_if_absent(plain, json.dumps({"secret": secret}).encode("utf-8"), SECRET_MODE)
    ingest_study(study)
    simulate_anonymisation(study)
    codes = {}
    with StudyStore(study.store_path) as store:
        for file, truth in truths.items():
            informant = [s for s in store.segments(speaker="informant", file=file)]
            sentence_code = dict(truth)
            for segment in informant:
                code = sentence_code[segment.text]
                codes[segment.segment_id] = {code} if code else set()
    return root, codes


def simulate_anonymisation(study) -> None:
    with PrivateStore(study.private_store_path) as private, StudyStore(study.store_path) as store:
        hashes = private.raw_hashes()
        for file in private.files():
            segments = private.segments(file)
            store.replace_segments(file, segments[0].informant_id, hashes[file], len(private.turns(file)), segments)


def write_human(root, coder: str, codes: dict[str, set[str]], version: str = "1.0") -> None:
    folder = root / "data" / "coded" / "human"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["segment_id,codes,codebook_version"]
    for segment_id in sorted(codes):
        lines.append(f"{segment_id},{';'.join(sorted(codes[segment_id]))},{version}")
    (folder / f"{coder}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
