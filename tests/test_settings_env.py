"""Settings read from the environment: bad values stop the process with a message naming the variable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from trellis.lib.env import env_bool, env_int, env_list, env_str

REPO = Path(__file__).resolve().parent.parent


# env_bool --------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG", True) is False


def test_env_bool_default_when_unset(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", True) is True
    assert env_bool("X_FLAG", False) is False


def test_env_bool_rejects_maybe(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"X_FLAG.*'maybe'"):
        env_bool("X_FLAG", False)


# env_int ---------------------------------------------------------------------------


def test_env_int_reads_a_number(monkeypatch):
    monkeypatch.setenv("X_COUNT", "42")
    assert env_int("X_COUNT", 1) == 42


def test_env_int_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("X_COUNT", raising=False)
    assert env_int("X_COUNT", 7) == 7
    monkeypatch.setenv("X_COUNT", "  ")
    assert env_int("X_COUNT", 7) == 7


def test_env_int_rejects_a_non_number(monkeypatch):
    monkeypatch.setenv("X_COUNT", "12a")
    with pytest.raises(ImproperlyConfigured, match=r"X_COUNT must be a whole number; got '12a'"):
        env_int("X_COUNT", 1)


def test_env_int_rejects_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_COUNT", "59")
    with pytest.raises(ImproperlyConfigured, match=r"X_COUNT must be at least 60; got 59"):
        env_int("X_COUNT", 600, minimum=60)
    monkeypatch.setenv("X_COUNT", "60")
    assert env_int("X_COUNT", 600, minimum=60) == 60


# env_str and *_FILE ----------------------------------------------------------------


def test_env_str_reads_the_variable_or_the_default(monkeypatch):
    monkeypatch.delenv("X_TEXT_FILE", raising=False)
    monkeypatch.delenv("X_TEXT", raising=False)
    assert env_str("X_TEXT", "fallback") == "fallback"
    monkeypatch.setenv("X_TEXT", "value")
    assert env_str("X_TEXT", "fallback") == "value"


def test_env_str_reads_a_secret_from_the_file_named_by_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret-from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("X_TEXT", "from-the-environment")
    monkeypatch.setenv("X_TEXT_FILE", str(secret))
    # The file wins, and its trailing newline is dropped.
    assert env_str("X_TEXT") == "s3cret-from-a-file"


def test_env_str_names_the_variable_when_the_file_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("X_TEXT_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=r"X_TEXT_FILE: cannot read"):
        env_str("X_TEXT")


# env_list --------------------------------------------------------------------------


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example.org, ,b.example.org ,")
    assert env_list("X_HOSTS", []) == ["a.example.org", "b.example.org"]
    monkeypatch.delenv("X_HOSTS")
    assert env_list("X_HOSTS", ["default"]) == ["default"]


# Importing the settings ------------------------------------------------------------


def _import_settings(**env) -> subprocess.CompletedProcess:
    """Import trellis.settings in a fresh interpreter with only ``env`` set (plus PATH)."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), **env}
    code = (
        "import django\n"
        "from django.conf import settings\n"
        "settings.DEBUG  # forces the settings module to load\n"
        "print('loaded')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"DJANGO_SETTINGS_MODULE": "trellis.settings", **clean},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_without_secret_key_fail_when_debug_is_off(tmp_path):
    result = _import_settings(DEBUG="0", TRELLIS_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is required" in result.stderr


def test_settings_load_with_a_secret_key(tmp_path):
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, TRELLIS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_settings_load_in_development_without_a_secret_key(tmp_path):
    result = _import_settings(DEBUG="1", TRELLIS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_settings_read_the_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 50, encoding="utf-8")
    result = _import_settings(DEBUG="0", SECRET_KEY_FILE=str(key_file), TRELLIS_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("SESSION_IDLE_SECONDS", "12a"), ("SESSION_IDLE_SECONDS", "5"), ("SECURE_COOKIES", "si")],
)
def test_settings_name_the_variable_with_a_bad_value(tmp_path, name, value):
    env = {"DEBUG": "1", "TRELLIS_VAR_DIR": str(tmp_path), name: value}
    result = _import_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr.splitlines()[-1]


def test_settings_reject_an_unreadable_database_url(tmp_path):
    result = _import_settings(DEBUG="1", TRELLIS_VAR_DIR=str(tmp_path), DATABASE_URL="nosuchdb://x")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr.splitlines()[-1]


def _database_options(tmp_path, **env) -> str:
    code = "from django.conf import settings\nprint(settings.DATABASES['default'].get('OPTIONS', {}))\n"
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"DJANGO_SETTINGS_MODULE": "trellis.settings", "TRELLIS_VAR_DIR": str(tmp_path), **clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgresql_prepares_statements_unless_turned_off(tmp_path):
    url = "postgres://trellis@localhost:5432/trellis"
    on = _database_options(tmp_path, DATABASE_URL=url)
    assert "'server_side_binding': True" in on and "'prepare_threshold': 2" in on
    off = _database_options(tmp_path, DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    assert "prepare_threshold" not in off and "server_side_binding" not in off
    # SQLite has no such thing.
    assert "prepare_threshold" not in _database_options(tmp_path)


# The README's configuration table ---------------------------------------------------


def test_readme_documents_every_variable_the_settings_read():
    source = (REPO / "trellis" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= names
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))
    missing = sorted(names - documented)
    assert not missing, f"README.md's configuration table lacks: {missing}"
    stale = sorted(documented - names)
    assert not stale, f"README.md's configuration table names variables the settings no longer read: {stale}"
