"""The dictionary attack of issue 10 against the shareable files: put each name and place of the
package's own gazetteers in place of a tag, hash again, compare with the shared ids and anchors.

With the unkeyed scheme of earlier versions it recovers the originals (the sanity check below);
with keyed ids, anchors and GUIDs it recovers nothing, whatever an attacker can compute from the
shareable files (their texts, file names, informant ids, the study's name) as a guessed key.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from importlib import resources

import pytest
from lxml import etree

from pipeline.anonymise import anonymise_stage
from pipeline.anonymise.guard import require_guard
from pipeline.coding.human import HumanDecision, SegmentAnchors, legacy_text_hash, text_hash, write_human_file
from pipeline.exchange import export_qdpx
from pipeline.ingest import ingest_study
from pipeline.ingest.segment import legacy_segment_id, occurrences, segment_id
from pipeline.settings import load_study
from pipeline.store import PrivateStore, read_csv

SETTINGS = """\
name: Angrepsstudie
groups: [stayed]
"""
# One name or place per sentence, from the gazetteers, so each segment holds a single tag.
A = """I: Hvem hjalp dere da dere kjøpte?
IP: Det var Hamid som ringte banken for oss. Vi flyttet fra Tromsø samme høst.
IP: Naboen het Kristin, hun hjalp med papirene. Etterpå bodde vi en stund i Bodø.
"""
B = """I: Hvordan var det å bo der?
IP: Svein var vaktmester og fikset alt. Han kom fra Molde og kjente alle.
IP: Vi snakket mye med Ingrid om lånet. Hun hadde bodd i Harstad før.
"""
INFORMANTS = "id,file,group,name\n1,a.txt,stayed,Hamid Rahimi\n2,b.txt,stayed,Kari Lund\n"
TAG = re.compile(r"\[[A-ZÆØÅ]+_\d+\]")
OLD_GUID_NAMESPACE = uuid.UUID("6f0c2a55-8f0e-5d43-9a4e-2b1d3c7e9a10")  # the unkeyed GUIDs of earlier versions


def gazetteer_words() -> list[str]:
    """Every name and place of the package's own lists (what an attacker has: the package is public)."""
    folder = resources.files("pipeline.anonymise").joinpath("data")
    words: set[str] = set()
    for name in ("curated_first_female.txt", "curated_first_male.txt", "curated_last.txt", "faker_first_female.txt",
                 "faker_first_male.txt", "faker_last.txt", "places.txt"):
        for line in folder.joinpath(name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                words.add(line.strip())
    return sorted(words)


def single_tag_rows(rows: list[dict]) -> list[dict]:
    return [r for r in rows if len(TAG.findall(r["text"])) == 1]


def attack(rows: list[dict], guess) -> dict[str, str]:
    """segment id -> the word that, put in place of the tag, hashes to the shared id."""
    words = gazetteer_words()
    found = {}
    for row in single_tag_rows(rows):
        for word in words:
            candidate = TAG.sub(word, row["text"])
            if any(h == row["segment_id"] for h in guess(row, candidate)):
                found[row["segment_id"]] = word
                break
    return found


@pytest.fixture
def shared(make_study, tmp_path):
    """A study run through ingest and anonymise, with a human file and a .qdpx: every shareable file."""
    study = load_study(make_study({"a.txt": A, "b.txt": B}, informants=INFORMANTS, settings=SETTINGS))
    ingest_study(study)
    anonymise_stage(study)
    anchors = SegmentAnchors.load(study)
    rows = read_csv(study.coded_dir / "segments.csv")
    informant_rows = [r for r in rows if r["speaker"] == "informant"]
    decisions = {r["segment_id"]: HumanDecision(frozenset(), "1.0") for r in informant_rows}
    write_human_file(study, study.human_dir / "forsker1.csv", decisions, require_guard(study), anchors=anchors)
    qdpx = export_qdpx(study, tmp_path / "s.qdpx").path
    return study, rows, read_csv(study.human_dir / "forsker1.csv"), qdpx


def guessed_keys(study, rows) -> list[bytes]:
    """Keys an attacker could try from what is shared."""
    texts = {study.settings.name, *(r["file"] for r in rows), *(r["informant_id"] for r in rows), "", "qualpipe"}
    return [t.encode("utf-8")[:64] for t in sorted(texts)]


def test_the_attack_recovers_nothing_from_keyed_ids_anchors_and_guids(shared):
    study, rows, human, qdpx = shared
    targets = single_tag_rows(rows)
    assert len(targets) >= 6, "the study must give the attack something to work on"
    keys = guessed_keys(study, rows)

    def guess_id(row, candidate):
        for occurrence in range(3):
            for where in (row["file"], row["informant_id"]):
                yield legacy_segment_id(where, row["speaker"], candidate, occurrence)
                for key in keys:
                    yield segment_id(key, where, row["speaker"], candidate, occurrence)

    assert attack(rows, guess_id) == {}

    # Anchors: the keyed hash of the raw segment text, in the human file.
    by_id = {r["segment_id"]: r for r in rows}
    anchored = [dict(by_id[h["segment_id"]], segment_id=h["text_hash"]) for h in human if h["text_hash"]]
    assert len(single_tag_rows(anchored)) >= 6

    def guess_anchor(row, candidate):
        yield legacy_text_hash(candidate)
        for key in keys:
            yield text_hash(candidate, key)

    assert attack(anchored, guess_anchor) == {}

    # GUIDs of the .qdpx: none is the unkeyed uuid5 of anything an attacker can name.
    with zipfile.ZipFile(qdpx) as archive:
        root = etree.fromstring(archive.read("project.qde"))
    guids = {v.strip("{}").lower() for e in root.iter() for k, v in e.attrib.items() if k in ("guid", "targetGUID")}
    names = [f"{w}.txt" for w in gazetteer_words()] + [r["file"] for r in rows] + [r["segment_id"] for r in rows]
    tried = {str(uuid.uuid5(OLD_GUID_NAMESPACE, f"{kind}:{name}"))
             for kind in ("source", "selection", "case") for name in names}
    assert guids and not (guids & tried)


def test_sanity_the_same_attack_recovers_the_originals_from_unkeyed_ids(shared):
    """What earlier versions wrote (unkeyed ids of the raw text under the raw file name) falls to it."""
    study, rows, _human, _qdpx = shared
    with PrivateStore(study.private_store_path) as private:
        raw = {s.segment_id: (s, occ) for f in private.files()
               for s, occ in zip(private.segments(f), occurrences(private.segments(f)))}
    old_rows = [dict(r, file=raw[r["segment_id"]][0].file,
                     segment_id=legacy_segment_id(raw[r["segment_id"]][0].file, r["speaker"],
                                                  raw[r["segment_id"]][0].text, raw[r["segment_id"]][1]))
                for r in rows]

    def guess_id(row, candidate):
        for occurrence in range(3):
            yield legacy_segment_id(row["file"], row["speaker"], candidate, occurrence)

    recovered = attack(old_rows, guess_id)
    print(f"unkeyed scheme: {len(recovered)} of {len(single_tag_rows(old_rows))} single-tag segments recovered")
    originals = {legacy_segment_id(s.file, s.speaker, s.text, occ): s.text for s, occ in raw.values()}
    assert len(recovered) >= 6
    assert all(word in originals[sid] for sid, word in recovered.items())
    assert {"Tromsø", "Kristin", "Molde"} <= set(recovered.values())
