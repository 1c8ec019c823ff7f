# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Helpdesk After-Sales Service",
    "summary": "After-sales service desk on helpdesk tickets: classification, "
    "SLA, warranty, returns, exchanges, approved compensation, "
    "satisfaction and reports",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "website": "https://github.com/OCA/helpdesk",
    "author": "helpdesk_after_sales contributors, Odoo Community Association (OCA)",
    "license": "AGPL-3",
    "depends": [
        "helpdesk_mgmt",
        "helpdesk_mgmt_sla",
        "helpdesk_mgmt_rating",
        "helpdesk_product",
        "product_warranty",
        "rma_sale",
        "repair",
        "base_tier_validation",
    ],
    "data": [
        "security/helpdesk_after_sales_security.xml",
        "security/ir.model.access.csv",
        "data/helpdesk_ticket_category_data.xml",
        "data/helpdesk_ticket_channel_data.xml",
        "data/helpdesk_ticket_priority_keyword_data.xml",
        "data/helpdesk_sla_data.xml",
        "data/helpdesk_ticket_compensation_data.xml",
        "data/rma_operation_data.xml",
        "wizards/helpdesk_ticket_sla_extension_wizard_views.xml",
        "wizards/helpdesk_ticket_compensation_approval_wizard_views.xml",
        "wizards/helpdesk_ticket_return_wizard_views.xml",
        "wizards/helpdesk_ticket_exchange_wizard_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_category_views.xml",
        "views/helpdesk_sla_views.xml",
        "views/helpdesk_ticket_priority_keyword_views.xml",
        "views/helpdesk_ticket_compensation_views.xml",
        "views/rma_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "pre_init_hook": "pre_init_hook",
    "demo": [
        "demo/res_users_demo.xml",
    ],
}
