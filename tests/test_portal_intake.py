# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import AfterSalesFixtures, new_user

MODULE = "helpdesk_after_sales"
# The smallest valid PNG and PDF: their content, not their name, decides.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


# pytest-odoo skips HttpCase classes (no HTTP server there): the suite runs them with
# odoo-bin in its tour pass, hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestPortalIntake(AfterSalesFixtures, HttpCase):
    """Issue 19, the customer side: the portal form with the unit and evidence, the
    mail-gateway intake, the acknowledgement sent once, and the status page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("intake", "After-sales (intake)", led=False, show_in_portal=True)
        cls.env.company.write(
            {
                "helpdesk_mgmt_portal_select_team": True,
                "email": "service@example.com",
            }
        )
        cls.company_partner = cls.env["res.partner"].create(
            {"name": "Lin Printing Co.", "is_company": True}
        )
        cls.portal_user = new_user(
            cls.env, "as_intake_customer", "portal", "Customer Lin", email="lin@example.com"
        )
        cls.customer = cls.portal_user.partner_id
        cls.customer.parent_id = cls.company_partner
        cls.product = cls._create_serial_product("Laser printer LP-200", "LP-200", 1800.0, 12)
        cls.lot = cls.env["stock.lot"].create(
            {"name": "SN-INTAKE-001", "product_id": cls.product.id}
        )
        cls.order, cls.delivery = cls._sell_and_deliver(cls.product, cls.lot, cls.customer)
        # Another customer's unit: never matched for this one.
        cls.stranger = cls.env["res.partner"].create(
            {"name": "Stranger Zhou", "email": "zhou@example.com"}
        )
        cls.stranger_lot = cls.env["stock.lot"].create(
            {"name": "SN-STRANGER-9", "product_id": cls.product.id}
        )
        cls._sell_and_deliver(cls.product, cls.stranger_lot, cls.stranger)

    # ------------------------------------------------------------ helpers
    def _tickets(self):
        return self.env["helpdesk.ticket"].search([("partner_id", "=", self.customer.id)])

    def _submit(self, files=(), **fields_):
        self.authenticate("as_intake_customer", "as_intake_customer")
        data = {
            "csrf_token": http.Request.csrf_token(self),
            "team": str(self.team.id),
            "subject": "Printer prints blank pages",
            "description": "Since yesterday every page comes out blank.",
        }
        data.update(fields_)
        return self.url_open(
            "/submitted/ticket",
            data=data,
            files=[("attachment", file) for file in files] or None,
            allow_redirects=False,
        )

    # ------------------------------------------------------------ the form
    def test_form_offers_the_customer_units_only(self):
        self.authenticate("as_intake_customer", "as_intake_customer")
        page = self.url_open("/new/ticket")
        self.assertEqual(page.status_code, 200)
        for name in (
            "product_id", "serial_number", "product_model", "purchase_date", "fault_date",
            "symptoms", "customer_attempts", "expected_resolution",
        ):
            self.assertIn(f'name="{name}"', page.text, name)
        self.assertIn("SN-INTAKE-001", page.text, "the customer's delivered serial is offered")
        self.assertNotIn("SN-STRANGER-9", page.text, "nobody else's unit shows")

    def test_form_without_a_team_goes_to_the_default_after_sales_team(self):
        self.env.company.after_sales_team_id = self.team
        before = self._tickets()
        response = self._submit(team="", symptoms="Blank pages.")
        self.assertEqual(response.status_code, 303, response.text[:500])
        ticket = self._tickets() - before
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertIn(ticket.stage_id, self.team._get_applicable_stages())
        # Nothing of an after-sales problem: helpdesk_mgmt's plain ticket, no team.
        before = self._tickets()
        response = self._submit(team="", subject="Opening hours?")
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertFalse((self._tickets() - before).team_id)

    def test_form_with_evidence_and_typed_serial_matched_to_the_unit(self):
        before = self._tickets()
        response = self._submit(
            files=[("photo.png", PNG, "image/png"), ("invoice.pdf", PDF, "application/pdf")],
            serial_number=" sn-intake-001 ",
            fault_date="2026-01-05T09:30",
            symptoms="Blank pages, the toner light blinks.",
            customer_attempts="Replaced the toner: no change.",
            expected_resolution="repair",
        )
        self.assertEqual(response.status_code, 303, response.text[:2000])
        ticket = self._tickets() - before
        self.assertEqual(len(ticket), 1)
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{ticket.id}"))
        self.assertEqual(ticket.lot_id, self.lot, "the typed serial is matched to the unit")
        self.assertEqual(ticket.product_id, self.product)
        self.assertFalse(ticket.serial_number)
        self.assertEqual(ticket.sale_order_id, self.order, "the warranty check found the sale")
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.assertEqual(ticket.expected_resolution, "repair")
        self.assertEqual(ticket.symptoms, "Blank pages, the toner light blinks.")
        self.assertEqual(ticket.customer_attempts, "Replaced the toner: no change.")
        self.assertTrue(ticket.fault_date)
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(
            sorted(ticket.evidence_ids.mapped("mimetype")), ["application/pdf", "image/png"]
        )
        self.assertEqual(set(ticket.evidence_ids.mapped("res_id")), {ticket.id})
        # The acknowledgement: once, from the desk, to the customer, with the read-back.
        self.assertTrue(ticket.acknowledgement_due, "sent after the request")
        self._send_due_acknowledgements()
        acks = self._acknowledgements(ticket)
        self.assertEqual(len(acks), 1, ticket.message_ids.mapped("subject"))
        self.assertEqual(acks.author_id, self.env.company.partner_id)
        self.assertIn(self.customer, acks.partner_ids)
        self.assertEqual(acks.message_type, "comment")
        self.assertFalse(acks.subtype_id.internal)
        self.assertIn("SN-INTAKE-001", acks.body)
        self.assertIn("Blank pages", acks.body)
        self.assertIn(f"/my/ticket/{ticket.id}", acks.body, "how to follow the ticket")
        self.assertTrue(ticket.acknowledgement_date)

    def test_unknown_serial_is_kept_as_typed(self):
        before = self._tickets()
        response = self._submit(serial_number="SN-STRANGER-9", product_model="LP-200")
        self.assertEqual(response.status_code, 303, response.text[:2000])
        ticket = self._tickets() - before
        self.assertFalse(ticket.lot_id, "another customer's unit is never matched")
        self.assertEqual(ticket.serial_number, "SN-STRANGER-9")
        self.assertEqual(ticket.product_model, "LP-200")
        # What the customer types is no pattern: _ and % match themselves only.
        for typed in ("SN_INTAKE_001", "SN-INTAKE-%"):
            before = self._tickets()
            self.assertEqual(self._submit(serial_number=typed).status_code, 303)
            ticket = self._tickets() - before
            self.assertFalse(ticket.lot_id, typed)
            self.assertEqual(ticket.serial_number, typed)

    def test_wrong_file_type_is_refused_and_no_ticket_created(self):
        before = self._tickets()
        for name, content in (("page.html", HTML), ("drawing.svg", SVG), ("photo.jpg", HTML)):
            response = self._submit(
                files=[("photo.png", PNG, "image/png"), (name, content, "image/jpeg")],
                symptoms="Blank pages.",
            )
            self.assertEqual(response.status_code, 400, name)
            self.assertIn("after_sales_form_errors", response.text)
            self.assertIn(f"{name} cannot be added", response.text)
            self.assertIn("Blank pages.", response.text, "what was typed is kept")
        self.assertEqual(self._tickets(), before)
        self.assertFalse(
            self.env["ir.attachment"].search([("name", "in", ("page.html", "drawing.svg"))])
        )

    def test_too_large_file_is_refused(self):
        self.env["ir.config_parameter"].set_param(f"{MODULE}.portal_evidence_max_mb", "1")
        before = self._tickets()
        big = PNG + b"\0" * (1024 * 1024)
        response = self._submit(files=[("big.png", big, "image/png")])
        self.assertEqual(response.status_code, 400)
        self.assertIn("big.png is larger than 1 MB", response.text)
        self.assertEqual(self._tickets(), before)

    def test_posted_fields_outside_the_form_are_ignored_and_bad_values_refused(self):
        before = self._tickets()
        response = self._submit(
            user_id=str(self.agent.id),
            partner_id=str(self.stranger.id),
            stage_id=str(self.stage_done.id),
            service_priority="p1",
            warranty_state="in_warranty",
            contact_phone="+86 000",
        )
        self.assertEqual(response.status_code, 303, response.text[:2000])
        ticket = self._tickets() - before
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertFalse(ticket.user_id)
        self.assertNotEqual(ticket.stage_id, self.stage_done)
        self.assertFalse(ticket.sudo().contact_phone)
        # A product the customer never received, an unknown expectation, a future date.
        before = self._tickets()
        other = self._create_serial_product("Scanner SC-1", "SC-1", 300.0)
        for values, message in (
            ({"product_id": str(other.id)}, "Choose one of your products"),
            ({"expected_resolution": "free_money"}, "choose one of the options"),
            ({"purchase_date": "2999-01-01"}, "cannot be in the future"),
        ):
            response = self._submit(**values)
            self.assertEqual(response.status_code, 400, values)
            self.assertIn(message, response.text)
        self.assertEqual(self._tickets(), before)

    # ------------------------------------------------------------ mail gateway
    def test_mail_gateway_reads_serial_and_order_reference(self):
        self.team.alias_name = "intake-support"
        customer = self.env["res.partner"].create(
            {"name": "Mail Customer Gao", "email": "gao@example.com"}
        )
        lot = self.env["stock.lot"].create({"name": "SNMAIL77", "product_id": self.product.id})
        order, _delivery = self._sell_and_deliver(self.product, lot, customer)
        raw = (
            "From: Gao <gao@example.com>\r\n"
            "To: intake-support@example.com\r\n"
            f"Subject: Order {order.name}: printer broken\r\n"
            "Message-ID: <intake-gao-1@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello, my printer (serial SNMAIL77) shows error E5 since Monday.\r\n"
        )
        ticket_id = self.env["mail.thread"].message_process(
            "helpdesk.ticket", raw, custom_values={"team_id": self.team.id}
        )
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.partner_id, customer)
        self.assertEqual(ticket.lot_id, lot)
        self.assertEqual(ticket.product_id, self.product)
        self.assertEqual(ticket.sale_order_id, order)
        # The acknowledgement names what the gateway read after creating the ticket.
        self._send_due_acknowledgements()
        acks = self._acknowledgements(ticket)
        self.assertEqual(len(acks), 1)
        self.assertIn("SNMAIL77", acks.body)
        self.assertIn(order.name, acks.body)
        # Another customer's serial and order in a mail: nothing matched.
        raw_2 = raw.replace("gao@example.com", "zhou@example.com").replace(
            "SNMAIL77", "SN-INTAKE-001"
        ).replace("intake-gao-1", "intake-zhou-1")
        ticket_2 = self.env["helpdesk.ticket"].browse(
            self.env["mail.thread"].message_process(
                "helpdesk.ticket", raw_2, custom_values={"team_id": self.team.id}
            )
        )
        self.assertEqual(ticket_2.partner_id, self.stranger)
        self.assertFalse(ticket_2.lot_id)
        self.assertFalse(ticket_2.sale_order_id)

    # ------------------------------------------------------------ acknowledgement
    def test_acknowledgement_sent_once_from_the_desk(self):
        job = self.env.ref("helpdesk_after_sales.ir_cron_after_sales_acknowledgements")
        Triggers = self.env["ir.cron.trigger"]
        before = Triggers.search([("cron_id", "=", job.id)])
        ticket = self._create_ticket(
            partner_id=self.customer.id,
            product_id=self.product.id,
            lot_id=self.lot.id,
            symptoms="Paper jam at every page.",
            expected_resolution="exchange",
        )
        # Recording the ticket only queues it and triggers the job.
        self.assertTrue(
            Triggers.search([("cron_id", "=", job.id)]) - before, "the job is triggered"
        )
        self.assertTrue(ticket.acknowledgement_due)
        self.assertFalse(self._acknowledgements(ticket))
        self._send_due_acknowledgements()
        self.assertFalse(ticket.acknowledgement_due)
        self.assertTrue(ticket.acknowledgement_date)
        acks = self._acknowledgements(ticket)
        self.assertEqual(len(acks), 1)
        self.assertIn(ticket.number, acks.body)
        self.assertIn("Paper jam at every page.", acks.body)
        self.assertIn("Exchange", acks.body)
        self.assertEqual(acks.email_from, self.env.company.email_formatted)
        # This team plans no deadlines: the mail says so without a date.
        self.assertFalse(ticket.response_deadline)
        self.assertIn("We will respond as soon as possible", acks.body)
        # A team with deadlines: the response deadline is given.
        sla_team = self._create_team("After-sales with SLA (intake)", self.agent, use_sla=True)
        planned = self._create_ticket(team_id=sla_team.id, partner_id=self.customer.id)
        self.assertTrue(planned.response_deadline)
        self.assertEqual(self._send_due_acknowledgements(), 1)
        planned_ack = self._acknowledgements(planned)
        self.assertEqual(len(planned_ack), 1)
        self.assertIn("We will respond by", planned_ack.body)
        self.assertIn(planned._format_for_customer(planned.response_deadline), planned_ack.body)
        # Writes, stage changes, another run and a second call send nothing more.
        ticket.with_user(self.agent).write({"symptoms": "Paper jam."})
        self.assertEqual(self._send_due_acknowledgements(), 0)
        ticket.sudo()._send_acknowledgement()
        self.assertEqual(len(self._acknowledgements(ticket)), 1)
        # Nobody sets the date or the queue flag by hand to skip or repeat it.
        for field in ("acknowledgement_date", "acknowledgement_due"):
            with self.assertRaises(AccessError):
                ticket.with_user(self.agent).write({field: False})
        with self.assertRaises(AccessError):
            self._create_ticket(acknowledgement_due=False)

    def test_acknowledgement_in_chinese(self):
        """A zh_CN customer gets the acknowledgement once, rendered in Chinese, with
        the read-back of what the desk understood and the link to follow the
        ticket (i18n/zh_CN.po translates the body and the read-back's labels)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.customer.lang = "zh_CN"
        ticket = self._create_ticket(
            partner_id=self.customer.id,
            product_id=self.product.id,
            lot_id=self.lot.id,
            symptoms="打印全是空白页",
            expected_resolution="repair",
        )
        self._send_due_acknowledgements()
        acks = self._acknowledgements(ticket)
        self.assertEqual(len(acks), 1)
        self.assertIn(ticket.number, acks.subject)
        self.assertIn(ticket.number, acks.body)
        self.assertIn("工单", acks.body, "rendered in the customer's language")
        self.assertNotIn("Here is what we understood", acks.body)
        self.assertIn("我们理解的情况如下", acks.body, "the read-back, in Chinese")
        self.assertIn("序列号", acks.body, "its labels in Chinese")
        self.assertIn("SN-INTAKE-001", acks.body)
        self.assertIn("打印全是空白页", acks.body)
        self.assertIn(f"/my/ticket/{ticket.id}", acks.body, "how to follow the ticket")
        self.assertEqual(acks.author_id, self.env.company.partner_id)
        # The expectation is a translated selection value.
        expected = dict(
            self.env["helpdesk.ticket"]
            .with_context(lang="zh_CN")
            ._fields["expected_resolution"]
            ._description_selection(self.env(context=dict(self.env.context, lang="zh_CN")))
        )["repair"]
        self.assertNotEqual(expected, "Repair", "the selection is translated in zh_CN")
        self.assertIn(expected, acks.body)

    def test_other_teams_get_no_acknowledgement(self):
        other_team = self.env["helpdesk.ticket.team"].create({"name": "Internal IT"})
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "VPN down",
                "description": "<p>VPN.</p>",
                "team_id": other_team.id,
                "partner_id": self.customer.id,
            }
        )
        self.assertFalse(ticket.acknowledgement_due)
        self._send_due_acknowledgements()
        self.assertFalse(ticket.acknowledgement_date)
        self.assertFalse(self._acknowledgements(ticket))

    # ------------------------------------------------------------ status page
    def _page(self, ticket):
        self.authenticate("as_intake_customer", "as_intake_customer")
        response = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_status_page_shows_each_state_and_hides_internals(self):
        ticket = self._create_ticket(
            partner_id=self.customer.id,
            product_id=self.product.id,
            lot_id=self.lot.id,
            user_id=self.agent.id,
            contact_phone="+86 139 0000 1111",
            contact_email="private-lin@example.com",
        )
        ticket.message_post(
            body="Internal: customer sounds angry, VIP-SECRET-NOTE",
            subtype_xmlid="mail.mt_note",
        )
        internal = self.env["ir.attachment"].create(
            {
                "name": "internal-costing.pdf",
                "raw": PDF,
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
            }
        )
        page = self._page(ticket)
        self.assertIn('id="after_sales_status"', page)
        self.assertIn("In warranty", page)
        self.assertIn("Your unit is covered until", page)
        self.assertIn("after_sales_add_evidence", page)
        for secret in ("+86 139 0000 1111", "private-lin@example.com", "VIP-SECRET-NOTE",
                       internal.name):
            self.assertNotIn(secret, page)
        # Compensations: nothing under review shows, the decided one does.
        Compensation = self.env["helpdesk.ticket.compensation"]
        review = Compensation.create(
            {
                "ticket_id": ticket.id,
                "compensation_type": "voucher",
                "amount": 1234.0,
                "reason": "Late repair.",
            }
        )
        review.sudo().write({"state": "to_approve"})
        page = self._page(ticket)
        self.assertNotIn("1,234.00", page)
        self.assertNotIn("Compensation", page)
        decided = Compensation.create(
            {
                "ticket_id": ticket.id,
                "compensation_type": "credit_note",
                "amount": 88.0,
                "reason": "Late repair.",
            }
        )
        decided.sudo().write({"state": "approved"})
        page = self._page(ticket)
        self.assertIn("88.00", page)
        self.assertIn("Approved, being carried out", page)
        self.assertNotIn("1,234.00", page)
        # The result with its proof, once recorded.
        ticket.with_user(self.agent).write(
            {
                "solution": "Replaced the fuser unit.",
                "result": "Prints normally.",
                "aftercare_advice": "Use the recommended paper.",
            }
        )
        page = self._page(ticket)
        self.assertIn("Replaced the fuser unit.", page)
        self.assertIn("Use the recommended paper.", page)

    def test_customer_adds_evidence_from_the_ticket_page(self):
        ticket = self._create_ticket(partner_id=self.customer.id)
        self.authenticate("as_intake_customer", "as_intake_customer")
        url = f"/my/ticket/{ticket.id}/evidence"
        token = http.Request.csrf_token(self)
        response = self.url_open(
            url,
            data={"csrf_token": token},
            files=[("attachment", ("notes.html", HTML, "image/png"))],
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("notes.html cannot be added", response.text)
        self.assertFalse(ticket.evidence_ids)
        response = self.url_open(
            url,
            data={"csrf_token": token},
            files=[("attachment", ("receipt.pdf", PDF, "application/pdf"))],
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, response.text[:1000])
        ticket.invalidate_recordset()
        self.assertEqual(ticket.evidence_ids.mapped("name"), ["receipt.pdf"])
        post = ticket.message_ids.filtered(lambda m: "receipt.pdf" in (m.body or ""))
        self.assertEqual(post.author_id, self.customer)
        # A stranger cannot add evidence to it, nor anyone once it is closed.
        stranger = new_user(self.env, "as_intake_stranger", "portal", "Stranger Qiu")
        self.authenticate(stranger.login, stranger.login)
        response = self.url_open(
            url,
            data={"csrf_token": http.Request.csrf_token(self)},
            files=[("attachment", ("x.pdf", PDF, "application/pdf"))],
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (403, 404))
        self.assertEqual(len(ticket.evidence_ids), 1)

    def test_status_page_shows_warranty_repair_and_return(self):
        # Unknown warranty: a product the desk found no purchase of.
        scanner = self._create_serial_product("Scanner SC-2", "SC-2", 300.0)
        unknown = self._create_ticket(partner_id=self.customer.id, product_id=scanner.id)
        self.assertEqual(unknown.warranty_state, "unknown")
        page = self._page(unknown)
        self.assertIn("We could not establish the purchase", page)
        # Out of warranty: bought long ago, by the customer's word.
        old = self._create_ticket(
            partner_id=self.customer.id, product_id=scanner.id, purchase_date="2015-03-01"
        )
        self.assertEqual(old.warranty_state, "out_of_warranty")
        page = self._page(old)
        self.assertIn("Out of warranty", page)
        self.assertIn("a repair is quoted before any work starts", page)
        # A repair and its progress.
        repaired = self._create_ticket(
            partner_id=self.customer.id,
            product_id=self.product.id,
            lot_id=self.lot.id,
            category_id=self.category_a.id,
            user_id=self.agent.id,
        )
        repaired.with_user(self.agent).action_create_repair()
        repair = repaired.sudo().repair_ids
        self.assertTrue(repair)
        page = self._page(repaired)
        self.assertIn(repair.name, page)
        self.assertIn("free (warranty)", page)
        # A return and its shipment back to the desk.
        returned = self._create_ticket(
            partner_id=self.customer.id,
            product_id=self.product.id,
            lot_id=self.lot.id,
            category_id=self.category_d.id,
            user_id=self.agent.id,
        )
        move = self.delivery.move_ids.filtered(lambda m: m.product_id == self.product)
        returned.with_user(self.agent)._create_after_sales_rmas(
            "return",
            [{"move": move, "lot": self.lot, "product": self.product, "quantity": 1.0}],
            "no_reason",
        )
        rma = returned.sudo().rma_ids
        self.assertTrue(rma)
        page = self._page(returned)
        self.assertIn(rma.name, page)
        self.assertIn("Return or exchange", page)


@tagged("post_install", "-at_install", "after_sales_tour")
class TestPortalIntakeTour(AfterSalesFixtures, HttpCase):
    """In the browser: a customer opens a ticket with the serial of their unit, later
    confirms the result from the portal and rates the service."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("ptour", "After-sales (portal tour)", led=False, show_in_portal=True)
        cls.env.company.helpdesk_mgmt_portal_select_team = True
        cls.portal_user = new_user(
            cls.env, "as_ptour_customer", "portal", "Customer Tang", email="tang@example.com"
        )
        cls.customer = cls.portal_user.partner_id
        cls.purifier = cls._create_serial_product("Air purifier AP-900", "AP-900", 1000.0, 12)
        cls.lot = cls.env["stock.lot"].create(
            {"name": "AP900-PORTAL-1", "product_id": cls.purifier.id}
        )
        cls._sell_and_deliver(cls.purifier, cls.lot, cls.customer)

    def test_customer_opens_confirms_and_rates_a_ticket(self):
        self.start_tour(
            "/new/ticket", "helpdesk_after_sales_portal_intake_tour", login="as_ptour_customer"
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Purifier stops after a minute")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual((ticket.product_id, ticket.lot_id), (self.purifier, self.lot))
        self.assertEqual(ticket.expected_resolution, "repair")
        self.assertEqual(ticket.partner_id, self.customer)
        self._send_due_acknowledgements()
        self.assertTrue(ticket.acknowledgement_date)
        # The desk handles it and records the result.
        ticket.with_user(self.agent).write(
            {"category_id": self.category_b.id, "user_id": self.agent.id}
        )
        ticket.with_user(self.agent).stage_id = self.stage_in_progress
        ticket.with_user(self.agent).write(
            {"solution": "Cleaned the fan sensor.", "result": "The purifier runs for hours again."}
        )
        self.start_tour(
            f"/my/ticket/{ticket.id}",
            "helpdesk_after_sales_portal_confirm_tour",
            login="as_ptour_customer",
        )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(ticket.customer_confirmation_method, "portal")
        rating = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed)
        self.assertEqual(len(rating), 1, "closing sent the satisfaction request")
        self.start_tour(f"/rate/{rating.access_token}/5", "helpdesk_after_sales_portal_rate_tour")
        rating.invalidate_recordset()
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 5.0)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction, "satisfied")
