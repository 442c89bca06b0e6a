"""Configuration: class, then instance/config.py, then CERTCENTER_* variables; production needs its own key."""

import pytest

from certcenter import create_app


def test_production_refuses_the_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("CERTCENTER_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_its_own_key(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CERTCENTER_SECRET_KEY", "a-long-random-production-key-of-32-bytes")
    monkeypatch.setenv("CERTCENTER_PUBLIC_BASE_URL", "https://certcenter.example.kz")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_environment_overrides_instance_config_which_overrides_the_class(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("PORT = 6000\nCENTRE_NAME = {'kk': 'Орталық', 'ru': 'Центр', 'en': 'Centre'}\n")
    monkeypatch.delenv("CERTCENTER_PORT", raising=False)
    assert create_app("development").config["PORT"] == 6000
    monkeypatch.setenv("CERTCENTER_PORT", "7000")
    monkeypatch.setenv("CERTCENTER_DATABASE_URL", "postgresql+psycopg://u@db.example/certcenter")
    monkeypatch.setenv("CERTCENTER_REDIS_URL", "redis://cache.example:6379/0")
    app = create_app("development")
    assert app.config["PORT"] == 7000
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/certcenter"
    assert app.extensions["celery"].conf.broker_url == "redis://cache.example:6379/0"
    assert app.config["CENTRE_NAME"]["en"] == "Centre"


def test_embedded_defaults_live_under_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTCENTER_INSTANCE_PATH", str(tmp_path))
    for name in ("CERTCENTER_DATABASE_URL", "CERTCENTER_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'certcenter.sqlite3'}"
    assert app.extensions["celery"].conf.broker_url == "certcenter-fs://"  # kombu's filesystem transport, made safe
    assert (tmp_path / "broker" / "queue").is_dir()


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("CERTCENTER_ENV", "staging")
    with pytest.raises(RuntimeError, match="CERTCENTER_ENV"):
        create_app()
