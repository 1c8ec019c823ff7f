# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import format_amount, format_date, format_datetime, html2plaintext
from odoo.tools.sql import create_index

# Serial numbers and order references are looked up among the words of a mail: at
# most this many distinct words, of at least 3 characters.
MAX_MAIL_TOKENS = 500
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*[A-Za-z0-9]")
# Portal evidence: what a customer may upload (the content decides, not the name).
EVIDENCE_MIMETYPES = ("video/mp4", "application/pdf")
EVIDENCE_IMAGE_EXCLUDED = ("image/svg+xml",)
EVIDENCE_MAX_MB_PARAM = "helpdesk_after_sales.portal_evidence_max_mb"
EVIDENCE_MAX_MB_DEFAULT = 10
# The tickets the acknowledgement job has to send (partial index on the flag).
ACKNOWLEDGEMENT_DUE = [("acknowledgement_due", "=", True)]


def _label(record, name):
    """The label of ``record``'s selection field ``name`` in the context's language."""
    value = record[name]
    return dict(record._fields[name]._description_selection(record.env)).get(value, value or "")


class HelpdeskTicket(models.Model):
    """The customer's side (客户侧): intake from the portal and the helpdesk alias with
    the unit (product, serial, purchase), the acknowledgement (受理确认) sent once
    after creation from any channel, and the after-sales status shown on the portal."""

    _inherit = "helpdesk.ticket"

    _server_owned_fields = ("acknowledgement_date", "acknowledgement_due")

    serial_number = fields.Char(
        string="Serial number as given",
        help="The serial number the customer typed or wrote when it matched none of "
        "the units delivered to them: to check against the unit.",
    )
    acknowledgement_date = fields.Datetime(
        string="Acknowledged on",
        readonly=True,
        copy=False,
        help="When the acknowledgement (ticket number, what was understood, response "
        "deadline) was sent to the customer. It is sent once, seconds after the "
        "ticket was recorded.",
    )
    acknowledgement_due = fields.Boolean(
        string="Acknowledgement due",
        readonly=True,
        copy=False,
        help="The acknowledgement waits for the scheduled action that sends it, "
        "triggered when the ticket was recorded.",
    )

    def init(self):
        res = super().init()
        # What the acknowledgement job selects: the few tickets recorded since its
        # last run, among all tickets ever acknowledged.
        create_index(
            self.env.cr,
            "helpdesk_ticket_acknowledgement_due_idx",
            self._table,
            ["id"],
            where="acknowledgement_due",
        )
        return res

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._after_sales_only()._queue_acknowledgement()
        return tickets

    # ------------------------------------------------------------ acknowledgement
    def _queue_acknowledgement(self):
        """Mark the tickets' acknowledgements due and trigger the job that sends
        them, right after this transaction. Rendering and posting a mail is most of
        the cost of recording a ticket (issues 18 and 20): a form, the portal, the
        mail gateway or an import of a thousand tickets does not wait for it. The
        job also sees everything this transaction writes after the create (the
        unit and the order the mail gateway reads from the mail)."""
        tickets = self.sudo().filtered(
            lambda t: not t.acknowledgement_due and t._needs_acknowledgement()
        )
        if not tickets:
            return
        tickets.write({"acknowledgement_due": True})
        # Its id without env.ref's existence query (on every create).
        job_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "helpdesk_after_sales.ir_cron_after_sales_acknowledgements", raise_if_not_found=False
        )
        if job_id:
            self.env["ir.cron"].sudo().browse(job_id)._trigger()

    @api.model
    def _cron_send_acknowledgements(self, batch_size=10, limit=1000):
        """Send the due acknowledgements, oldest first, in batches of a few tickets,
        each committed through Odoo's retry loop: an agent writing one of them at
        that moment makes that batch start again, not the whole run fail (issue 20's
        load test: a run of 200 failed every time). At most ``limit`` per call; the
        scheduled action calls again while some are left."""
        sent = 0
        while sent < limit:
            count = self.env["helpdesk.ticket.alert"]._commit_retrying(
                lambda: self._send_next_acknowledgements(batch_size)
            )
            if not count:
                break
            sent += count
        remaining = self._all_tickets().search_count(ACKNOWLEDGEMENT_DUE) if sent >= limit else 0
        self.env["ir.cron"]._notify_progress(done=sent, remaining=remaining)
        return sent

    @api.model
    def _all_tickets(self):
        """Every ticket, archived ones too, as superuser: what the job works on."""
        return self.sudo().with_context(active_test=False)

    @api.model
    def _send_next_acknowledgements(self, batch_size):
        """One batch of the job, oldest first, without committing it; returns how
        many due tickets it handled (0: none left)."""
        tickets = self._all_tickets().search(ACKNOWLEDGEMENT_DUE, order="id", limit=batch_size)
        tickets._send_acknowledgement()
        return len(tickets)

    def _needs_acknowledgement(self):
        """Not acknowledged yet, and a customer to tell."""
        self.ensure_one()
        return not self.acknowledgement_date and bool(self.partner_id or self.partner_email)

    def _send_acknowledgement(self):
        """Post the acknowledgement on each ticket, to its customer, from the desk's
        address and in the customer's language; once per ticket."""
        todo = self.sudo()
        template = self.env.ref(
            "helpdesk_after_sales.mail_template_ticket_acknowledgement", raise_if_not_found=False
        )
        tickets = todo.filtered(lambda t: t._needs_acknowledgement()) if template else todo.browse()
        # Written first, and at once (the tickets' rows are the job's from then
        # on): a failing send never leads to a second one. Due ones whose customer
        # was removed since (or without the template) are done too.
        tickets.write({"acknowledgement_date": fields.Datetime.now(), "acknowledgement_due": False})
        (todo - tickets).filtered("acknowledgement_due").write({"acknowledgement_due": False})
        for ticket in tickets:
            ticket._portal_ensure_token()  # the mail's portal link, written now too
        todo.flush_recordset(["acknowledgement_date", "acknowledgement_due", "access_token"])
        tickets_by_sender = defaultdict(list)
        for ticket in tickets:
            company = ticket.company_id or self.env.company
            sender = (company.partner_id.id, ticket._get_desk_email_from() or company.email_formatted)
            tickets_by_sender[sender].append(ticket.id)
        for (author_id, email_from), ticket_ids in tickets_by_sender.items():
            self._prepare_acknowledgement_composer(
                template, ticket_ids, author_id, email_from
            )._action_send_mail()

    @api.model
    def _prepare_acknowledgement_composer(self, template, ticket_ids, author_id, email_from):
        """One composer for the tickets of one sender: mail renders the template
        for all of them at once, each in its customer's language (as
        message_post_with_source does, but that one composes ticket by ticket and
        compiles the template again for each: most of the job's time)."""
        return (
            self.env["mail.compose.message"]
            .sudo()
            .with_context(
                default_composition_mode="comment",
                default_model=self._name,
                default_res_ids=ticket_ids,
                default_template_id=template.id,
            )
            .create(
                {
                    "message_type": "comment",
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
                    "author_id": author_id,
                    "email_from": email_from,
                }
            )
        )

    def _get_acknowledgement_readback(self):
        """What the desk understood (复述确认), as (label, value) pairs in the language
        of the rendering context: the unit, what happened and what the customer
        expects."""
        self.ensure_one()
        ticket = self.sudo()
        lines = []
        product = ticket.product_id.display_name or ticket.product_model
        if product:
            lines.append((self.env._("Product"), product))
        serial = ticket.lot_id.name or ticket.serial_number
        if serial:
            lines.append((self.env._("Serial number"), serial))
        if ticket.sale_order_id:
            lines.append((self.env._("Order"), ticket.sale_order_id.name))
        if ticket.purchase_date:
            lines.append(
                (self.env._("Purchased on"), format_date(self.env, ticket.purchase_date))
            )
        if ticket.fault_date:
            lines.append(
                (
                    self.env._("Problem began on"),
                    format_datetime(
                        self.env, ticket.fault_date, tz=ticket._get_customer_tz(),
                        dt_format="short",
                    ),
                )
            )
        problem = ticket.symptoms or ticket.customer_words or ticket.name
        if problem:
            lines.append((self.env._("Problem"), problem))
        if ticket.customer_attempts:
            lines.append((self.env._("Already tried"), ticket.customer_attempts))
        if ticket.expected_resolution:
            lines.append(
                (
                    self.env._("You expect"),
                    self._selection_label("expected_resolution", ticket.expected_resolution),
                )
            )
        return lines

    def _get_customer_tz(self):
        self.ensure_one()
        ticket = self.sudo()
        return (
            ticket.partner_id.tz
            or ticket.team_id.resource_calendar_id.tz
            or ticket.company_id.resource_calendar_id.tz
            or "UTC"
        )

    def _format_for_customer(self, value):
        """A deadline in the customer's time zone and language."""
        self.ensure_one()
        if not value:
            return ""
        return format_datetime(self.env, value, tz=self._get_customer_tz(), dt_format="short")

    def _get_customer_portal_url(self):
        """The ticket's page on the portal, with its access token."""
        self.ensure_one()
        ticket = self.sudo()
        return ticket.get_base_url() + ticket.get_portal_url()

    def _selection_label(self, name, value):
        return dict(self._fields[name]._description_selection(self.env)).get(value, value or "")

    # ------------------------------------------------------------ the customer's units
    @api.model
    def _get_delivered_move_lines(self, partner, company=None, domain=None):
        """The done deliveries to ``partner``'s commercial entity in ``company`` (the
        units the customer owns), newest first; read as superuser, scoped to the
        partner."""
        customer = partner.commercial_partner_id
        if not customer:
            return self.env["stock.move.line"]
        company = company or self.env.company
        return (
            self.env["stock.move.line"]
            .sudo()
            .search(
                [
                    ("state", "=", "done"),
                    ("picking_code", "=", "outgoing"),
                    ("location_dest_id.usage", "=", "customer"),
                    ("picking_partner_id", "child_of", customer.id),
                    ("company_id", "=", company.id),
                    ("product_id", "!=", False),
                ]
                + (domain or []),
                order="date desc, id desc",
                limit=500,
            )
        )

    @api.model
    def _get_portal_units(self, partner, company=None):
        """The customer's delivered products for the portal form, newest first:
        [{"product": product, "lots": [names]}], product and lot names only."""
        units = {}
        for line in self._get_delivered_move_lines(partner, company):
            unit = units.setdefault(line.product_id.id, {"product": line.product_id, "lots": []})
            if line.lot_id and line.lot_id.name not in unit["lots"]:
                unit["lots"].append(line.lot_id.name)
        return list(units.values())

    @api.model
    def _match_customer_serial(self, partner, serial, company=None, product=None):
        """The stock.lot named ``serial`` delivered to ``partner``'s commercial
        entity (of ``product`` when given), or an empty recordset."""
        serial = (serial or "").strip()
        if not serial:
            return self.env["stock.lot"]
        # Case-insensitive but exact: the customer's % and _ are no wildcards.
        pattern = serial.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        domain = [("lot_id.name", "=ilike", pattern)]
        if product:
            domain.append(("product_id", "=", product.id))
        return self._get_delivered_move_lines(partner, company, domain)[:1].lot_id

    # ------------------------------------------------------------ mail gateway
    @api.model
    def message_new(self, msg, custom_values=None):
        # A mail to the helpdesk's alias is an after-sales request: without a team
        # from the alias, the company's default after-sales team takes it.
        custom_values = self._add_default_after_sales_team(dict(custom_values or {}))
        found = {}
        if self._is_after_sales_vals(custom_values):
            found = self._parse_mail_unit(msg, custom_values)
        order_id = found.pop("sale_order_id", None)
        ticket = super().message_new(msg, custom_values=dict(custom_values, **found))
        # The order is the desk's record (server-owned): set here, and only where
        # the warranty check found none from the unit. The acknowledgement, sent
        # after this transaction, names it.
        if order_id and not ticket.sale_order_id:
            ticket.sudo().write({"sale_order_id": order_id})
        return ticket

    @api.model
    def _parse_mail_unit(self, msg, custom_values):
        """The serial number and the sale order the customer names in a mail to the
        after-sales alias, among the units and orders of the sender's company:
        {lot_id, product_id} and {sale_order_id} when found."""
        partner = self.env["res.partner"].sudo().browse(msg.get("author_id") or []).exists()
        if not partner:
            return {}
        company = self.env["res.company"].browse(custom_values.get("company_id")).exists()
        if not company:
            team = self.env["helpdesk.ticket.team"].sudo().browse(custom_values.get("team_id"))
            company = team.company_id or self.env.company
        text = "%s\n%s" % (msg.get("subject") or "", html2plaintext(msg.get("body") or ""))
        tokens = list(dict.fromkeys(TOKEN.findall(text)))[:MAX_MAIL_TOKENS]
        tokens = [token for token in tokens if len(token) >= 3]
        if not tokens:
            return {}
        values = {}
        lines = self._get_delivered_move_lines(
            partner, company, [("lot_id.name", "in", tokens)]
        )
        if lines and "lot_id" not in custom_values:
            lot = lines[:1].lot_id
            values.update(lot_id=lot.id, product_id=lot.product_id.id)
        order = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("name", "in", tokens),
                    ("partner_id", "child_of", partner.commercial_partner_id.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "sale"),
                ],
                order="id desc",
                limit=1,
            )
        )
        if order and "sale_order_id" not in custom_values:
            values["sale_order_id"] = order.id
            if "product_id" not in values and "product_id" not in custom_values:
                products = order.order_line.filtered(
                    lambda line: line.qty_delivered > 0 and line.product_id.is_storable
                ).product_id
                if len(products) == 1:
                    values["product_id"] = products.id
        return values

    # ------------------------------------------------------------ portal status
    def _get_portal_status(self):
        """The after-sales status in the customer's words, as plain values (no
        records): what the portal page shows. Read as superuser and filtered here:
        nothing internal (notes, contact data, reviews, compensations under review)."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket.is_after_sales:
            return {}
        status = {
            "warranty": ticket._get_portal_warranty(),
            "repair": ticket.repair_summary or "",
            "rmas": ticket._get_portal_rmas(),
            "mail_in": ticket._get_portal_mail_in(),
            "compensations": ticket._get_portal_compensations(),
            "deadlines": [],
            "result": [],
            "proof": ticket.closing_proof_names or "",
        }
        if ticket.response_deadline and not ticket.first_response_date:
            status["deadlines"].append(
                (self.env._("We will respond by"), self._format_for_customer(ticket.response_deadline))
            )
        if ticket.resolution_deadline and not ticket.closed:
            status["deadlines"].append(
                (
                    self.env._("Expected resolution by"),
                    self._format_for_customer(ticket.resolution_deadline),
                )
            )
        for label, value in (
            (self.env._("What we did"), ticket.solution),
            (self.env._("Result"), ticket.result),
            (self.env._("Aftercare advice"), ticket.aftercare_advice),
        ):
            if value:
                status["result"].append((label, value))
        return status

    def _get_portal_warranty(self):
        """(result, why) of the warranty check, or None when not checked yet."""
        ticket = self.sudo()
        state = ticket.warranty_state
        if not state:
            return None
        label = ticket._selection_label("warranty_state", state)
        if state == "in_warranty":
            why = self.env._(
                "Your unit is covered until %(end)s (purchased on %(purchase)s).",
                end=format_date(self.env, ticket.warranty_end_date),
                purchase=format_date(self.env, ticket.purchase_date) or "-",
            )
        elif state == "out_of_warranty":
            why = self.env._(
                "The warranty of your unit ended on %(end)s (purchased on %(purchase)s): "
                "a repair is quoted before any work starts.",
                end=format_date(self.env, ticket.warranty_end_date),
                purchase=format_date(self.env, ticket.purchase_date) or "-",
            )
        else:
            why = self.env._(
                "We could not establish the purchase of your unit yet: add your invoice "
                "or receipt as evidence below."
            )
        return {"state": state, "label": label, "why": why}

    def _get_portal_rmas(self):
        """Returns and exchanges: operation, state and the shipments."""
        result = []
        for rma in self.sudo().rma_ids.filtered(
            lambda r: r.state != "cancelled" and r != self.sudo().mail_in_rma_id
        ):
            shipments = []
            reception = rma.reception_move_id.picking_id
            if reception:
                shipments.append(
                    self.env._(
                        "Your unit back to us: %(picking)s, %(state)s",
                        picking=reception.name,
                        state=_label(reception, "state"),
                    )
                )
            for picking in rma.delivery_move_ids.picking_id:
                shipments.append(
                    self.env._(
                        "To you: %(picking)s, %(state)s",
                        picking=picking.name,
                        state=_label(picking, "state"),
                    )
                )
            result.append(
                {
                    "name": rma.name,
                    "operation": rma.operation_id.name or "",
                    "state": _label(rma, "state"),
                    "shipments": shipments,
                }
            )
        return result

    def _get_portal_mail_in(self):
        """The mail-in repair: when we received the unit and shipped it back, and
        the shipments under way; None without one."""
        ticket = self.sudo()
        rma = ticket.mail_in_rma_id
        if not rma:
            return None
        lines = []
        if ticket.unit_received_date:
            lines.append(
                self.env._(
                    "We received your unit on %(date)s.",
                    date=self._format_for_customer(ticket.unit_received_date),
                )
            )
        else:
            reception = rma.reception_move_id.picking_id
            lines.append(
                self.env._(
                    "Please send us your unit (reference %(picking)s).",
                    picking=reception.name or rma.name,
                )
            )
        if ticket.unit_returned_date:
            lines.append(
                self.env._(
                    "We shipped it back to you on %(date)s.",
                    date=self._format_for_customer(ticket.unit_returned_date),
                )
            )
        else:
            for picking in rma.delivery_move_ids.picking_id:
                lines.append(
                    self.env._(
                        "On its way back to you: %(picking)s, %(state)s",
                        picking=picking.name,
                        state=_label(picking, "state"),
                    )
                )
        return {"name": rma.name, "lines": lines}

    def _get_portal_compensations(self):
        """Compensations decided (approved or done) only: form and amount; nothing
        under review, rejected or cancelled, and no approval level."""
        result = []
        decided = self.sudo().compensation_ids.filtered(
            lambda c: c.state in ("approved", "done")
        )
        for compensation in decided:
            result.append(
                {
                    "type": _label(compensation, "compensation_type"),
                    "amount": format_amount(
                        self.env, compensation.amount, compensation.currency_id
                    ),
                    "state": self.env._("Done")
                    if compensation.state == "done"
                    else self.env._("Approved, being carried out"),
                }
            )
        return result
