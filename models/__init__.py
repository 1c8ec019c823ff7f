from . import res_company
from . import res_config_settings
from . import helpdesk_ticket_category
from . import helpdesk_ticket_priority_keyword
from . import helpdesk_sla
from . import helpdesk_ticket_sla
from . import helpdesk_ticket
from . import helpdesk_after_sales_improvement
