/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// A manager opens the compensation waiting for a manager's approval and approves it
// through the review wizard.
registry.category("web_tour.tours").add("helpdesk_after_sales_compensation_tour", {
    steps: () => [
        {
            content: "The pending request is listed for the manager",
            trigger: ".o_data_row:contains(Casing scratched on delivery) td[name=name]",
            run: "click",
        },
        {
            content: "It waits for a manager",
            trigger: ".alert:contains(Manager approval)",
        },
        {
            trigger: "button[name=action_open_approval_wizard]:contains(Approve)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Goodwill gesture for a loyal customer.",
        },
        {
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Approved: the status bar shows it",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});
