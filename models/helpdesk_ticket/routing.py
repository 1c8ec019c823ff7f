# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..helpdesk_after_sales_server_owned_mixin import ServerValues
from ..helpdesk_ticket_assignment_rule import AfterSalesLoadBook
from .intake import SERVICE_PRIORITY_BY_STARS, STARS_BY_SERVICE_PRIORITY

# The decisions of the rules, server-owned, that create adds to the caller's values
# (once they are checked).
ROUTING_DECISIONS = ServerValues("helpdesk.ticket", ("assignment_origin", "routing_rule_id"))

# Marks the creation of a batch whose handlers follow their tickets once it is
# recorded: one follower insert per handler instead of mail's one per ticket. An
# object, not a value: no caller's context (JSON over RPC) can carry it.
FOLLOW_AFTER_CREATE = object()

ASSIGNMENT_ORIGINS = [
    ("rule", "Assignment rule"),
    ("complaint", "Complaint owner"),
    ("manual", "By hand"),
]


class HelpdeskTicket(models.Model):
    """Routing (派单): the assignment rules give a new ticket its team and handler,
    from any source (form, API, mail, portal), and again when its category changes
    while it is in intake; a handler chosen by hand is never replaced. Class C
    complaints go to a supervisor of the team. Every change of handler after the
    first is kept in the reassignment history; an urgent ticket without a handler
    after the company's window (15 minutes by default) goes to the supervisors.

    Order: the company's default after-sales team (when one is given to a ticket
    without a team) counts as no team: a rule may replace it. A team given by hand
    is kept: only rules of that team then apply. Imported before ``intake``: its
    ``create`` sees the priority intake suggests and the default team."""

    _inherit = "helpdesk.ticket"

    _server_owned_fields = (
        "routing_rule_id",
        "reassignment_ids",
        "assignment_origin",
        "reassignment_count",
        "assign_deadline",
        "assign_escalated_date",
    )

    routing_rule_id = fields.Many2one(
        "helpdesk.ticket.assignment.rule",
        string="Assignment rule",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The rule that chose the team and handler.",
    )
    assignment_origin = fields.Selection(
        ASSIGNMENT_ORIGINS,
        string="Handler chosen",
        readonly=True,
        copy=False,
        help="A handler chosen by hand is never replaced by the rules.",
    )
    reassignment_ids = fields.One2many(
        "helpdesk.ticket.reassignment",
        "ticket_id",
        string="Reassignment history",
        readonly=True,
        groups="helpdesk_after_sales.group_after_sales_agent",
    )
    reassignment_count = fields.Integer(
        string="Reassignments",
        compute="_compute_reassignment_count",
        store=True,
        help="How many times the handler changed after the first assignment.",
    )
    assign_deadline = fields.Datetime(
        string="Handler due by",
        compute="_compute_assign_deadline",
        store=True,
        help="An urgent ticket without a handler goes to the supervisors at this time "
        "(partial index, see init).",
    )
    assign_escalated_date = fields.Datetime(
        string="Unassigned escalation on", readonly=True, copy=False
    )

    @api.depends("reassignment_ids")
    def _compute_reassignment_count(self):
        # The history itself, not a count query: a new ticket's is known empty (no
        # query on create), and a ticket is handed over a few times at most.
        for ticket in self:
            ticket.reassignment_count = len(ticket.reassignment_ids)

    @api.depends(
        "is_after_sales",
        "service_priority",
        "user_id",
        "intake_date",
        "company_id.after_sales_p1_assign_minutes",
    )
    def _compute_assign_deadline(self):
        for ticket in self:
            urgent = ticket.is_after_sales and ticket.service_priority == "p1"
            minutes = (ticket.company_id or self.env.company).after_sales_p1_assign_minutes
            ticket.assign_deadline = (
                ticket.intake_date + timedelta(minutes=minutes)
                if urgent and not ticket.user_id and ticket.intake_date
                else False
            )

    def init(self):
        res = super().init()
        # What the unassigned-P1 cron selects: a handful of tickets at any time.
        create_index(
            self.env.cr,
            "helpdesk_ticket_assign_deadline_open_idx",
            self._table,
            ["assign_deadline"],
            where="assign_deadline IS NOT NULL AND assign_escalated_date IS NULL AND active",
        )
        return res

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        # The caller's values are checked before the rules add their decisions
        # (server-owned) to them: the context lets only those through below.
        for vals in vals_list:
            self._check_server_owned_fields(vals)
        decisions = self._plan_routing(vals_list)
        # Many tickets routed at once (an import, an API batch): one "assigned to
        # you" notification per handler, not mail's one per ticket (a message and a
        # mail each, most of the cost of a routed batch: BENCHMARKS.md).
        digest = len(decisions) > 1 and not self.env.context.get(
            "mail_auto_subscribe_no_notify"
        )
        context = {"after_sales_server_values": ROUTING_DECISIONS}
        if digest:
            context.update(
                mail_auto_subscribe_no_notify=True,
                after_sales_follow_after_create=FOLLOW_AFTER_CREATE,
            )
        tickets = (
            super(HelpdeskTicket, self.with_context(**context))
            .create(vals_list)
            .with_env(self.env)
        )
        if decisions and not self._creation_is_logged():
            # No creation message to carry the rules' decisions (the mail gateway,
            # a caller's context): a note each.
            routed = tickets.browse(tickets[index].id for index in decisions)
            routed._log_routing_notes({ticket: ticket._routing_decision_note() for ticket in routed})
        if digest:
            tickets._subscribe_handlers()
            tickets._notify_handlers_of_batch()
        return tickets

    @api.model
    def _creation_is_logged(self):
        """Whether mail logs the creation message of the tickets created in this
        context (see mail.thread.create)."""
        context = self.env.context
        return not context.get("tracking_disable") and not context.get("mail_create_nolog")

    def _creation_message(self):
        # The rules' decision is told in the creation message: one message per
        # routed ticket, not two (a batch of 1,000 tickets logged 1,000 notes more).
        message = super()._creation_message()
        note = self._routing_decision_note()
        return self.env._("%(created)s. %(note)s", created=message, note=note) if note else message

    def _message_auto_subscribe_followers(self, updated_values, default_subtype_ids):
        followers = super()._message_auto_subscribe_followers(updated_values, default_subtype_ids)
        if self.env.context.get("after_sales_follow_after_create") is FOLLOW_AFTER_CREATE:
            # The batch's create subscribes the handlers itself, after (_subscribe_handlers).
            handler = self.env["res.users"].sudo().browse(updated_values.get("user_id"))
            followers = [row for row in followers if row[0] != handler.partner_id.id]
        return followers

    def write(self, vals):
        watch_users = "user_id" in vals or "team_id" in vals
        before = {ticket.id: ticket.user_id for ticket in self} if watch_users else {}
        rerouting = self.browse()
        if "category_id" in vals:
            # Tickets of after-sales teams, or of no team yet.
            rerouting = self.filtered(
                lambda t: (t.is_after_sales or not t.team_id)
                and t.assignment_origin != "manual"
                and t.category_id.id != vals["category_id"]
            )
        result = super().write(vals)
        if watch_users:
            self._record_reassignments(before)
            if "user_id" in vals and "assignment_origin" not in vals:
                # Chosen by a person (form, API, "assign to me"): the rules keep off.
                self.sudo().write({"assignment_origin": "manual", "routing_rule_id": False})
        rerouting = rerouting._in_intake()
        if rerouting:
            rerouting._reroute()
        return result

    @api.model
    def message_new(self, msg, custom_values=None):
        # A ticket arriving by mail came through the email channel: the rules on
        # channels see it (helpdesk_mgmt sets it only from the fetchmail cron).
        custom_values = dict(custom_values or {})
        if not custom_values.get("channel_id"):
            channel = self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_channel_email", raise_if_not_found=False
            )
            if channel:
                custom_values["channel_id"] = channel.id
        return super().message_new(msg, custom_values=custom_values)

    # ------------------------------------------------------------ routing
    @api.model
    def _is_manual_assignment(self, vals):
        """Whether ``vals`` name a handler chosen by a person. helpdesk_mgmt's "Auto
        assign tickets" fills in the creator (on the form too): a default, not a
        choice, that a matching rule replaces."""
        user_id = vals.get("user_id")
        if not user_id:
            return False
        if user_id == self.env.uid:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            return not company.sudo().helpdesk_mgmt_ticket_auto_assign
        return True

    @api.model
    def _default_after_sales_team(self, company):
        """The company's default after-sales team (default_team.py gives it to a
        ticket recorded without a team): it counts as no team for the rules."""
        return company.sudo().after_sales_team_id

    @api.model
    def _routing_facts(self, category, product, channel, service_priority, partner_tags):
        """What the rules match, as records (read as the desk's configuration);
        ``partner_tags``: ``_get_customer_tags``."""
        categories = category.sudo()
        parent = categories.parent_id
        while parent:
            categories |= parent
            parent = parent.parent_id
        product = product.sudo()
        product_categs = self.env["product.category"].sudo()
        if product.categ_id.parent_path:
            product_categs = product_categs.browse(
                int(part) for part in product.categ_id.parent_path.split("/") if part
            )
        return {
            "categories": categories,
            "product": product,
            "product_categs": product_categs,
            "channel": channel.sudo(),
            "service_priority": service_priority or "p3",
            "partner_categories": partner_tags,
        }

    @api.model
    def _get_customer_tags(self, partners):
        """{partner id: the tags the rules match for that customer, its own and its
        company's}, read for all ``partners`` at once."""
        return {
            partner.id: partner.category_id | partner.commercial_partner_id.category_id
            for partner in partners.sudo()
        }

    @api.model
    def _plan_routing(self, vals_list):
        """Decide team and handler of the tickets about to be created, and who chose
        them, in their values; {index in vals_list: decision} of the tickets given a
        handler by hand or by the rules."""
        rules = self.env["helpdesk.ticket.assignment.rule"]._get_routing_rules()
        Category = self.env["helpdesk.ticket.category"].sudo()
        Team = self.env["helpdesk.ticket.team"].sudo()
        categories = Category.browse({vals["category_id"] for vals in vals_list if vals.get("category_id")})
        tags_by_customer = (
            self._get_customer_tags(
                self.env["res.partner"].browse(
                    {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
                )
            )
            if rules
            else {}
        )
        no_tags = self.env["res.partner.category"].sudo()
        complaints = categories.filtered(lambda c: c.code == "C")
        decisions, todo = {}, []
        # A batch (an import, the mail gateway's run) repeats the same few facts: the
        # rule is matched once per distinct ticket description, not per ticket.
        rule_by_facts = {}
        for index, vals in enumerate(vals_list):
            if self._is_manual_assignment(vals):
                vals.update(assignment_origin="manual", routing_rule_id=False)
                decisions[index] = {"origin": "manual"}
                continue
            if not rules and not (complaints and vals.get("category_id") in complaints.ids):
                continue
            team = Team.browse(vals.get("team_id"))
            company = (
                self.env["res.company"].browse(vals.get("company_id"))
                or team.company_id
                or self.env.company
            )
            # No team, the company's default team, or the team helpdesk_mgmt derives
            # from the creator it pre-fills as handler (the form): no choice either.
            free_team = (
                not team
                or team == self._default_after_sales_team(company)
                or (
                    vals.get("user_id") == self.env.uid
                    and team == self.env.user.sudo().helpdesk_team_ids[:1]
                )
            )
            priority = vals.get("service_priority") or SERVICE_PRIORITY_BY_STARS.get(
                vals.get("priority") or "", False
            )
            customer_tags = tags_by_customer.get(vals.get("partner_id"), no_tags)
            key = (
                vals.get("category_id"),
                vals.get("product_id"),
                vals.get("channel_id"),
                priority,
                customer_tags,
                company.id,
                False if free_team else team.id,
            )
            if key not in rule_by_facts:
                facts = self._routing_facts(
                    Category.browse(vals.get("category_id")),
                    self.env["product.product"].browse(vals.get("product_id")),
                    self.env["helpdesk.ticket.channel"].browse(vals.get("channel_id")),
                    priority,
                    customer_tags,
                )
                rule_by_facts[key] = rules._find_rule(facts, company, False if free_team else team)
            rule = rule_by_facts[key]
            target = rule.team_id or team
            complaint = vals.get("category_id") in complaints.ids
            if not target.is_after_sales or not (rule or complaint):
                continue
            todo.append((index, vals, rule, target, complaint))
        if not todo:
            return decisions
        book = AfterSalesLoadBook(
            self.env, Team.browse({t.id for _i, _v, _r, t, _c in todo}).user_ids
        )
        stages_by_team = {}
        match_keywords = None
        for index, vals, rule, team, complaint in todo:
            decision = self._decide_handler(book, rule, team, complaint, vals.get("service_priority"))
            if team.id != vals.get("team_id"):
                vals["team_id"] = team.id
                if team not in stages_by_team:
                    stages_by_team[team] = team._get_applicable_stages()
                stages = stages_by_team[team]
                if vals.get("stage_id") not in stages.ids:
                    vals["stage_id"] = stages[:1].id
                if "service_priority" not in vals:
                    if match_keywords is None:
                        match_keywords = self._get_priority_keyword_matcher()
                    vals["service_priority"] = self._suggest_service_priority_of_vals(
                        vals, match_keywords
                    )
                    vals["priority"] = STARS_BY_SERVICE_PRIORITY[vals["service_priority"]]
            vals.update(
                user_id=decision["user"].id,
                assignment_origin=decision["origin"],
                routing_rule_id=decision["rule"].id,
            )
            book.add(decision["user"], vals.get("service_priority"))
            decisions[index] = decision
        return decisions

    @api.model
    def _decide_handler(self, book, rule, team, complaint, service_priority):
        """{origin, rule, user} for a ticket of ``team`` matched by ``rule`` (maybe
        none), ``complaint`` for class C."""
        user = self.env["res.users"]
        if complaint:
            # A supervisor owns a complaint, however loaded: its leader, else the
            # least loaded supervisor of the team who is available.
            supervisors = self.new({"team_id": team.id})._get_supervisors()
            user = book.pick(supervisors, ignore_capacity=True)
            if not user:
                user = book.pick(
                    team.user_ids.filtered(
                        lambda u: u.has_group("helpdesk_after_sales.group_after_sales_supervisor")
                    ),
                    ignore_capacity=True,
                )
            origin = "complaint"
        else:
            origin = "rule"
            if rule.method == "fixed":
                if book.is_available(rule.user_id):
                    user = rule.user_id
            else:
                user = book.pick(team.user_ids)
        return {"origin": origin, "rule": rule, "user": user}

    def _routing_decision_note(self):
        """``_routing_note`` of the decision recorded on this ticket."""
        ticket = self.sudo()
        return ticket._routing_note(
            ticket.assignment_origin, ticket.routing_rule_id, ticket.user_id, ticket.team_id
        )

    @api.model
    def _routing_note(self, origin, rule, user, team):
        """What the chatter says of a decision of the rules: who handles the ticket,
        by which rule (``origin`` rule or complaint), or why it waits."""
        if origin == "complaint":
            note = (
                self.env._(
                    "Service complaint (class C): owned by supervisor %(user)s of team %(team)s.",
                    user=user.name,
                    team=team.name,
                )
                if user
                else self.env._(
                    "Service complaint (class C): no supervisor of team %(team)s is "
                    "available; the ticket waits for one.",
                    team=team.name,
                )
            )
            if rule:
                note = self.env._("%(note)s Team from rule %(rule)s.", note=note, rule=rule.name)
            return note
        if origin != "rule":
            return False
        if user:
            return self.env._(
                "Assigned to %(user)s (team %(team)s) by rule %(rule)s (%(method)s).",
                user=user.name,
                team=team.name,
                rule=rule.name,
                method=dict(rule._fields["method"]._description_selection(self.env))[rule.method],
            )
        return self.env._(
            "Sent to team %(team)s by rule %(rule)s; no handler available (marked "
            "unavailable or at capacity): the ticket waits for one.",
            team=team.name,
            rule=rule.name,
        )

    def _log_routing_notes(self, notes):
        """A note on each ticket (``{ticket: text}``) saying what the rules decided."""
        notes = {ticket.id: escape(note) for ticket, note in notes.items() if note}
        if notes:
            self.browse(list(notes))._message_log_batch(notes)

    def _group_by_active_handler(self):
        """{handler: their tickets among these}, for the handlers still active."""
        by_handler = defaultdict(self.browse)
        for ticket in self:
            if ticket.user_id.active:
                by_handler[ticket.user_id] |= ticket
        return by_handler

    def _subscribe_handlers(self):
        """Each ticket's handler follows it, as mail makes the responsible of a
        record follow it: one insert per handler for the whole batch."""
        for user, tickets in self._group_by_active_handler().items():
            tickets._message_subscribe(partner_ids=user.partner_id.ids)

    def _notify_handlers_of_batch(self):
        """What mail tells a new handler, for tickets created together: mail's own
        notification for a handler given one ticket, one listing them all for a
        handler given several. The creator is not told of their own tickets."""
        model_description = self.env["ir.model"]._get(self._name).display_name
        for user, tickets in self._group_by_active_handler().items():
            if user == self.env.user:
                continue
            partner = user.partner_id
            tickets = tickets.with_context(lang=partner.lang)
            if len(tickets) == 1:
                tickets._message_auto_subscribe_notify(partner.ids, "mail.message_user_assigned")
                continue
            items = Markup().join(
                Markup('<li><a href="%s">%s</a></li>')
                % (ticket._notify_get_action_link("view"), ticket.display_name)
                for ticket in tickets
            )
            tickets[0].message_notify(
                subject=tickets.env._(
                    "You have been assigned %(count)s tickets", count=len(tickets)
                ),
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    tickets.env._(
                        "Dear %(name)s, these %(count)s tickets were assigned to you:",
                        name=user.name,
                        count=len(tickets),
                    ),
                    items,
                ),
                partner_ids=partner.ids,
                email_layout_xmlid="mail.mail_notification_layout",
                model_description=model_description,
            )

    def _in_intake(self):
        """These tickets still being taken: in their first stage, neither confirmed
        with the customer nor answered."""
        tickets = self.filtered(lambda t: not t.first_response_date and not t.confirmed_with_customer)
        return tickets - tickets._past_intake()

    def _reroute(self):
        """The category changed during intake: the rules decide again (never over a
        handler chosen by hand)."""
        rules = self.env["helpdesk.ticket.assignment.rule"]._get_routing_rules()
        book = AfterSalesLoadBook(self.env, (rules.team_id | self.team_id).user_ids)
        tags_by_customer = self._get_customer_tags(self.partner_id)
        notes = {}
        for ticket in self:
            company = ticket.company_id or self.env.company
            free_team = (
                not ticket.team_id
                or ticket.team_id == self._default_after_sales_team(company)
                or ticket.routing_rule_id
            )
            facts = self._routing_facts(
                ticket.category_id, ticket.product_id, ticket.channel_id,
                ticket.service_priority,
                tags_by_customer.get(ticket.partner_id.id, self.env["res.partner.category"]),
            )
            rule = rules._find_rule(facts, company, False if free_team else ticket.team_id)
            team = rule.team_id or ticket.team_id
            complaint = ticket.category_id.sudo().code == "C"
            if not team.is_after_sales or not (rule or complaint):
                continue
            if ticket.user_id:
                # Its own ticket does not weigh on the handler who may keep it.
                book.remove(ticket.user_id, ticket.service_priority)
            decision = self._decide_handler(book, rule, team, complaint, ticket.service_priority)
            book.add(decision["user"], ticket.service_priority)
            if decision["user"] == ticket.user_id and team == ticket.team_id and rule == ticket.routing_rule_id:
                continue
            vals = {
                "team_id": team.id,
                "user_id": decision["user"].id,
                "assignment_origin": decision["origin"],
                "routing_rule_id": decision["rule"].id,
            }
            note = self._routing_note(decision["origin"], decision["rule"], decision["user"], team)
            ticket.sudo()._write_handler(vals, reason=note)
            notes[ticket] = self.env._("Category changed during intake: %(note)s", note=note)
        self._log_routing_notes(notes)

    # ------------------------------------------------------------ reassignment
    def _record_reassignments(self, before):
        """One history line per ticket whose handler changed after its first one."""
        now = fields.Datetime.now()
        lines = [
            {
                "ticket_id": ticket.id,
                "from_user_id": before[ticket.id].id,
                "to_user_id": ticket.user_id.id,
                "changed_by_id": self.env.user.id,
                "date": now,
            }
            for ticket in self
            if ticket.id in before and before[ticket.id] and before[ticket.id] != ticket.user_id
        ]
        if lines:
            self.env["helpdesk.ticket.reassignment"].sudo().create(lines)

    def _write_handler(self, vals, reason=None):
        """Write ``vals`` (with ``user_id``) and give the reassignments this makes
        ``reason``."""
        History = self.env["helpdesk.ticket.reassignment"].sudo()
        last = History.search([], order="id desc", limit=1).id or 0
        self.write(vals)
        if reason:
            History.search([("ticket_id", "in", self.ids), ("id", ">", last)]).write(
                {"reason": reason}
            )

    def action_open_reassign_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reassign"),
            "res_model": "helpdesk.ticket.reassign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    # ------------------------------------------------------------ unassigned urgent
    @api.model
    def _cron_escalate_unassigned_p1(self, batch_size=200):
        """Urgent tickets still without a handler within the company's window after they
        were received go to the team's supervisors, once: one indexed query, an
        activity each and a note."""
        now = fields.Datetime.now()
        self.flush_model(["assign_deadline", "assign_escalated_date", "stage_id", "active"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT t.id
                  FROM helpdesk_ticket t
                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id AND NOT s.closed
                 WHERE t.assign_deadline IS NOT NULL AND t.assign_escalated_date IS NULL
                   AND t.active AND t.assign_deadline <= %s
                 ORDER BY t.id
                """,
                now,
            )
        )
        ids = [row[0] for row in rows]
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        for start in range(0, len(ids), batch_size):
            tickets = self.browse(ids[start : start + batch_size])
            activities, notes = [], {}
            for ticket in tickets:
                supervisors = ticket._get_supervisors()
                activities += [
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "activity_type_id": todo.id,
                        "summary": self.env._("Urgent ticket without a handler"),
                        "user_id": user.id,
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for user in supervisors
                ]
                notes[ticket.id] = escape(
                    self.env._(
                        "No handler took this urgent (P1) ticket within %(minutes)s "
                        "minutes: escalated to %(names)s.",
                        minutes=(ticket.company_id or self.env.company).after_sales_p1_assign_minutes,
                        names=", ".join(supervisors.mapped("name")) or self.env._("nobody (the team has no supervisor)"),
                    )
                )
            if activities:
                self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
                    activities
                )
            tickets._message_log_batch(notes)
            tickets.sudo().write({"assign_escalated_date": now})
            done = min(start + batch_size, len(ids))
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(ids) - done)
