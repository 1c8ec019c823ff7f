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
# Mail-in repairs (寄修): the unit received and shipped back through an RMA.
from . import mail_in
from . import deadlines
from . import dashboard
from . import archive
from . import record_sheet
# Routing before intake: its create sees the priority intake suggests (and the
# default team); its write records reassignments and re-routes during intake.
from . import routing
from . import intake
from . import cause
# Class C: the apology and corrective action closing requires.
from . import complaint
from . import closing
# issue 18, on-site visits: after closing, whose proof and rules it extends (no
# create/write of its own).
from . import field_service
# Only a create: it gives a ticket without a team its company's default team
# before any other concern looks at the ticket.
from . import default_team
# Outermost: the acknowledgement goes out once the ticket is complete (team,
# handler, deadlines).
from . import portal_intake
