/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {registry} from "@web/core/registry";

// The customer follows the link of the satisfaction mail, picks the unhappy face,
// explains why and sends the feedback.
registry.category("web_tour.tours").add("helpdesk_after_sales_rating_tour", {
    steps: () => [
        {
            trigger: "h1:contains(Thank you for rating our services!)",
        },
        {
            content: "Dissatisfied",
            trigger: "label[for=rate_1]",
            run: "click",
        },
        {
            trigger: "textarea[name=feedback]",
            run: "edit The printer still jams every morning.",
        },
        {
            trigger: "button[type=submit]:contains(Send Feedback)",
            run: "click",
        },
        {
            content: "The customer is thanked",
            trigger: "h3:contains(Thank you for your feedback!)",
        },
    ],
});
