"""The settings' environment helpers refuse what they cannot read, rather than guess."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from attendance_portal.settings import env_bool, env_int, env_str


@pytest.mark.parametrize("word", ["ture", "flase", "enabled", "2", "yes please"])
def test_a_mistyped_boolean_stops_start_up(monkeypatch, word):
    monkeypatch.setenv("SECURE_SSL_REDIRECT", word)
    with pytest.raises(ImproperlyConfigured, match="SECURE_SSL_REDIRECT"):
        env_bool("SECURE_SSL_REDIRECT", default=True)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        ("y", True),
        ("false", False),
        ("0", False),
        ("No", False),
        ("off", False),
        ("n", False),
    ],
)
def test_the_usual_boolean_words_are_read(monkeypatch, word, expected):
    monkeypatch.setenv("DEBUG", word)
    assert env_bool("DEBUG", default=not expected) is expected


def test_an_unset_or_empty_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert env_bool("DEBUG", default=True) is True
    monkeypatch.setenv("DEBUG", "")
    assert env_bool("DEBUG", default=False) is False


def test_a_secret_can_be_read_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("s3cret-from-a-docker-secret\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "s3cret-from-a-docker-secret"


def test_a_variable_set_twice_or_an_unreadable_file_stops_start_up(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "one")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "two"))
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_str("SECRET_KEY")
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env_str("SECRET_KEY")


def test_a_number_that_is_not_one_stops_start_up(monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "five")
    with pytest.raises(ImproperlyConfigured, match="LOGIN_MAX_FAILURES"):
        env_int("LOGIN_MAX_FAILURES", 5)
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "7")
    assert env_int("LOGIN_MAX_FAILURES", 5) == 7
