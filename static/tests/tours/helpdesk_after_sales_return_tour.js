/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// An agent completes a quality fault with the serial the customer reads out, checks the
// warranty, then starts a return of that unit from the wizard.
registry.category("web_tour.tours").add("helpdesk_after_sales_return_tour", {
    steps: () => [
        {
            trigger: ".o_field_widget[name=lot_id] input",
            run: "edit TOUR-SN-001",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(TOUR-SN-001)",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link:contains(After-sales)",
            run: "click",
        },
        {
            trigger: "button[name=action_check_warranty]",
            run: "click",
        },
        {
            content: "The purchase is found from the delivered serial: in warranty",
            trigger: ".o_field_widget[name=warranty_state] .badge:contains(In warranty)",
        },
        {
            content: "The sale order the serial was delivered with",
            trigger: ".o_field_widget[name=sale_order_id]:contains(S0)",
        },
        {
            trigger: ".o_form_statusbar button[name=action_open_return_wizard]",
            run: "click",
        },
        {
            content: "The wizard proposes the delivered unit of the ticket",
            trigger: ".modal .o_data_row:contains(TOUR-SN-001)",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary:contains(Create the return)",
            run: "click",
        },
        {
            content: "The wizard closes on the return (RMA) it created",
            trigger: "body:not(:has(.modal)) .o_form_view",
        },
    ],
});
