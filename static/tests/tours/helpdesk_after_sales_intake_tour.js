/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// An agent takes an urgent quality fault on the phone: the urgency words make it P1,
// and once saved the ticket shows its running response deadline.
registry.category("web_tour.tours").add("helpdesk_after_sales_intake_tour", {
    steps: () => [
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Production stop on line 3",
        },
        {
            trigger: ".o_notebook .nav-link:contains(Description)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor The packing machine stopped at 9:00 and shows error E21.",
        },
        {
            trigger: ".o_field_widget[name=team_id] input",
            run: "edit After-sales (tour)",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(After-sales (tour))",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=category_id] input",
            run: "edit Usage question",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Usage question)",
            run: "click",
        },
        {
            content: "The urgency words make the suggested priority P1",
            trigger: "div[name=after_sales_badges] .badge:contains(P1 Urgent)",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, the response deadline is running",
            trigger:
                ".o_form_saved div[name=after_sales_badges] .o_field_widget[name=response_sla_state] .badge:contains(Running)",
        },
    ],
});
