"""Symmetric encryption of secrets stored in the database (webhook secrets, connector credentials).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`). The key comes from the environment variable
`FIELD_ENCRYPTION_KEY` (setting of the same name): one or more comma-separated Fernet keys
(`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`); the first
encrypts, all decrypt, so a key is rotated by putting the new one first. Without it (local runs, tests) a key is
derived from SECRET_KEY, so changing SECRET_KEY then makes stored secrets unreadable: set the variable in
production.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _keys() -> list[bytes]:
    configured = [key.strip() for key in settings.FIELD_ENCRYPTION_KEY.split(",") if key.strip()]
    if configured:
        return [key.encode() for key in configured]
    derived = hashlib.sha256(b"jixiao field encryption:" + settings.SECRET_KEY.encode()).digest()
    return [base64.urlsafe_b64encode(derived)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; raises InvalidToken when no configured key opened it (or it was tampered with)."""
    return _fernet().decrypt(token.encode()).decode()
