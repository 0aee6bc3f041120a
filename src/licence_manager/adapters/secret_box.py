"""Encrypting channel URLs and signing secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256)
with a key from Secret Manager (CHANNEL_SECRET_KEY); `make run` generates one per run."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class SecretUnreadable(Exception):
    """Encrypted with another key (rotated, or another environment's)."""


class SecretBox:
    def __init__(self, key: str | bytes) -> None:
        self._fernet = Fernet(key)

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as error:
            raise SecretUnreadable("sealed with another key") from error
