"""Fixtures of other domains' tests that the attacks build on."""

from tests.evidence.test_uploads import draft  # noqa: F401 - a candidate's draft application, for uploads
