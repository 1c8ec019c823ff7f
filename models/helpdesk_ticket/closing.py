# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError


CONFIRMATION_METHODS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("chat", "Online chat"),
    ("on_site", "On site"),
    ("portal", "Customer portal"),
    ("other", "Other"),
]
# What a ticket needs before it reaches a resolved stage.
CLOSING_FIELDS = (
    "solution",
    "result",
    "user_id",
    "customer_confirmation_by",
    "customer_confirmation_method",
    "customer_confirmation_date",
)


class HelpdeskTicket(models.Model):
    """Closing (结果反馈与确认): the result with its written proof to the customer, the customer's
    confirmation, the closing rules, and closing from the portal."""

    _inherit = "helpdesk.ticket"

    # Result and proof to the customer, satisfaction, reopening, follow-up visit.
    solution = fields.Text(
        tracking=True, help="What was done for the customer."
    )
    result = fields.Text(
        tracking=True,
        copy=False,
        help="The outcome told to the customer; cleared when the ticket is "
        "reopened, so that the second handling states its own.",
    )
    aftercare_advice = fields.Text(
        string="Aftercare advice",
        help="What the customer should do or avoid from now on; sent with the result.",
    )
    customer_confirmation_by = fields.Char(
        string="Result confirmed by",
        copy=False,
        tracking=True,
        help="Who, on the customer's side, confirmed the result.",
    )
    customer_confirmation_method = fields.Selection(
        CONFIRMATION_METHODS, string="Confirmed through", copy=False, tracking=True
    )
    customer_confirmation_date = fields.Datetime(
        string="Result confirmed on", copy=False, tracking=True
    )
    closing_missing = fields.Char(
        string="Missing to close",
        compute="_compute_can_close",
        help="What the ticket still needs before it can be closed.",
    )
    can_close = fields.Boolean(compute="_compute_can_close")
    closing_proof_names = fields.Char(
        string="Written proof",
        compute="_compute_closing_proof_names",
        compute_sudo=True,
        help="Finished repair orders and returns or exchanges sent to the customer "
        "with the result.",
    )

    # Closing rules, result mail with proof, satisfaction through Odoo's rating,
    # reopening, follow-up visits and the forbidden-phrase guard.
    # The root cause (cause.py) counts for the categories that require it.
    @api.depends(
        *CLOSING_FIELDS,
        "stage_id",
        "category_id.requires_root_cause",
        "root_cause_id",
        "responsible_department_id",
    )
    def _compute_can_close(self):
        for ticket in self:
            missing = ticket._get_missing_closing_fields()
            ticket.closing_missing = ", ".join(missing) if missing else False
            ticket.can_close = ticket._get_closing_blocker() is None

    @api.depends("repair_ids.state", "rma_ids.state")
    def _compute_closing_proof_names(self):
        for ticket in self:
            names = [
                record.display_name
                for _report, records in ticket._get_closing_proof_records()
                for record in records
            ]
            ticket.closing_proof_names = ", ".join(names) if names else False

    @api.onchange("customer_confirmation_method")
    def _onchange_customer_confirmation_method(self):
        if self.customer_confirmation_method:
            if not self.customer_confirmation_by and self.partner_id:
                self.customer_confirmation_by = self.partner_id.name
            if not self.customer_confirmation_date:
                self.customer_confirmation_date = fields.Datetime.now()

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        after_sales = tickets._after_sales_only()
        after_sales.filtered("stage_id.after_sales_resolved")._check_closing_rules()
        # One recorded in a closed stage was closed then (helpdesk_mgmt sets the
        # closing date only when the stage changes): the analysis measures it.
        recorded_closed = after_sales.filtered(lambda t: t.stage_id.closed and not t.closed_date)
        if recorded_closed:
            recorded_closed.sudo().write({"closed_date": fields.Datetime.now()})
        return tickets

    def write(self, vals):
        if self.env.context.get("after_sales_defer_rating") and not self.env.su:
            # Set below for the resolving write only; a caller's key would skip the
            # customer's rating request.
            return self.with_context(after_sales_defer_rating=False).write(vals)
        vals, resolving = self._prepare_closing_write(vals)
        # The rating request waits for the result mail (see _after_sales_resolved).
        writer = self.with_context(after_sales_defer_rating=True) if resolving else self
        result = super(HelpdeskTicket, writer).write(vals)
        resolving._after_sales_resolved()
        return result

    # closing rules
    def _get_resolved_stage(self):
        """The closed stage meaning "solved" this ticket's team uses."""
        self.ensure_one()
        if self.team_id:
            stages = self.team_id._get_applicable_stages()
        else:
            stages = self.env["helpdesk.ticket.stage"].search([("team_ids", "=", False)])
        return stages.filtered("after_sales_resolved")[:1]

    def _get_missing_closing_fields(self, vals=None):
        """Labels of what the ticket lacks before it can be closed as solved; the
        values about to be written (``vals``) count."""
        self.ensure_one()
        vals = vals or {}
        missing = []
        for name in self._get_closing_required_fields(vals):
            value = vals[name] if name in vals else self[name]
            if isinstance(value, str):
                value = value.strip()
            if not value:
                missing.append(self._fields[name]._description_string(self.env))
        return missing

    def _get_closing_required_fields(self, vals=None):
        return list(CLOSING_FIELDS) + super()._get_closing_required_fields(vals)

    def _get_closing_blocker(self):
        """Why the ticket cannot be closed as solved now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
        if not self._get_resolved_stage():
            return self.env._(
                "The team of ticket %(ticket)s has no resolved stage: mark a closed stage "
                "as resolved in the helpdesk configuration.",
                ticket=self.display_name,
            )
        missing = self._get_missing_closing_fields()
        if missing:
            return self._closing_missing_message(missing)
        return self._get_closing_obstacle()

    def _closing_missing_message(self, missing):
        return self.env._(
            "Ticket %(ticket)s cannot be closed yet: fill in %(fields)s. A ticket is "
            "closed only once the customer has confirmed the result (who, how and when).",
            ticket=self.display_name,
            fields=", ".join(missing),
        )

    def _check_closing_rules(self, vals=None):
        """A ticket is closed as solved only with its solution, result, handler and
        the customer's confirmation (who, how, when), and, for the categories that
        require them, its root cause and responsible department."""
        for ticket in self._after_sales_only():
            missing = ticket._get_missing_closing_fields(vals)
            if missing:
                raise ValidationError(ticket._closing_missing_message(missing))
            obstacle = ticket._get_closing_obstacle()
            if obstacle:
                raise ValidationError(obstacle)

    def _prepare_closing_write(self, vals):
        """Check the closing rules of the tickets this write closes. Returns the
        values to write and the tickets reaching a resolved stage.

        A reopened ticket closes only through the same rules, whatever its closed
        stage; reopening clears the closing date helpdesk_mgmt leaves behind."""
        if not vals.get("stage_id"):
            return vals, self.browse()
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        moving = self._after_sales_only().filtered(lambda t: t.stage_id != stage)
        if not stage.closed:
            if moving.filtered("closed_date"):
                vals = dict(vals, closed_date=False)
            return vals, self.browse()
        resolving = moving if stage.after_sales_resolved else self.browse()
        (resolving | moving.filtered("reopen_count"))._check_closing_rules(vals)
        return vals, resolving

    # closing from the customer portal
    def _prepare_portal_confirmation_vals(self, partner):
        """The customer closing a ticket as solved from the portal confirms its result."""
        return {
            "customer_confirmation_by": partner.name,
            "customer_confirmation_method": "portal",
            "customer_confirmation_date": fields.Datetime.now(),
        }

    def _is_portal_customer(self, partner):
        """Whether ``partner`` counts as the ticket's customer on the portal: the
        ticket's partner, or (company setting, the default) anyone of the
        partner's commercial entity. Followers and colleagues who merely read the
        ticket do not decide for the customer."""
        self.ensure_one()
        customer = self.partner_id
        if not customer or not partner:
            return False
        company = self.company_id or self.env.company
        if company.after_sales_portal_close_scope == "partner":
            return partner == customer
        return partner.commercial_partner_id == customer.commercial_partner_id

    def _get_portal_close_stages(self):
        """The stages the customer may close the ticket into from the portal: the
        resolved closed stages of the ticket's team offered on the portal. Cancelling
        or rejecting a ticket is the desk's decision."""
        self.ensure_one()
        return self.team_id._get_applicable_stages().filtered(
            lambda stage: stage.closed
            and stage.close_from_portal
            # Other teams' customers close as helpdesk_mgmt lets them.
            and (stage.after_sales_resolved or not self.is_after_sales)
        )

    def _get_portal_close_blocker(self, stage, partner):
        """Why ``partner`` cannot close the ticket into ``stage`` from the portal, or
        None. Only the customer closes, only as solved, and only once the desk has
        recorded the solution and result."""
        self.ensure_one()
        if not self._is_portal_customer(partner):
            return self.env._(
                "Only the customer of ticket %(ticket)s can close it from the portal.",
                ticket=self.display_name,
            )
        if not stage or stage not in self._get_portal_close_stages():
            return self.env._(
                "This stage cannot be chosen from the portal: a customer closes a ticket "
                "only as solved. Reply to the ticket to ask us to cancel it."
            )
        if self.closed:
            return self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
        if stage.after_sales_resolved and self.is_after_sales:
            vals = self._prepare_portal_confirmation_vals(partner)
            if self._get_missing_closing_fields(vals):
                return self.env._(
                    "Ticket %(ticket)s cannot be closed as solved yet: our team has not "
                    "recorded its result. Reply to the ticket to tell us the problem is "
                    "solved, and we will close it.",
                    ticket=self.display_name,
                )
            if self._get_closing_obstacle():
                return self.env._(
                    "Ticket %(ticket)s cannot be closed as solved yet: our work on it is "
                    "not over (for example your unit is still with us). We will close it "
                    "once it is.",
                    ticket=self.display_name,
                )
        return None

    def _close_from_portal(self, stage, partner):
        """The customer closes the ticket as solved from the portal (helpdesk_mgmt's
        buttons), confirming the recorded result; through the closing rules."""
        self.ensure_one()
        blocker = self._get_portal_close_blocker(stage, partner)
        if blocker and not self.is_after_sales:
            # helpdesk_mgmt ignores a stage the portal may not choose.
            return False
        if blocker:
            raise UserError(blocker)
        vals = {"stage_id": stage.id}
        if stage.after_sales_resolved and self.is_after_sales:
            vals.update(self._prepare_portal_confirmation_vals(partner))
        self.write(vals)
        self.message_post(
            body=self.env._(
                "%(customer)s closed the ticket from the portal (%(stage)s).",
                customer=partner.name,
                stage=stage.name,
            ),
            author_id=partner.id,
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_close(self):
        """Close the ticket as solved: the customer receives the result, then the
        satisfaction request; the follow-up visit is planned."""
        self.ensure_one()
        blocker = self._get_closing_blocker()
        if blocker:
            raise UserError(blocker)
        self.stage_id = self._get_resolved_stage()
        return True

    def _after_sales_resolved(self):
        """The ticket just reached a resolved stage."""
        self._send_closing_mail()
        self.with_context(after_sales_defer_rating=False)._send_ticket_rating_mail(
            force_send=True
        )
        self._schedule_followup()

    # result mail and written proof
    def _get_closing_proof_records(self):
        """(report xml id, records) of the written proof of the result: finished
        repair orders, returns and exchanges."""
        self.ensure_one()
        ticket = self.sudo()
        return [
            (
                "repair.action_report_repair_order",
                ticket.repair_ids.filtered(lambda r: r.state == "done"),
            ),
            (
                "rma.report_rma_action",
                ticket.rma_ids.filtered(lambda r: r.state not in ("draft", "cancelled")),
            ),
        ]

    def _get_closing_proof_attachments(self):
        """The written proof as PDF attachments, ready to go with a message."""
        self.ensure_one()
        # Agents need no repair or stock rights to send the customer their proof.
        report_model = self.env["ir.actions.report"].sudo()
        values = []
        for report, records in self._get_closing_proof_records():
            for record in records:
                content, _format = report_model._render_qweb_pdf(report, record.ids)
                values.append(
                    {
                        "name": "%s.pdf" % record.display_name.replace("/", "_"),
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "mail.compose.message",
                        "res_id": 0,
                        "type": "binary",
                    }
                )
        return self.env["ir.attachment"].create(values)

    def _send_closing_mail(self):
        """The result, the written proof and the aftercare advice to the customer,
        from the resolved stage's mail template."""
        for ticket in self:
            template = ticket.stage_id.mail_template_id
            if not template or not (ticket.partner_id or ticket.partner_email):
                continue
            proof = ticket._get_closing_proof_attachments()
            ticket.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=[Command.set(proof.ids)],
                email_layout_xmlid="mail.mail_notification_light",
            )

    def _track_template(self, changes):
        res = super()._track_template(changes)
        # A resolved stage's mail goes out from _send_closing_mail, with the proof.
        if "stage_id" in res and self[:1].is_after_sales and self[:1].stage_id.after_sales_resolved:
            res.pop("stage_id")
        return res

    def _send_ticket_rating_mail(self, force_send=False):
        tickets = self
        if self.env.context.get("after_sales_defer_rating"):
            tickets = self - self._after_sales_only()
            if not tickets:
                return None
        return super(HelpdeskTicket, tickets)._send_ticket_rating_mail(force_send=force_send)
