from tests.certificates.conftest import confirmed  # noqa: F401 - the fixture
from tests.smtp import smtp  # noqa: F401 - the fixture
