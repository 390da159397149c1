"""Batch Fernet decryption gives exactly MultiFernet's values and errors, token by token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import struct

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from palm.infra.crypto import KeyedMultiFernet
from palm.infra.fernet_batch import decrypt_many


def outcome(cipher: MultiFernet, token: object) -> object:
    """What MultiFernet itself does with one token: its plaintext or its exception type."""
    try:
        return cipher.decrypt(token)  # type: ignore[arg-type]
    except Exception as exc:  # the type is the outcome
        return type(exc)


def batch_outcomes(cipher: MultiFernet, tokens: list[object]) -> list[object]:
    """decrypt_many's answer per token, always inside a batch: the tokens that decrypt in one
    call, and each one that does not between good ones (where the call must raise)."""
    expected = [outcome(cipher, token) for token in tokens]
    good = [t for t, e in zip(tokens, expected, strict=True) if isinstance(e, bytes)]
    opened = iter(decrypt_many(cipher, good))  # type: ignore[arg-type]
    around = good[:3]
    answers: list[object] = []
    for token, result in zip(tokens, expected, strict=True):
        if isinstance(result, bytes):
            answers.append(next(opened))
            continue
        try:
            decrypt_many(cipher, [*around, token, *around])  # type: ignore[list-item]
        except Exception as exc:  # the type is the outcome
            answers.append(type(exc))
        else:
            answers.append("no error")
    return answers


def signed_token(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """A token whose HMAC is right for ``key`` whatever its ciphertext holds."""
    raw = base64.urlsafe_b64decode(key)
    body = b"\x80" + struct.pack(">Q", 1_700_000_000) + iv + ciphertext
    tag = hmac.new(raw[:16], body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(body + tag)


def cbc(key: bytes, iv: bytes, padded: bytes) -> bytes:
    encryption_key = base64.urlsafe_b64decode(key)[16:]
    encryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


@pytest.fixture
def keys() -> list[bytes]:
    return [Fernet.generate_key() for _ in range(3)]


def test_random_tokens_under_rotated_keys_decrypt_as_multifernet_does(keys: list[bytes]) -> None:
    rng = random.Random(16)
    ring = KeyedMultiFernet(keys[:2])  # newest first; keys[2] is not configured
    made: list[bytes] = []
    for _ in range(600):
        plain = os.urandom(rng.choice([0, 1, 15, 16, 17, 31, 32, 33, rng.randrange(300)]))
        made.append(Fernet(rng.choice(keys)).encrypt(plain))
    tokens: list[object] = [*made, *(token.decode() for token in made[:50])]  # str tokens too
    expected = [outcome(ring, token) for token in tokens]
    assert expected.count(InvalidToken) > 100  # the unconfigured key's tokens
    assert batch_outcomes(ring, tokens) == expected


def test_tampered_truncated_and_garbage_tokens_are_rejected_as_multifernet_rejects_them(
    keys: list[bytes],
) -> None:
    rng = random.Random(5)
    ring = KeyedMultiFernet(keys[:2])
    good = [
        Fernet(keys[rng.randrange(2)]).encrypt(os.urandom(rng.randrange(80))) for _ in range(200)
    ]
    bad: list[object] = []
    for token in good:
        raw = bytearray(base64.urlsafe_b64decode(token))
        flipped = raw.copy()
        flipped[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        bad.append(base64.urlsafe_b64encode(bytes(flipped)))
        bad.append(base64.urlsafe_b64encode(bytes(raw[: rng.randrange(len(raw))])))
        bad.append(token[: rng.randrange(len(token))])
    bad += [b"", b"gAAAAA", b"not a token", b"\x80" * 80, "é", os.urandom(90), 12, None]
    bad += [base64.urlsafe_b64encode(b"\x81" + bytes(base64.urlsafe_b64decode(good[0]))[1:])]
    expected = [outcome(ring, token) for token in bad]
    assert set(expected) <= {InvalidToken, TypeError, ValueError}
    assert expected.count(InvalidToken) > 500
    assert batch_outcomes(ring, bad) == expected
    mixed = good + bad
    assert batch_outcomes(ring, mixed) == [outcome(ring, token) for token in mixed]


def test_a_valid_hmac_never_excuses_bad_padding_or_a_partial_block(keys: list[bytes]) -> None:
    ring = KeyedMultiFernet(keys[:1])
    iv = os.urandom(16)
    bad_pad = cbc(keys[0], iv, os.urandom(15) + b"\x00")  # pad byte 0
    too_long = cbc(keys[0], iv, os.urandom(15) + b"\x11")  # pad 17 > block
    uneven = cbc(keys[0], iv, b"x" * 13 + b"\x03\x03\x02")  # the pad bytes disagree
    crafted = [
        signed_token(keys[0], iv, bad_pad),
        signed_token(keys[0], iv, too_long),
        signed_token(keys[0], iv, uneven),
        signed_token(keys[0], iv, cbc(keys[0], iv, os.urandom(16))[:10]),  # not whole blocks
        signed_token(keys[0], iv, b""),  # no ciphertext
    ]
    for token in crafted:
        assert outcome(ring, token) is InvalidToken
        with pytest.raises(InvalidToken):
            decrypt_many(ring, [token])
    unpadder = padding.PKCS7(128).padder()
    fine = cbc(keys[0], iv, unpadder.update(b"palm") + unpadder.finalize())
    assert decrypt_many(ring, [signed_token(keys[0], iv, fine)]) == [b"palm"]


def test_the_first_bad_token_raises_after_the_good_ones_before_it(keys: list[bytes]) -> None:
    ring = KeyedMultiFernet(keys[:1])
    tokens = [ring.encrypt(b"a"), b"garbage", ring.encrypt(b"b")]
    with pytest.raises(InvalidToken):
        decrypt_many(ring, tokens)
    assert decrypt_many(ring, []) == []


def test_valid_tokens_take_the_batch_path_not_one_multifernet_call_each(
    keys: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    ring = KeyedMultiFernet([keys[1], keys[0]])
    tokens: list[bytes | str] = [
        Fernet(keys[i % 2]).encrypt(str(i).encode() * i) for i in range(100)
    ]

    def refuse(_token: object, _ttl: object = None) -> bytes:
        raise AssertionError("one MultiFernet call per token")

    monkeypatch.setattr(ring, "decrypt", refuse)
    assert decrypt_many(ring, tokens) == [str(i).encode() * i for i in range(100)]


def test_a_plain_multifernet_still_works_token_by_token(keys: list[bytes]) -> None:
    plain = MultiFernet([Fernet(keys[0])])
    tokens: list[object] = [*(plain.encrypt(b"x" * n) for n in range(40)), b"junk"]
    assert batch_outcomes(plain, tokens) == [outcome(plain, token) for token in tokens]
