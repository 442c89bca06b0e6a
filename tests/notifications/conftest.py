from tests.assessments.conftest import in_assessment, submitted  # noqa: F401 - the fixtures
from tests.certificates.conftest import confirmed  # noqa: F401 - the fixture
from tests.smtp import smtp  # noqa: F401 - the fixture
