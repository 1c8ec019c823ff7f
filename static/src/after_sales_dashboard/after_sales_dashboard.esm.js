/* Copyright 2026 helpdesk_after_sales contributors
 * License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl). */
import {Component, onWillStart, useState} from "@odoo/owl";
import {deserializeDateTime, formatDateTime} from "@web/core/l10n/dates";
import {Layout} from "@web/search/layout";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

const MODEL = "helpdesk.ticket";

/**
 * The after-sales dashboard: the desk's day for the current user. Every figure
 * comes from one call to helpdesk.ticket.get_after_sales_dashboard_data(); a click
 * on a figure asks the server for the list behind it
 * (action_open_after_sales_dashboard_figure), with the domain the figure counted.
 */
export class AfterSalesDashboard extends Component {
    static template = "helpdesk_after_sales.AfterSalesDashboard";
    static components = {Layout};
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.state = useState({data: null});
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call(MODEL, "get_after_sales_dashboard_data", []);
    }

    get myCards() {
        const mine = this.state.data.mine;
        return [
            {figure: "open", label: _t("My queue"), value: mine.open, tone: "primary"},
            {
                figure: "due_soon",
                label: _t("Due within the hour"),
                value: mine.due_soon,
                tone: "warning",
            },
            {
                figure: "breached",
                label: _t("Deadline breached"),
                value: mine.breached,
                tone: "danger",
            },
            {
                figure: "awaiting",
                label: _t("Waiting for the customer"),
                value: mine.awaiting,
                tone: "info",
            },
            {figure: "reopened", label: _t("Reopened"), value: mine.reopened, tone: "danger"},
            {
                figure: "compensation",
                label: _t("Compensation to approve"),
                value: mine.compensation,
                tone: "warning",
            },
            {
                figure: "followup_today",
                label: _t("Follow-ups due today"),
                value: mine.followup_today,
                tone: "info",
            },
        ];
    }

    get columns() {
        return [
            {figure: "open", label: _t("Backlog")},
            {figure: "due_soon", label: _t("Due within the hour")},
            {figure: "breached", label: _t("Breached")},
            {figure: "awaiting", label: _t("Waiting for the customer")},
            {figure: "reopened", label: _t("Reopened")},
            {figure: "followup_today", label: _t("Follow-ups due")},
            {figure: "no_deadlines", label: _t("Without deadlines (no SLA)")},
        ];
    }

    get rateColumns() {
        return [
            {figure: "on_time", period: "today", label: _t("On time today")},
            {figure: "on_time", period: "week", label: _t("On time this week")},
            {figure: "satisfaction", period: "today", label: _t("Satisfied today")},
            {figure: "satisfaction", period: "week", label: _t("Satisfied this week")},
        ];
    }

    formatDeadline(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    isOverdue(value) {
        return value && value < this.state.data.now;
    }

    isBreached(ticket) {
        return (
            ticket.response_sla_state === "breached" ||
            ticket.resolution_sla_state === "breached" ||
            this.isOverdue(ticket.next_sla_deadline)
        );
    }

    rateLabel(rate) {
        return rate.rate === null ? "-" : `${rate.rate} %`;
    }

    async openFigure(figure, scope = {}, period = undefined) {
        const params = {...scope};
        if (period) {
            params.period = period;
        }
        const action = await this.orm.call(
            MODEL,
            "action_open_after_sales_dashboard_figure",
            [figure],
            params
        );
        await this.actionService.doAction(action);
    }

    openTicket(ticketId) {
        return this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: MODEL,
            res_id: ticketId,
            views: [[false, "form"]],
        });
    }
}

registry.category("actions").add("helpdesk_after_sales.dashboard", AfterSalesDashboard);
