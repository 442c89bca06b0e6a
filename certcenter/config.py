"""Configuration classes.

Loading order (later wins): a class below, then ``instance/config.py``, then ``CERTCENTER_*`` environment
variables, then keyword overrides given to ``create_app``.
"""

from __future__ import annotations

import json
import os
from functools import partial

from celery.schedules import crontab

DEFAULT_SECRET_KEY = "dev-only-insecure-key"


class Config:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # Filled in by create_app when not configured: sqlite file under instance/.
    DATABASE_URL: str | None = None
    # Redis URL for the Celery broker; when unset an embedded filesystem broker under instance/ is used.
    REDIS_URL: str | None = None
    PORT = 5000

    # JSON columns keep Kazakh and Russian as UTF-8, not as \uXXXX escapes (half the size of a decision snapshot)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "json_serializer": partial(json.dumps, ensure_ascii=False)}

    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long form (evidence, judgements) may stay open for a working day

    # Login throttling: failures counted per e-mail and per client address within the window.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60

    # Flask-Limiter: memory storage in development; Redis when REDIS_URL is set.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = True

    # File storage (evidence, certificates, reports); "filesystem" keeps files under STORAGE_ROOT.
    STORAGE_BACKEND = "filesystem"
    STORAGE_ROOT: str | None = None  # default: instance/files

    # Evidence: a per-file limit, and a quota per application. The request limit leaves room for the form fields;
    # a larger request is answered by a friendly 413 page.
    EVIDENCE_MAX_FILE_BYTES = 20 * 1024 * 1024
    EVIDENCE_MAX_APPLICATION_BYTES = 200 * 1024 * 1024
    EVIDENCE_MAX_ITEMS = 40
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024

    # Independent assessors per application (ISO/IEC 17024: those who assess do not decide).
    ASSESSORS_PER_APPLICATION = 2

    # What certificates state about the centre (copied onto each certificate at issue).
    CENTRE_ACCREDITATION = "Accreditation certificate No. KZ-NCA-0000 (demo), ISO/IEC 17024"
    CENTRE_SIGNATORY_NAME = "Ә. С. Нұрланова"
    CENTRE_SIGNATORY_POSITION = {"kk": "Орталық директоры", "ru": "Директор центра", "en": "Director of the centre"}
    CERTIFICATE_NUMBER_PREFIX = "KZQC"
    # The address certificates' QR codes and the credential JSON point to.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Signing: generated into instance/signing for development; production sets the paths.
    SIGNING_KEY_PATH: str | None = None
    SIGNING_CERT_PATH: str | None = None
    SIGNING_KEY_PASSPHRASE: str | None = None
    SIGNING_CHAIN_PATH: str | None = None  # intermediate and root certificates of the signing certificate (PEM)
    SIGNING_REQUIRE_CONFIGURED_KEY = False
    # RFC 3161 time-stamp authority for the PDF signatures (PAdES B-T); unset outside production: one in the app.
    TIMESTAMP_URL: str | None = None
    TIMESTAMP_ROOT_PATH: str | None = None  # its root certificate (PEM), to check the time stamps against
    TIMESTAMP_TIMEOUT_SECONDS = 10
    # The credentials' Ed25519 keys, one file each (see certificates/keys.py); development: instance/credentials/keys.
    CREDENTIAL_KEYS_PATH: str | None = None
    CREDENTIAL_ACTIVE_KEY: str | None = None  # the key id that signs; default: the newest with a private half
    CREDENTIAL_KEYS_PASSPHRASE: str | None = None
    CERTIFICATE_RENDER_BATCH = 50
    VERIFY_RATE_LIMIT = "30 per minute"

    CENTRE_NAME = {
        "kk": "Біліктілікті растау орталығы",
        "ru": "Центр подтверждения квалификации",
        "en": "Qualification Confirmation Centre",
    }

    # Celery settings are passed to the Celery app as they are (lower-case Celery names).
    CELERY: dict = {
        "beat_schedule": {
            "expire-certificates": {
                "task": "certcenter.certificates.tasks.expire_certificates",
                "schedule": crontab(hour=0, minute=5),
            },
            "sweep-render-queue": {"task": "certcenter.certificates.tasks.sweep_render_queue", "schedule": 120.0},
            "sweep-orphan-files": {
                "task": "certcenter.core.tasks.sweep_orphan_files",
                "schedule": crontab(hour=3, minute=30),
            },
        },
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # a batch in hand for each pool process: one that finishes starts the next at once instead of after the
        # broker's next poll; messages in hand are acknowledged only when done, so a dead worker loses none
        "worker_prefetch_multiplier": 2,
        "broker_connection_retry_on_startup": True,
    }
    HEALTH_WORKER_TIMEOUT_SECONDS = 1.5
    # A stored file no row refers to is deleted once it is this old (younger, its transaction may be under way).
    ORPHAN_FILE_GRACE_HOURS = 24


class DevelopmentConfig(Config):
    DEBUG = False  # the demo runs like production: no debugger a visitor could reach


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    RATELIMIT_ENABLED = False
    SERVER_NAME = None
    # Argon2 at production cost makes a suite with hundreds of logins slow; the algorithm stays the same.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8 * 1024
    # Tasks run in the calling process; the tests that need a real worker and broker start them.
    CELERY = Config.CELERY | {"task_always_eager": True, "task_eager_propagates": False}


class ProductionConfig(Config):
    SIGNING_REQUIRE_CONFIGURED_KEY = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_class(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("CERTCENTER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"CERTCENTER_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
