# The ticket by concern. Import order is the order of the create/write overrides:
# each file wraps the ones imported before it, so closing (last) decides first what
# a write closes and acts last once everything else is written.
from . import base
from . import scope
from . import messages
from . import satisfaction
from . import compensation
from . import returns
from . import returns_rma
from . import repair
from . import warranty
from . import deadlines
from . import dashboard
from . import archive
from . import record_sheet
from . import intake
from . import cause
from . import closing
