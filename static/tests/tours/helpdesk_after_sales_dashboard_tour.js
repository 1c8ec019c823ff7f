/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// An agent opens the Helpdesk app: it lands on the after-sales dashboard, which
// shows one breached ticket; a click on the figure opens the list behind it.
registry.category("web_tour.tours").add("helpdesk_after_sales_dashboard_tour", {
    steps: () => [
        {
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            trigger:
                ".o-dropdown--menu .o_app[data-menu-xmlid='helpdesk_mgmt.helpdesk_ticket_main_menu']",
            run: "click",
        },
        {
            content: "The Helpdesk app opens on the after-sales dashboard",
            trigger:
                ".o_after_sales_dashboard .o_after_sales_figure[data-figure=breached] .o_after_sales_figure_value:contains(1)",
        },
        {
            content: "My queue lists the ticket",
            trigger: ".o_after_sales_queue tr:contains(Dashboard tour: breached) .badge:contains(Breached)",
        },
        {
            trigger: ".o_after_sales_dashboard .o_after_sales_figure[data-figure=breached]",
            run: "click",
        },
        {
            content: "The list behind the figure",
            trigger: ".o_breadcrumb .active:contains(Deadline breached)",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Dashboard tour: breached)",
        },
        {
            content: "Only the breached ticket, not the one due tomorrow",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Dashboard tour: on time)))",
        },
    ],
});
