"""The pseudonym key on disk: data/private/ only, mode 0600, optionally encrypted.

Plain: ``data/private/anonymisation_key.json``. Encrypted (when the
environment variable named by ``anonymisation.key_passphrase_env`` is set):
``data/private/anonymisation_key.enc``, a JSON envelope holding the scrypt
parameters, the salt and a Fernet token of the key. Setting the passphrase
later encrypts a plain key on the next run and removes the plain file.
Having the key (and, if encrypted, its passphrase) is what makes a user
"authorised" to de-anonymise.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from pathlib import Path

from ..errors import QualpipeError
from ..settings import Study
from ..store import atomic_write_bytes, secure_unlink

KEY_MODE = 0o600
PLAIN_NAME = "anonymisation_key.json"
ENCRYPTED_NAME = "anonymisation_key.enc"
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def key_paths(study: Study) -> tuple[Path, Path]:
    return study.private_dir / PLAIN_NAME, study.private_dir / ENCRYPTED_NAME


def passphrase(study: Study) -> str | None:
    value = os.environ.get(study.settings.anonymisation.key_passphrase_env)
    return value or None


def _fernet(secret: str, salt: bytes, params: dict):
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=32, n=params["n"], r=params["r"], p=params["p"])
    return Fernet(base64.urlsafe_b64encode(kdf.derive(secret.encode("utf-8"))))


def encrypt(data: dict, secret: str) -> bytes:
    salt = os.urandom(16)
    token = _fernet(secret, salt, SCRYPT).encrypt(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    envelope = {"format": "qualpipe-encrypted-key", "kdf": "scrypt", **SCRYPT,
                "salt": base64.b64encode(salt).decode(), "token": token.decode()}
    return json.dumps(envelope, indent=1).encode("utf-8")


def decrypt(blob: bytes, secret: str, path: Path) -> dict:
    from cryptography.fernet import InvalidToken

    try:
        envelope = json.loads(blob)
        salt = base64.b64decode(envelope["salt"])
        params = {k: int(envelope[k]) for k in ("n", "r", "p")}
        return json.loads(_fernet(secret, salt, params).decrypt(envelope["token"].encode()))
    except InvalidToken:
        raise QualpipeError("cannot decrypt the anonymisation key: wrong passphrase", path) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise QualpipeError(f"the anonymisation key file is damaged ({type(exc).__name__})", path) from None


def read_key_data(study: Study) -> dict | None:
    """The key as stored, or None when there is none yet. Needs the passphrase when encrypted."""
    plain, encrypted = key_paths(study)
    if encrypted.exists():
        secret = passphrase(study)
        if not secret:
            env = study.settings.anonymisation.key_passphrase_env
            raise QualpipeError(f"the anonymisation key is encrypted; set the environment variable {env}", encrypted)
        return decrypt(encrypted.read_bytes(), secret, encrypted)
    if plain.exists():
        try:
            return json.loads(plain.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise QualpipeError(f"the anonymisation key file is damaged ({exc})", plain) from None
    return None


def write_key_data(study: Study, data: dict) -> Path:
    """Write the key atomically with mode 0600; encrypted when a passphrase is set."""
    plain, encrypted = key_paths(study)
    _check_private(study, plain)
    secret = passphrase(study)
    if secret:
        atomic_write_bytes(encrypted, encrypt(data, secret), mode=KEY_MODE)
        secure_unlink(plain)  # overwritten first: no plaintext key left in its blocks
        return encrypted
    if encrypted.exists():
        raise QualpipeError("the key is encrypted but no passphrase is set; refusing to write it in plain text", encrypted)
    atomic_write_bytes(plain, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"),
                       mode=KEY_MODE)
    return plain


def write_private(study: Study, path: Path, data: bytes) -> None:
    """Any file holding originals (cache, review sheet, decisions): private folder, 0600."""
    _check_private(study, path)
    atomic_write_bytes(path, data, mode=KEY_MODE)


def _check_private(study: Study, path: Path) -> None:
    private = study.private_dir.resolve()
    target = Path(path).resolve()
    if private not in target.parents:
        raise QualpipeError("refusing to write anonymisation originals outside data/private", path)
    private.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(private, 0o700)
