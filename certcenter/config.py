"""Configuration classes.

Loading order (later wins): a class below, then ``instance/config.py``, then ``CERTCENTER_*`` environment
variables, then keyword overrides given to ``create_app``.
"""

from __future__ import annotations

import json
import os
from functools import partial

from celery.schedules import crontab

from certcenter.queues import celery_queue_settings

DEFAULT_SECRET_KEY = "dev-only-insecure-key"


class Config:
    SECRET_KEY = DEFAULT_SECRET_KEY
    # Filled in by create_app when not configured: sqlite file under instance/.
    DATABASE_URL: str | None = None
    # Redis URL for the Celery broker; when unset an embedded filesystem broker under instance/ is used.
    REDIS_URL: str | None = None
    # Where `certcenter serve` (`make run`) listens; development derives PUBLIC_BASE_URL from them.
    HOST = "127.0.0.1"
    PORT = 5000

    # JSON columns keep Kazakh and Russian as UTF-8, not as \uXXXX escapes (half the size of a decision snapshot)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "json_serializer": partial(json.dumps, ensure_ascii=False)}

    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"

    SESSION_COOKIE_HTTPONLY = True
    # Strict-Transport-Security max-age; 0 sends none (production: a year)
    HSTS_SECONDS = 0
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long form (evidence, judgements) may stay open for a working day

    # Password throttling (sign-in and the current password), see accounts.services.password_throttle: failures
    # per client address + account pair and per address within the window block that pair or address; failures on
    # an account from everywhere beyond a free number slow it down (1, 2, 4... s, at most the maximum), except from
    # an address it signed in from lately. Nobody can lock the owner out.
    LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_PAIR = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_ACCOUNT_FREE_FAILURES = 10
    LOGIN_ACCOUNT_MAX_DELAY_SECONDS = 60
    LOGIN_ACCOUNT_WINDOW_SECONDS = 24 * 3600
    LOGIN_KNOWN_ADDRESS_DAYS = 30

    # Rows per page of the administrators' lists (applications, catalogue, certificates to issue).
    ADMIN_LIST_PER_PAGE = 50

    # Flask-Limiter: counts in Redis when REDIS_URL is set, else in instance/ratelimits.sqlite3 (shared by every web
    # server process); when that storage fails, counted in memory meanwhile instead of failing the request.
    RATELIMIT_STORAGE_URI: str | None = None
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A rate-limit count in Redis gives up sooner than other Redis calls: it has the memory to fall back to. (While
    # Redis is away, Flask-Limiter probes it now and then, after 1, 2, 4 ... 32 s, each probe costing one timeout.)
    RATELIMIT_REDIS_TIMEOUT_SECONDS = 0.5
    # Reverse proxies in front of the app whose X-Forwarded-For / X-Forwarded-Proto are trusted (0: none).
    TRUSTED_PROXY_HOPS = 0

    # File storage (evidence, certificates, reports): none keeps files under STORAGE_ROOT; "s3://bucket/prefix" in an
    # S3-compatible object store shared by every node (certcenter/core/s3storage.py).
    STORAGE_URL: str | None = None
    STORAGE_ROOT: str | None = None  # default: instance/files
    # The object store: unset, boto3 reads AWS_ENDPOINT_URL, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, ... as usual.
    S3_ENDPOINT_URL: str | None = None
    S3_PUBLIC_ENDPOINT_URL: str | None = None  # where browsers reach it, for presigned URLs (default: the endpoint)
    S3_REGION: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_ADDRESSING_STYLE: str | None = None  # "path" or "virtual"; default path with an endpoint, else auto
    S3_SERVER_SIDE_ENCRYPTION: str | None = None  # "AES256" or "aws:kms" (with S3_SSE_KMS_KEY_ID)
    S3_SSE_KMS_KEY_ID: str | None = None
    S3_CONDITIONAL_WRITES = True  # If-None-Match: * on every put; false: a HEAD first (servers without it)
    S3_MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024  # larger files go in parts of this size
    S3_PRESIGN_ABOVE_BYTES: int | None = None  # larger downloads redirect to a presigned URL; none: always streamed
    S3_PRESIGN_SECONDS = 60
    S3_PARALLEL_PUTS = 8  # a batch's certificates stored this many at a time

    # Evidence: a per-file limit, and a quota per application. The request limit leaves room for the form fields;
    # a larger request is answered by a friendly 413 page.
    EVIDENCE_MAX_FILE_BYTES = 20 * 1024 * 1024
    EVIDENCE_MAX_APPLICATION_BYTES = 200 * 1024 * 1024
    EVIDENCE_MAX_ITEMS = 40
    MAX_CONTENT_LENGTH = 21 * 1024 * 1024

    # Deadlines (applications/deadlines.py): days a workflow step may take from the moment the application entered
    # it; those it waits on are reminded DEADLINE_REMINDER_DAYS before, administrators told once it has passed (and
    # their work queue counts it overdue). The defaults of centre settings (core/settings.py): administrators change
    # them in the browser; CERTCENTER_DEADLINE_DAYS__submitted=3 fixes one for a deployment. The appeal's step
    # ("appealed") has APPEAL_PANEL_DEADLINE_DAYS.
    DEADLINE_DAYS = {
        "submitted": 5,  # assign the assessors
        "exception_requested": 5,  # decide on the exception
        "in_assessment": 21,  # the assessors' judgements
        "moderation": 7,  # the lead assessor's moderation
        "awaiting_decision": 7,  # the decision
        "confirmed": 10,  # issue the certificate
    }
    DEADLINE_REMINDER_DAYS = 2

    # Independent assessors per application (ISO/IEC 17024: those who assess do not decide).
    ASSESSORS_PER_APPLICATION = 2
    # How far apart (percentage points) the assessors' theory or practical results may be and still count as agreed;
    # results on opposite sides of the pass mark are never agreed. Beyond it the result goes to moderation.
    RESULT_TOLERANCE_POINTS = 5

    # Editions of the framework in force (#13). Applying uses the edition in force that day. When the last edition
    # loaded has been repealed and no successor is loaded yet, True keeps applying under it (its repeal is shown),
    # False refuses every application until the new edition is loaded.
    APPLY_UNDER_REPEALED_EDITION = True
    # The edition a decision is made under when the application's own edition has since been replaced:
    # "application" (its own edition, as the assessment was) or "in_force" (the edition in force on the day).
    DECISION_EDITION = "application"

    # The centre's settings (certcenter/core/settings.py): the defaults of what administrators change in the browser;
    # a CERTCENTER_<KEY> environment variable fixes one for a deployment. Certificates copy them at issue.
    CENTRE_ACCREDITATION = {
        "kk": "Аккредиттеу аттестаты № KZ-NCA-0000 (демо), ISO/IEC 17024",
        "ru": "Аттестат аккредитации № KZ-NCA-0000 (демо), ISO/IEC 17024",
        "en": "Accreditation certificate No. KZ-NCA-0000 (demo), ISO/IEC 17024",
    }
    CENTRE_SIGNATORY_NAME = {"kk": "Ә. С. Нұрланова", "ru": "А. С. Нурланова", "en": "A. S. Nurlanova"}
    CENTRE_SIGNATORY_POSITION = {"kk": "Орталық директоры", "ru": "Директор центра", "en": "Director of the centre"}
    CENTRE_SHORT_NAME = {"kk": "БРО", "ru": "ЦПК", "en": "QCC"}
    CENTRE_LOGO: int | None = None  # an uploaded logo's id (centre_logos); set in the browser
    CERTIFICATE_NUMBER_PREFIX = "KZQC"
    # Deadlines (days) and how long records are kept (years), as the centre's procedures set them: the period after
    # a decision in which it may be appealed, and the days the appeals panel has to decide (from the appeal).
    APPEAL_DEADLINE_DAYS = 30
    APPEAL_PANEL_DEADLINE_DAYS = 30
    # How long a process keeps the settings it read before reading them again (another process's change shows
    # after at most this long; the process that saves one sees it at once).
    CENTRE_SETTINGS_CACHE_SECONDS = 5.0
    # The address certificates' QR codes and the credential JSON point to: production must set it; elsewhere it is
    # http://HOST:PORT, where `certcenter serve` listens.
    PUBLIC_BASE_URL: str | None = None
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
    # Complaints (ISO/IEC 17024 9.9): acknowledged within, closed within (days), and the public desk's anti-spam
    # (complaints from one address; a form sent sooner than this after it was shown is a robot's)
    COMPLAINT_ACKNOWLEDGE_DAYS = 5
    COMPLAINT_RESOLVE_DAYS = 30
    COMPLAINT_RATE_LIMIT = "5 per hour"
    COMPLAINT_MIN_FILL_SECONDS = 4
    # Appeals (certcenter/appeals): the period to lodge one is the centre's setting "appeal_days"; its panel has one
    # to APPEAL_PANEL_MAX_MEMBERS members and the setting "appeal_panel_days" (APPEAL_PANEL_DEADLINE_DAYS) from its
    # forming to its outcome (then it is overdue).
    APPEAL_PANEL_MAX_MEMBERS = 3
    # What may be appealed against besides a decision not to confirm (centre settings "appeal_certificate_status",
    # "appeal_lower_level"): a suspension or revocation of a certificate, and the lower level a not-confirmed
    # decision advises.
    APPEAL_AGAINST_CERTIFICATE_STATUS = True
    APPEAL_AGAINST_LOWER_LEVEL = True

    # Outgoing mail (certcenter/notifications/mail.py). With no MAIL_SMTP_HOST, mails are written as .eml files
    # under MAIL_MAILBOX_PATH (default instance/mail) and listed at /dev/mail outside production.
    MAIL_SMTP_HOST: str | None = None
    MAIL_SMTP_PORT = 587
    MAIL_SMTP_SECURITY = "starttls"  # "starttls", "tls" (implicit, port 465) or "none"
    MAIL_SMTP_USERNAME: str | None = None
    MAIL_SMTP_PASSWORD: str | None = None
    MAIL_SMTP_TIMEOUT_SECONDS = 10
    MAIL_FROM: str | None = None  # default: noreply@ the public address's host
    MAIL_MAILBOX_PATH: str | None = None
    MAIL_DEV_MAILBOX = True  # the /dev/mail page (never in production)
    # A mail the server refused for now (4xx, or no answer) is tried again after these many seconds, then failed.
    MAIL_RETRY_SECONDS = (60, 300, 900, 3600, 3 * 3600, 6 * 3600)
    MAIL_TASK_BATCH = 20  # mails sent by one task (a batch of certificates issued writes a notice each)
    # Links mailed to prove an address, and to choose a new password.
    EMAIL_VERIFICATION_SECONDS = 3 * 24 * 3600
    # Argon2id cost (OWASP Password Storage Cheat Sheet: 19 MiB, 2 iterations, 1 lane, one of its equivalent
    # settings): about 30 ms of one core a sign-in, so a morning's burst of sign-ins does not take the whole machine
    # (argon2-cffi's default, 64 MiB x 3 x 4 lanes, costs about 240 ms of CPU over every core). A hash made with other
    # costs is made again with these at its owner's next sign-in.
    PASSWORD_HASH_TIME_COST = 2
    PASSWORD_HASH_MEMORY_COST = 19 * 1024
    PASSWORD_HASH_PARALLELISM = 1
    PASSWORD_RESET_SECONDS = 3600
    PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS = "3 per hour"  # recovery mails asked for one e-mail address
    PASSWORD_RESET_RATE_LIMIT_PER_CLIENT = "10 per hour"  # recovery requests from one client address
    EMAIL_VERIFICATION_RESEND_RATE_LIMIT = "3 per hour"

    CENTRE_NAME = {
        "kk": "Біліктілікті растау орталығы",
        "ru": "Центр подтверждения квалификации",
        "en": "Qualification Confirmation Centre",
    }

    # Recertification: the holder may renew from this many days before his certificate expires.
    RENEWAL_WINDOW_DAYS = 180
    # The one schedule of reminders before a certificate expires (days before; one notice, by e-mail too, at each).
    EXPIRY_REMINDER_DAYS = (180, 90, 30, 7)

    # Personal data retention (Law No. 94-V "On personal data and their protection", art. 12; ISO/IEC 17024, 7.4):
    # the defaults of the centre settings' "retention" group, years each kind of record is kept: after the
    # certification cycle ends (the certificate's expiry, or the day an application ended without one) for a case's
    # records and the person, after closing for a complaint, after it was made for the others. The certificate
    # register is kept permanently. See certcenter/records/retention.py and the README's "Personal data" section.
    EVIDENCE_RETENTION_YEARS = 5
    ASSESSMENT_RECORDS_RETENTION_YEARS = 5
    PERSONAL_DATA_RETENTION_YEARS = 5
    COMPLAINTS_RETENTION_YEARS = 5
    REPORTS_RETENTION_YEARS = 3
    AUDIT_LOG_RETENTION_YEARS = 10
    DATA_EXPORT_DAYS = 7  # a person's copy of his data is deleted this many days after it was made
    # The privacy notice's version: a candidate who consented to another version is asked again.
    PRIVACY_NOTICE_VERSION = "2026-11"

    # Celery settings are passed to the Celery app as they are (lower-case Celery names).
    CELERY: dict = {
        "beat_schedule": {
            "expire-certificates": {
                "task": "certcenter.certificates.tasks.expire_certificates",
                "schedule": crontab(hour=0, minute=5),
            },
            "remind-deadlines": {
                "task": "certcenter.applications.tasks.remind_deadlines",
                "schedule": crontab(minute=15),
            },
            # holders told EXPIRY_REMINDER_DAYS before their certificate expires, once each (certificates/renewal.py)
            "remind-renewals": {
                "task": "certcenter.certificates.tasks.remind_renewals",
                "schedule": crontab(hour=9, minute=0),
            },
            # surveillance checks made and holders told as they open (certificates/surveillance.py)
            "schedule-surveillance": {
                "task": "certcenter.certificates.tasks.schedule_surveillance",
                "schedule": crontab(hour=9, minute=10),
            },
            # what a dead worker held, and rows left waiting (certificates, reports): see core/workers.py
            "sweep-lost-work": {"task": "certcenter.core.tasks.sweep_lost_work", "schedule": 10.0},
            # attempts whose time ran out are submitted, sittings past their window closed and marked
            "exams-sweep": {"task": "certcenter.exams.tasks.sweep", "schedule": 30.0},
            # the administrators' daily digest of notices
            "notice-digest": {
                "task": "certcenter.notifications.tasks.send_digests",
                "schedule": crontab(hour=7, minute=0),
            },
            # personal data past its retention period: destroyed or anonymised (certcenter/records/retention.py)
            "retention": {
                "task": "certcenter.records.tasks.run_retention",
                "schedule": crontab(hour=2, minute=15),
            },
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
        # a publish that fails is not tried again in the request (a retry on a frozen Redis cost 3 s): the caller
        # leaves the row queued and the sweep sends it when the broker is back
        "task_publish_retry_policy": {"max_retries": 0},
        # certificates, reports, mail and maintenance each on a queue of its own (certcenter/queues.py)
        **celery_queue_settings(),
    }
    # Each worker writes a heartbeat row this often; one silent for WORKER_STALE_SECONDS counts as dead (/health
    # fails, and the sweep gives back what it held).
    WORKER_HEARTBEAT_SECONDS = 2
    WORKER_STALE_SECONDS = 10
    # /health answers within this long whatever hangs; a check still running by then is reported as failing.
    HEALTH_BUDGET_SECONDS = 0.8
    # Every Redis client (broker, result backend, rate limiter) gives up on a call after this long.
    REDIS_TIMEOUT_SECONDS = 1.0
    # An answer that arrives this many seconds after the time ran out (it was in flight) is still saved.
    EXAM_SAVE_GRACE_SECONDS = 3
    # A stored file no row refers to is deleted once it is this old (younger, its transaction may be under way).
    ORPHAN_FILE_GRACE_HOURS = 24
    # A request slower than this many ms is logged with where its time went (core/request_timing.py); 0 logs none.
    SLOW_REQUEST_MS = 0


class DevelopmentConfig(Config):
    DEBUG = False  # the demo runs like production: no debugger a visitor could reach


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"  # each test app counts on its own
    CENTRE_SETTINGS_CACHE_SECONDS = 0.0  # the database is emptied between tests: no setting may outlive one
    SERVER_NAME = None
    # Argon2 at production cost makes a suite with hundreds of logins slow; the algorithm stays the same.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8 * 1024
    # Tasks run in the calling process; the tests that need a real worker and broker start them.
    CELERY = Config.CELERY | {"task_always_eager": True, "task_eager_propagates": False}


class ProductionConfig(Config):
    MAIL_DEV_MAILBOX = False
    SIGNING_REQUIRE_CONFIGURED_KEY = True
    HSTS_SECONDS = 365 * 24 * 3600
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


SECRET_KEY_MIN_BYTES = 32


def check_production(config: dict) -> None:
    """What production refuses to start without: a session key of its own, long enough not to be guessed (32
    bytes, as from ``python -c 'import secrets; print(secrets.token_urlsafe(32))'``), and the public address that
    certificates' QR codes will carry for years."""
    key = config.get("SECRET_KEY") or ""
    if key == DEFAULT_SECRET_KEY or len(key.encode() if isinstance(key, str) else key) < SECRET_KEY_MIN_BYTES:
        raise RuntimeError(
            f"Refusing to start: the production configuration needs its own SECRET_KEY of at least "
            f"{SECRET_KEY_MIN_BYTES} bytes (set CERTCENTER_SECRET_KEY or SECRET_KEY in instance/config.py)."
        )
    if not config.get("PUBLIC_BASE_URL"):
        raise RuntimeError(
            "Refusing to start: set CERTCENTER_PUBLIC_BASE_URL to the address the public reaches the centre at "
            "(e.g. https://certcenter.example.kz): certificates' QR codes point there."
        )


def served_base_url(host: str, port: int | str) -> str:
    """The address `certcenter serve` answers at, for development's QR codes (a wildcard address is reached on the
    loopback)."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(str(host), str(host))
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{int(port)}"


def config_class(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("CERTCENTER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"CERTCENTER_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
