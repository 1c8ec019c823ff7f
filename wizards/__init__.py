from . import helpdesk_ticket_sla_extension_wizard
from . import helpdesk_ticket_compensation_approval_wizard
from . import helpdesk_ticket_rma_wizard_mixin
from . import helpdesk_ticket_return_wizard
from . import helpdesk_ticket_exchange_wizard
from . import rma_delivery_wizard
from . import helpdesk_after_sales_analysis_wizard
from . import helpdesk_ticket_warranty_override_wizard
from . import helpdesk_ticket_satisfaction_wizard
from . import helpdesk_ticket_followup_wizard
from . import helpdesk_ticket_reassign_wizard
# issue 18, on-site visits
from . import helpdesk_ticket_visit_wizard
