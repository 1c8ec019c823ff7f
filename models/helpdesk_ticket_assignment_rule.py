# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .helpdesk_ticket_category import SERVICE_PRIORITIES

# Weight of an open ticket in a member's load: an urgent ticket takes three times the
# attention of a general one.
LOAD_WEIGHTS = {"p1": 3, "p2": 2, "p3": 1}


class HelpdeskTicketAssignmentRule(models.Model):
    """Assignment rule (派单规则): which team, and who in it, takes a new ticket. The
    first active rule of the ticket's company, in sequence order, whose every filled
    criterion matches wins; an empty criterion matches any ticket."""

    _name = "helpdesk.ticket.assignment.rule"
    _description = "After-sales assignment rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team",
        required=True,
        check_company=True,
        ondelete="cascade",
        domain="[('is_after_sales', '=', True)]",
        help="The team the matching tickets go to.",
    )
    method = fields.Selection(
        [("fixed", "Fixed handler"), ("balanced", "Balanced in the team")],
        string="Handler",
        required=True,
        default="balanced",
        help="Fixed: the handler below. Balanced: the available member of the team "
        "with the lightest load of open tickets (P1 counts 3, P2 2, P3 1), "
        "skipping members marked unavailable or at their capacity.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Fixed handler",
        check_company=True,
        domain="[('share', '=', False), ('id', 'in', team_user_ids)]",
        help="A member of the team. When marked unavailable or at capacity, the "
        "ticket gets the team and no handler, and the chatter says why.",
    )
    team_user_ids = fields.Many2many(related="team_id.user_ids", string="Team members")
    category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        string="Categories",
        help="The ticket's category or one of its parents.",
    )
    product_ids = fields.Many2many("product.product", string="Products")
    product_categ_ids = fields.Many2many(
        "product.category",
        string="Product categories",
        help="The category of the ticket's product or one of its parents.",
    )
    channel_ids = fields.Many2many("helpdesk.ticket.channel", string="Channels")
    service_priority = fields.Selection(SERVICE_PRIORITIES, string="Priority")
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer tags",
        help="One of the customer's tags (or its company's).",
    )

    @api.constrains("method", "user_id", "team_id")
    def _check_fixed_user(self):
        for rule in self:
            if rule.method == "fixed" and rule.user_id not in rule.team_id.user_ids:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: choose the fixed handler among the members of "
                        "team %(team)s, or make the rule balanced.",
                        rule=rule.name,
                        team=rule.team_id.display_name,
                    )
                )

    @api.onchange("method")
    def _onchange_method(self):
        if self.method == "balanced":
            self.user_id = False

    # ------------------------------------------------------------ matching
    @api.model
    def _get_routing_rules(self):
        """The active rules of every company, in order: the desk's configuration,
        read whoever creates the ticket (a customer on the portal, the mail
        gateway). A few dozen at most."""
        return self.sudo().search([("active", "=", True)])

    def _matches(self, facts):
        """Whether the ticket described by ``facts`` (see
        helpdesk.ticket._routing_facts) meets every criterion filled on this rule."""
        self.ensure_one()
        return (
            (not self.category_ids or bool(self.category_ids & facts["categories"]))
            and (not self.product_ids or facts["product"] in self.product_ids)
            and (not self.product_categ_ids or bool(self.product_categ_ids & facts["product_categs"]))
            and (not self.channel_ids or facts["channel"] in self.channel_ids)
            and (not self.service_priority or self.service_priority == facts["service_priority"])
            and (
                not self.partner_category_ids
                or bool(self.partner_category_ids & facts["partner_categories"])
            )
        )

    def _find_rule(self, facts, company, team):
        """The first of these rules (sorted) of ``company`` matching ``facts`` whose
        team may take the ticket: the ticket has no team (or the company's default
        one, ``team`` then False) or already this rule's team."""
        for rule in self:
            if rule.company_id != company:
                continue
            if team and rule.team_id != team:
                continue
            if rule._matches(facts):
                return rule
        return self.browse()


class AfterSalesLoadBook:
    """The open-ticket load of the candidate handlers of a batch of tickets, read
    with one grouped query and kept up to date as the batch assigns tickets."""

    def __init__(self, env, users):
        self.env = env
        self.weighted = defaultdict(int)
        self.count = defaultdict(int)
        self.profiles = {}
        users = users.filtered(lambda u: not u.share)
        if not users:
            return
        groups = env["helpdesk.ticket"].sudo()._read_group(
            [("user_id", "in", users.ids), ("stage_id.closed", "=", False)],
            ["user_id", "service_priority"],
            ["__count"],
        )
        for user, priority, count in groups:
            self.weighted[user.id] += LOAD_WEIGHTS.get(priority, 1) * count
            self.count[user.id] += count

    def is_available(self, user, ignore_capacity=False):
        availability, capacity = self._profile(user)
        return availability and (ignore_capacity or not capacity or self.count[user.id] < capacity)

    def _profile(self, user):
        """(may take tickets at all, open ticket limit) of ``user``, read once per
        batch: a batch asks for the same few handlers again and again."""
        if user.id not in self.profiles:
            self.profiles[user.id] = (
                bool(user) and user.active and not user.share and not user.after_sales_unavailable,
                user.after_sales_capacity,
            )
        return self.profiles[user.id]

    def pick(self, users, ignore_capacity=False):
        """The available user of ``users`` with the lightest load, or an empty
        recordset."""
        # The record itself is kept (its prefetch covers ``users``); ids never tie.
        loads = [
            (self.weighted[user.id], self.count[user.id], user.id, user)
            for user in users
            if self.is_available(user, ignore_capacity)
        ]
        return min(loads)[3] if loads else users.browse()

    def add(self, user, service_priority):
        if user:
            self.weighted[user.id] += LOAD_WEIGHTS.get(service_priority, 1)
            self.count[user.id] += 1

    def remove(self, user, service_priority):
        if user:
            self.weighted[user.id] -= LOAD_WEIGHTS.get(service_priority, 1)
            self.count[user.id] -= 1
