/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// The customer follows the satisfaction mail's link (satisfied smiley), changes
// their mind on the page: dissatisfied, with a comment, and is thanked.
registry.category("web_tour.tours").add("helpdesk_after_sales_rating_tour", {
    steps: () => [
        {
            content: "The smiley of the mail's link is selected",
            trigger: ".o_rating_page_submit input#rate_5:checked",
        },
        {
            trigger: ".o_rating_page_submit label[for=rate_1]",
            run: "click",
        },
        {
            trigger: ".o_rating_page_submit input#rate_1:checked",
        },
        {
            trigger: ".o_rating_page_submit textarea[name=feedback]",
            run: "edit The scans are still blank.",
        },
        {
            trigger: ".o_rating_page_submit button[type=submit]:contains(Send Feedback)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer is thanked",
            trigger: ".o_rating_page_thank_you h3:contains(Thank you for your feedback!)",
        },
    ],
});
