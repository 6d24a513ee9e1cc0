"""The study's secret: the key of every hash that leaves the study.

Segment ids, the ``text_hash`` anchors of the human coding files, REFI-QDA
GUIDs and the transcript fingerprints in ``data/coded/study.sqlite`` are all
keyed hashes (BLAKE2b with a key, one personalisation per use). Without the
secret nobody can compute them from a guessed raw text, so the shareable
files cannot be used to test guesses ("is the tag in this segment Hamid?").

The secret is 32 random bytes from :mod:`secrets`, created on first need in
``data/private/study_secret.json`` (mode 0600). When the passphrase of the
pseudonym key is set (``anonymisation.key_passphrase_env``), it is kept in
``data/private/study_secret.enc`` instead, encrypted the same way as the key
(:mod:`pipeline.anonymise.keystore`); a plain secret is encrypted on the next
use and its plain file removed. Losing the secret changes every id: keep
``data/private/`` backed up with the key.

A *synthetic* study (the demo) may publish its secret in ``study.yaml``
(``privacy.published_secret_for_synthetic_data``), so that a fresh clone
reproduces its committed outputs and human coding files. Its ids can then be
computed by anyone again; every use prints a warning. A study of real people
never sets it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import warnings
from pathlib import Path

from .errors import QualpipeError
from .settings import Study

PLAIN_NAME = "study_secret.json"
ENCRYPTED_NAME = "study_secret.enc"
SECRET_MODE = 0o600
SECRET_BYTES = 32

PUBLISHED_WARNING = ("privacy.published_secret_for_synthetic_data is set in study.yaml: segment ids, anchors and "
                     "GUIDs of this study can be computed back from guessed text by anyone. Only for synthetic "
                     "data; remove the setting for a study of real people.")


class PublishedSecretWarning(UserWarning):
    """The study uses the secret published in its study.yaml (synthetic data only)."""


def keyed_digest(secret: bytes, purpose: str, text: str, size: int) -> bytes:
    """BLAKE2b of ``text`` keyed with the study secret; ``purpose`` separates the uses."""
    return hashlib.blake2b(text.encode("utf-8"), key=secret, digest_size=size,
                           person=purpose.encode("ascii")[:16]).digest()


def keyed_hex(secret: bytes, purpose: str, text: str, size: int) -> str:
    return keyed_digest(secret, purpose, text, size).hex()


def study_secret(study: Study) -> bytes:
    """The study's secret; created (0600, encrypted when a passphrase is set) on first need."""
    published = study.settings.privacy.published_secret_for_synthetic_data
    if published:
        warnings.warn(PUBLISHED_WARNING, PublishedSecretWarning, stacklevel=2)
        return hashlib.blake2b(published.encode("utf-8"), digest_size=SECRET_BYTES,
                               person=b"qp-published").digest()
    return _private_secret(study)


_cache: dict[tuple, bytes] = {}


def _private_secret(study: Study) -> bytes:
    from .anonymise.keystore import passphrase

    plain, encrypted = secret_paths(study)
    phrase = passphrase(study)
    for _attempt in range(3):
        state = (str(plain.resolve()), _stat(plain), _stat(encrypted), phrase)
        if state in _cache:
            return _cache[state]
        if encrypted.exists():
            value = _read_encrypted(study, encrypted, phrase)
            if plain.exists():  # a plain copy next to the encrypted one is never left behind
                with contextlib.suppress(FileNotFoundError):
                    plain.unlink()
        elif plain.exists():
            value = _read_plain(plain)
            if phrase:
                _create(encrypted, _encrypt(value, phrase))
                with contextlib.suppress(FileNotFoundError):
                    plain.unlink()
                continue
        else:
            value = secrets.token_bytes(SECRET_BYTES)
            if phrase:
                _create(encrypted, _encrypt(value, phrase))
            else:
                _create(plain, json.dumps({"secret": value.hex()}).encode("utf-8"))
            continue  # read back what is on disk: another process may have created it first
        _cache[state] = value
        return value
    raise QualpipeError("the study secret changed while it was read; run again", plain)


def secret_paths(study: Study) -> tuple[Path, Path]:
    return study.private_dir / PLAIN_NAME, study.private_dir / ENCRYPTED_NAME


def _stat(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _read_plain(path: Path) -> bytes:
    try:
        value = bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["secret"])
    except (ValueError, KeyError, TypeError):
        raise QualpipeError("the study secret is damaged; restore data/private/ from a backup "
                            "(a new secret would change every segment id)", path) from None
    if len(value) != SECRET_BYTES:
        raise QualpipeError("the study secret is damaged (wrong length); restore data/private/ from a backup", path)
    return value


def _read_encrypted(study: Study, path: Path, phrase: str | None) -> bytes:
    from .anonymise.keystore import decrypt

    if not phrase:
        env = study.settings.anonymisation.key_passphrase_env
        raise QualpipeError(f"the study secret is encrypted; set the environment variable {env}", path)
    try:
        data = decrypt(path.read_bytes(), phrase, path)
    except QualpipeError as exc:
        raise QualpipeError(exc.problem.replace("the anonymisation key", "the study secret")
                            .replace("anonymisation key", "study secret"), path) from None
    try:
        value = bytes.fromhex(data["secret"])
    except (ValueError, KeyError, TypeError):
        raise QualpipeError("the study secret is damaged", path) from None
    return value


def _encrypt(value: bytes, phrase: str) -> bytes:
    from .anonymise.keystore import encrypt

    return encrypt({"secret": value.hex()}, phrase)


def _create(path: Path, data: bytes) -> None:
    """Create ``path`` (0600) only if it does not exist yet: two first runs agree on one secret."""
    from .store import create_if_absent

    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path.parent, 0o700)
    create_if_absent(path, data, SECRET_MODE)
