from . import helpdesk_after_sales_report
from . import report_after_sales_analysis
