/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// A dispatcher plans an on-site visit from the ticket of a purifier in warranty: the
// engineer, the appointment window (proposed for tomorrow), the unit and the fault come
// from the ticket; the visit is free and the customer receives the appointment.
registry.category("web_tour.tours").add("helpdesk_after_sales_visit_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(After-sales)",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_plan_visit]",
            run: "click",
        },
        {
            content: "The ticket's unit is shown in the wizard",
            trigger: ".modal .o_field_widget[name=lot_id]:contains(AP900-TOUR-1)",
        },
        {
            content: "In warranty: the visit is free, no fee to enter",
            trigger: ".modal .o_field_widget[name=under_warranty] input:checked",
        },
        {
            trigger: ".modal .o_field_widget[name=person_id] input",
            run: "edit Engineer Zhao",
        },
        {
            trigger: ".modal .o-autocomplete--dropdown-item a:contains(Engineer Zhao)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=fault] textarea",
            run: "edit Smoke comes out of the back after ten minutes; check the fan.",
        },
        {
            trigger: ".modal button[name=action_plan]",
            run: "click",
        },
        {
            content: "The wizard closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(After-sales)",
            run: "click",
        },
        {
            content: "The ticket shows its visit",
            trigger: ".o_form_view .o_field_widget[name=after_sales_visit_report_done]",
        },
        {
            content: "The chatter tells who planned what",
            trigger: ".o-mail-Message-body:contains(planned by)",
        },
        {
            content: "The customer received the appointment",
            trigger: ".o-mail-Message:contains(on-site service appointment)",
        },
    ],
});
