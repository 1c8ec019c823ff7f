/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// A manager opens the compensation waiting for their approval (500, above the
// supervisor's threshold), approves it with a comment and sees it approved.
registry.category("web_tour.tours").add("helpdesk_after_sales_compensation_approval_tour", {
    steps: () => [
        {
            content: "The request waits for the manager",
            trigger:
                ".o_list_view .o_data_row:contains(Scratched casing on delivery (tour)):contains(To approve)",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains(Scratched casing on delivery (tour)) .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Waiting for approval by a manager",
            trigger: ".o_form_view .o_field_widget[name=approval_level]:contains(Manager)",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_approval_wizard]",
            run: "click",
        },
        {
            content: "The wizard shows the request and the decision to approve",
            trigger: ".modal .o_field_widget[name=amount]:contains(500.00)",
        },
        {
            trigger: ".modal .o_field_widget[name=decision] input[data-value=approve]:checked",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Agreed: the customer keeps the product.",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The compensation is approved",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
        {
            content: "Its draft credit note is on the record",
            trigger: ".o_form_view .o_field_widget[name=move_state]:contains(Draft)",
        },
    ],
});
