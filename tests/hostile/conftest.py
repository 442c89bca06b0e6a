"""Fixtures of other domains' tests that the attacks build on."""

from tests.e2e.conftest import browser, live_server  # noqa: F401 - the browser test of the headers
from tests.evidence.test_uploads import draft  # noqa: F401 - a candidate's draft application, for uploads
