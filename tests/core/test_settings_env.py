"""Strict environment reading: a malformed value raises ImproperlyConfigured naming the variable."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_str


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("PORTAL_FLAG", raw)
    assert env_bool("PORTAL_FLAG", default=not expected) is expected


def test_env_bool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("PORTAL_FLAG", raising=False)
    assert env_bool("PORTAL_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["maybe", "2", "ture"])
def test_env_bool_rejects_a_bad_value_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_FLAG"):
        env_bool("PORTAL_FLAG", default=False)


def test_env_int_rejects_a_bad_value_naming_the_variable(monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "five")
    with pytest.raises(ImproperlyConfigured, match="LOGIN_FAILURE_LIMIT"):
        env_int("LOGIN_FAILURE_LIMIT", default=5)


def test_env_str_without_default_names_the_missing_variable(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env_str("SECRET_KEY")


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.example , b.example,, ")
    assert env_list("ALLOWED_HOSTS", default=[]) == ["a.example", "b.example"]


@pytest.mark.parametrize("url", ["nosuch://host/db", "postgres://u@h:notaport/db", "garbage"])
def test_env_database_rejects_a_bad_url_naming_the_variable(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", default="sqlite:///x.sqlite3")


def test_env_database_reads_a_postgres_url(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:secret@db.internal:5433/portal")
    config = env_database("DATABASE_URL", default="sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "portal")


def test_env_database_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert env_database("DATABASE_URL", default="sqlite:///x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
