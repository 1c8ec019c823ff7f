/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// The customer opens a ticket from the portal with the serial number of their unit,
// what they see and what they expect; the ticket page shows where it stands.
registry.category("web_tour.tours").add("helpdesk_after_sales_portal_intake_tour", {
    steps: () => [
        {
            trigger: "form#after_sales_new_ticket_form select[name=team]",
            run: "selectByLabel After-sales (portal tour)",
        },
        {
            trigger: "form#after_sales_new_ticket_form input[name=subject]",
            run: "edit Purifier stops after a minute",
        },
        {
            content: "The customer's own unit is suggested",
            trigger: "datalist#after_sales_serials option[value=AP900-PORTAL-1]:not(:visible)",
        },
        {
            trigger: "form#after_sales_new_ticket_form input[name=serial_number]",
            run: "edit AP900-PORTAL-1",
        },
        {
            trigger: "form#after_sales_new_ticket_form textarea[name=symptoms]",
            run: "edit The fan stops after a minute and the red light blinks.",
        },
        {
            trigger: "form#after_sales_new_ticket_form select[name=expected_resolution]",
            run: "select repair",
        },
        {
            trigger: "form#after_sales_new_ticket_form textarea[name=description]",
            run: "edit It started yesterday evening.",
        },
        {
            trigger: "form#after_sales_new_ticket_form button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The ticket page shows the after-sales status",
            trigger: "#after_sales_status:contains(In warranty)",
        },
    ],
});

// Later, once the desk recorded the result: the customer confirms it (Done).
registry.category("web_tour.tours").add("helpdesk_after_sales_portal_confirm_tour", {
    steps: () => [
        {
            content: "The result is shown",
            trigger: "#after_sales_status:contains(The purifier runs for hours again.)",
        },
        {
            trigger: "div[name=ticket_close_buttons] form[action='/ticket/close'] button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Closed: no more buttons nor evidence form",
            trigger: "#after_sales_status:not(:has(#after_sales_add_evidence))",
        },
    ],
});

// The satisfaction mail's link: satisfied, with a comment.
registry.category("web_tour.tours").add("helpdesk_after_sales_portal_rate_tour", {
    steps: () => [
        {
            trigger: ".o_rating_page_submit input#rate_5:checked",
        },
        {
            trigger: ".o_rating_page_submit textarea[name=feedback]",
            run: "edit Fast and friendly.",
        },
        {
            trigger: ".o_rating_page_submit button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_rating_page_thank_you",
        },
    ],
});
