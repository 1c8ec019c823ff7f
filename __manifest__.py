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
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
}
