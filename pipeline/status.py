"""What the study holds and what is out of date (``qualpipe status``)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from .ingest import list_transcript_files
from .settings import Study
from .store import PrivateStore, StudyStore


@dataclass
class StudyStatus:
    informants_per_group: dict[str, int] = field(default_factory=dict)
    transcripts: int = 0
    segments_ingested: int = 0
    segments_anonymised: int = 0
    informant_words: int = 0
    codings_by_source: dict[str, int] = field(default_factory=dict)
    human_coders: dict[str, int] = field(default_factory=dict)  # coder -> segments decided
    stale: list[str] = field(default_factory=list)


def study_status(study: Study) -> StudyStatus:
    status = StudyStatus()
    raw_hashes = {}
    if study.transcripts_dir.is_dir():
        for file in list_transcript_files(study.transcripts_dir):
            raw_hashes[file] = hashlib.sha256((study.transcripts_dir / file).read_bytes()).hexdigest()
    status.transcripts = len(raw_hashes)
    ingested: set[str] = set()
    if study.private_store_path.exists():
        with PrivateStore(study.private_store_path) as private:
            ingested_hashes = private.raw_hashes()
            ingested = set(ingested_hashes)
            for file in sorted(ingested & set(raw_hashes)):
                if ingested_hashes[file] != raw_hashes[file]:
                    status.stale.append(f"{file}: changed since it was ingested")
            status.segments_ingested = int(private.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0])
    for file in sorted(set(raw_hashes) - ingested):
        status.stale.append(f"{file}: not ingested yet")
    for file in sorted(ingested - set(raw_hashes)):
        status.stale.append(f"{file}: ingested but no longer in data/raw/transcripts")
    if study.store_path.exists():
        with StudyStore(study.store_path) as store:
            status.informants_per_group = dict(Counter(i.group for i in store.informants()))
            segments = store.segments()
            status.segments_anonymised = len(segments)
            status.informant_words = sum(len(s.text.split()) for s in segments if s.speaker == "informant")
            anonymised = set(store.transcript_hashes())
            for file in sorted(ingested - anonymised):
                status.stale.append(f"{file}: ingested but not anonymised")
            codings = store.codings()
            status.codings_by_source = dict(Counter(c.source for c in codings))
            status.human_coders = {coder: len(decided) for coder, decided in
                                   ((c, store.human_reviews(c)) for c in store.human_coders())}
    return status
