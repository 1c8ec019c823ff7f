/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// An agent takes a call about a purifier giving off smoke: a P1 quality fault on a
// serial-numbered unit received 5 days ago. The warranty check finds the sale and shows
// the unit in warranty; on day 5 a quality fault may be returned (三包), so the return is
// within the policy.
registry.category("web_tour.tours").add("helpdesk_after_sales_return_tour", {
    steps: () => [
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Purifier gives off smoke",
        },
        {
            trigger: ".o_notebook .nav-link:contains(Description)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=description] .odoo-editor-editable",
            run: "editor The purifier received this week smells burnt and smokes.",
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
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer Qian",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Customer Qian)",
            run: "click",
        },
        {
            content: "Wait for the customer's onchange (email, service location) to land before typing on",
            trigger: ".o_field_widget[name=partner_email] input:value(qian@example.com)",
        },
        {
            trigger: ".o_field_widget[name=category_id] input",
            run: "edit Quality fault",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Quality fault)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=product_id] input",
            run: "edit AP-900",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Air purifier AP-900)",
            run: "click",
        },
        {
            content: "The serial number and the symptoms are on the Intake page",
            trigger: ".o_notebook .nav-link:contains(Intake)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=lot_id] input",
            run: "edit AP900-TOUR-1",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(AP900-TOUR-1)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=symptoms] textarea",
            run: "edit Smoke comes out of the back after ten minutes.",
        },
        {
            content: "Smoke is an urgency word: the suggested priority is P1",
            trigger: "div[name=after_sales_badges] .badge:contains(P1 Urgent)",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved .o_notebook .nav-link:contains(After-sales)",
            run: "click",
        },
        {
            trigger: ".o_form_saved button[name=action_check_warranty]",
            run: "click",
        },
        {
            content: "The check is done and the form reloaded",
            trigger: ".o_form_saved button[name=action_check_warranty]:enabled",
        },
        {
            content: "The warranty check found the delivery of this serial number",
            trigger: ".o_form_saved .o_field_widget[name=picking_id]:contains(WH/OUT/)",
        },
        {
            content: "Sold 5 days ago with a 12-month warranty: in warranty",
            trigger:
                ".o_form_saved .o_field_widget[name=warranty_state] .badge:contains(In warranty)",
        },
        {
            trigger: ".o_form_saved .o_form_statusbar button[name=action_open_return_wizard]",
            run: "click",
        },
        {
            content: "A class A ticket: the wizard proposes a quality fault",
            trigger:
                ".modal .o_field_widget[name=reason] select:has(option:checked:contains(Quality fault))",
        },
        {
            content: "The ticket's serial number is proposed, quantity 1",
            trigger:
                ".modal .o_data_row:contains(AP900-TOUR-1) .o_data_cell[name=quantity]:contains(1.00)",
        },
        {
            content: "A quality fault on day 5 is within the policy: no warning",
            trigger: ".modal .o_form_view:not(:has(.alert-warning))",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The return opens, waiting for the goods",
            trigger: ".o_form_view .o_field_widget[name=lot_id]:contains(AP900-TOUR-1)",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Purifier gives off smoke)",
            run: "click",
        },
        {
            content: "The ticket counts one return",
            trigger:
                ".o_form_view button[name=action_view_rmas] .o_stat_value:contains(1)",
        },
        {
            content: "The chatter tells what was started",
            trigger: ".o-mail-Message-body:contains(Return with refund started (Quality fault))",
        },
    ],
});
