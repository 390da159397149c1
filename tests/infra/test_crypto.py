"""Keys for data at rest: generated in development, required in production, rotatable."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from palm.infra import decrypt_many
from palm.infra.crypto import KeyConfigError, KeyedMultiFernet, load_cipher
from palm.settings import Settings


def test_development_generates_one_private_key_and_reuses_it(tmp_path: Path) -> None:
    settings = Settings(palm_data_dir=tmp_path, palm_encryption_keys=None)
    token = load_cipher(settings).encrypt(b"palm")
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_cipher(settings).decrypt(token) == b"palm"


def test_production_without_keys_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(palm_env="production", palm_data_dir=tmp_path, palm_encryption_keys=None)
    with pytest.raises(KeyConfigError) as raised:
        load_cipher(settings)
    assert raised.value.code == "MISSING_ENCRYPTION_KEY"
    assert not (tmp_path / "secret.key").exists()


def test_rotation_new_key_first_still_reads_old_data(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = load_cipher(Settings(palm_data_dir=tmp_path, palm_encryption_keys=SecretStr(old)))
    token = before.encrypt(b"palm")
    after = load_cipher(
        Settings(palm_data_dir=tmp_path, palm_encryption_keys=SecretStr(f"{new},{old}"))
    )
    assert after.decrypt(token) == b"palm"
    assert Fernet(new.encode()).decrypt(after.encrypt(b"x")) == b"x"


def test_a_malformed_key_is_a_coded_error(tmp_path: Path) -> None:
    settings = Settings(palm_data_dir=tmp_path, palm_encryption_keys=SecretStr("not-a-key"))
    with pytest.raises(KeyConfigError) as raised:
        load_cipher(settings)
    assert raised.value.code == "BAD_ENCRYPTION_KEY"


def test_the_loaded_cipher_hands_its_keys_to_batch_decryption_newest_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    keys = SecretStr(f"{new.decode()},{old.decode()}")
    cipher = load_cipher(Settings(palm_data_dir=tmp_path, palm_encryption_keys=keys))
    assert isinstance(cipher, KeyedMultiFernet)
    assert cipher.raw_keys == (base64.urlsafe_b64decode(new), base64.urlsafe_b64decode(old))
    tokens = [Fernet(old).encrypt(b"before"), cipher.encrypt(b"after")]
    monkeypatch.setattr(cipher, "decrypt", lambda *_: pytest.fail("token by token"))
    assert decrypt_many(cipher, tokens) == [b"before", b"after"]
