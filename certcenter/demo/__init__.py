"""Demo data: the small set a new user walks through after ``make run`` (``small``: one account per role, the
catalogue, a candidate ready to apply and an application waiting for its assessors), and the demo-scale generator
(``scale``: ``certcenter demo --applications N``), split by domain (``people``, ``applications``, ``assessments``,
``certificates``) over a shared random stream, clock and bulk ``writer``. Demo data is written through each domain's
public functions; the generator writes rows in bulk and keeps to the same rules (the workflow's transitions, the
eligibility rules, the recommendation, the certificate series)."""

from flask import Flask

from certcenter.demo.scale import TABLES, Summary, generate
from certcenter.demo.small import DEMO_PASSWORD, DEMO_USERS, load_demo

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "TABLES", "Summary", "generate", "load_demo"]


def init_app(app: Flask) -> None:
    """The demo adds nothing to the running centre but the words for its entry in the audit log."""
    from certcenter.core.audit_catalogue import register as register_audit_words
    from certcenter.demo.audit_words import WORDS

    register_audit_words(app, **WORDS)
