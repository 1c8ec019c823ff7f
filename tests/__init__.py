from . import test_i18n
from . import test_intake_sla
from . import test_overdue_alerts
from . import test_reports
from . import test_security
from . import test_compensation
from . import test_tours
from . import test_warranty
