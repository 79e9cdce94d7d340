import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, format_date

from .account_debtor_correspondence import PROMISE_STATES

_logger = logging.getLogger(__name__)

# A debtor row is keyed by its (commercial partner, company) pair; the id packs
# both so that a row keeps its id for as long as the debtor owes anything.
DEBTOR_ID_COMPANY_BITS = 16
# The as-of dates the overview takes: its ageing and levels count back from it.
AS_OF_DATE_MIN = date(1900, 1, 1)
AS_OF_DATE_MAX = date(9000, 12, 31)


class AccountDebtor(models.Model):
    """One row per debtor (commercial partner) and company with open receivables.

    The totals are aggregated in one SQL query over the open items, in company
    currency; items of contacts and branches count for their commercial
    partner. The dates come from the correspondence log.

    This model holds the rules of the addon (``_get_open_item_domain`` and
    the methods after it): an open item, its due date, a credit, what is
    overdue. The overview's SQL is generated from the same domains that the
    e-mail, the wizard, the panel and the statement search with.

    Whether a reminder can be sent to a debtor is decided in
    ``account.debtor.reminder.check``; what the workspace's panel asks the
    server is in ``account.debtor.workspace``.

    Context keys honoured:

    ``debtor_as_of_date``
        the date at which an item is overdue (its due date is before it), a
        date or an ISO string; today, in the user's time zone, when absent.
    """

    _name = "account.debtor"
    _description = "Debtor"
    _auto = False
    _rec_name = "partner_id"
    _order = "amount_overdue desc, amount_due desc, id"
    # what the query reads, flushed before it runs
    _depends = {
        "account.move": ["debtor_in_dispute"],
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_id",
            "date",
            "date_maturity",
            "move_id",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "account.account": ["account_type"],
        "res.partner": [
            "commercial_partner_id",
            "debtor_collector_id",
            "debtor_no_reminder",
            "user_id",
        ],
        "res.company": ["currency_id"],
        "account.debtor.correspondence": [
            "company_id",
            "date",
            "delivery_state",
            "kind",
            "level_id",
            "move_ids",
            "next_action_date",
            "partner_id",
            "promise_date",
            "promise_state",
        ],
        "account.debtor.reminder.level": ["company_id", "delay", "sequence"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    amount_due = fields.Monetary(
        string="Due",
        readonly=True,
        help="Every open item: invoices less credits. Negative when the "
        "customer has more credit than debt.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue",
        readonly=True,
        help="What the customer has to pay now: the items due before the "
        "as-of date, less every credit (credits can be used at once). "
        "Never below zero.",
    )
    amount_credit = fields.Monetary(
        string="Credits",
        readonly=True,
        help="Credit notes, payments and refunds not matched yet (negative).",
    )
    amount_not_due = fields.Monetary(
        string="Not Due", readonly=True, help="Items due at or after the as-of date."
    )
    amount_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    amount_over_90 = fields.Monetary(string="Over 90 Days", readonly=True)
    collector_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who collects from this customer: its collector in this company, "
        "else its salesperson.",
    )
    amount_disputed = fields.Monetary(
        string="In Dispute",
        readonly=True,
        help="What is left to pay on the invoices in dispute: part of Due, "
        "left out of Overdue and of the reminders.",
    )
    invoice_count = fields.Integer(
        string="Open Invoices",
        readonly=True,
        help="Invoices, and other entries, with an amount still to be paid.",
    )
    overdue_invoice_count = fields.Integer(string="Overdue Invoices", readonly=True)
    oldest_due_date = fields.Date(readonly=True)
    last_reminder_date = fields.Date(
        readonly=True,
        help="The last reminder that was not reported bounced or failed.",
    )
    delivery_problem = fields.Boolean(
        readonly=True, help="The last reminder bounced or could not be sent."
    )
    promise_date = fields.Date(string="Promised Payment", readonly=True)
    promise_state = fields.Selection(
        selection=PROMISE_STATES,
        readonly=True,
    )
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_broken_count = fields.Integer(string="Promises Broken", readonly=True)
    next_action_date = fields.Date(readonly=True)
    no_reminder = fields.Boolean(string="Excluded from Reminders", readonly=True)
    level_id = fields.Many2one(
        "account.debtor.reminder.level",
        string="Next Level",
        readonly=True,
        help="The level of the debtor's next reminder at the as-of date: the "
        "highest level its oldest late invoice has reached, at most one above "
        "the level of its last reminder about invoices still late.",
    )
    last_level_id = fields.Many2one(
        "account.debtor.reminder.level",
        readonly=True,
        help="The level of the last reminder about invoices still late.",
    )

    open_move_ids = fields.Many2many(
        "account.move", string="Unpaid Invoices", compute="_compute_open_move_ids"
    )
    correspondence_ids = fields.Many2many(
        "account.debtor.correspondence",
        compute="_compute_correspondence_ids",
    )
    reply_pending = fields.Boolean(
        string="Reply to Answer",
        compute="_compute_reply_pending",
        search="_search_reply_pending",
        help="The customer answered a reminder by e-mail and the collector "
        "has not marked the answer done yet.",
    )

    @property
    def _table_query(self):
        return self._get_overview_query(self._get_as_of_date())

    # ------------------------------------------------------------------
    # The rules: what an open item, its due date, a credit and "overdue"
    # mean. Everything else (the overview's SQL, the e-mail, the wizard, the
    # panel, the statement, the partner's figure) takes them from here.
    # ------------------------------------------------------------------

    @api.model
    def _get_open_item_domain(self):
        """Open items: posted journal items on a receivable account, not
        reconciled, with a residual other than zero."""
        return [
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "!=", 0),
        ]

    @api.model
    def _get_due_before_domain(self, date):
        """Items whose due date (``date_maturity``, else the entry's date) is
        before ``date``."""
        return [
            "|",
            ("date_maturity", "<", date),
            "&",
            ("date_maturity", "=", False),
            ("date", "<", date),
        ]

    @api.model
    def _get_due_from_domain(self, date):
        """Items due on or after ``date``: the complement of
        ``_get_due_before_domain``, written out (negated, the date leaves
        would drop the items without a due date: SQL's NULL logic)."""
        return [
            "|",
            ("date_maturity", ">=", date),
            "&",
            ("date_maturity", "=", False),
            ("date", ">=", date),
        ]

    @api.model
    def _get_credit_domain(self):
        """Credits: credit notes, payments and refunds not yet matched. The
        debtor can use them now, whatever their due date."""
        return [("amount_residual", "<", 0)]

    @api.model
    def _get_disputed_item_domain(self):
        """Items of invoices an open dispute names."""
        # sudo: only which invoices are in dispute, to filter items the user
        # reads anyway; a subquery, so the overview's SQL stays one query
        disputed = (
            self.env["account.move"].sudo()._search([("debtor_in_dispute", "=", True)])
        )
        return [("move_id", "in", disputed)]

    @api.model
    def _get_promised_item_domain(self, as_of_date):
        """Items of invoices a pending promise names, promised for the as-of
        date or later: they are paused, the debtor's other items are not."""
        # sudo: only which invoices are promised, to filter items the user
        # reads anyway; a subquery, as for the disputed ones
        promised = (
            self.env["account.move"]
            .sudo()
            ._search(
                [
                    (
                        "debtor_correspondence_ids",
                        "any",
                        [
                            ("promise_state", "=", "pending"),
                            ("promise_date", ">=", as_of_date),
                        ],
                    )
                ]
            )
        )
        return [("move_id", "in", promised)]

    @api.model
    def _get_late_item_domain(self, as_of_date):
        """Items to pay that were due before the as-of date, but for the
        invoices in dispute and those a pending promise pauses (unless the
        context's ``debtor_remind_promised``: Remind Again)."""
        domain = [
            ("amount_residual", ">", 0),
            *self._get_due_before_domain(as_of_date),
            "!",
            *self._get_disputed_item_domain(),
        ]
        if not self.env.context.get("debtor_remind_promised"):
            domain += ["!", *self._get_promised_item_domain(as_of_date)]
        return domain

    @api.model
    def _get_overdue_item_domain(self, as_of_date):
        """What ``amount_overdue`` sums and a reminder lists: the late items
        and every credit."""
        return expression.OR(
            [self._get_credit_domain(), self._get_late_item_domain(as_of_date)]
        )

    @api.model
    def _get_ageing_buckets(self):
        """The ageing columns: (field, fewest days late, most days late) by
        each item's own due date, credits included, so that they add up to
        ``amount_due``; ``None``: no bound."""
        return [
            ("amount_not_due", None, 0),
            ("amount_1_30", 1, 30),
            ("amount_31_60", 31, 60),
            ("amount_61_90", 61, 90),
            ("amount_over_90", 91, None),
        ]

    @api.model
    def _get_ageing_bucket_domain(self, as_of_date, min_days, max_days):
        """Items late by ``min_days`` to ``max_days`` days at the as-of date
        (late by d days: due d days before it)."""
        domain = []
        if min_days is not None:
            domain = self._get_due_before_domain(
                as_of_date - timedelta(days=min_days - 1)
            )
        if max_days is not None:
            domain = expression.AND(
                [
                    domain,
                    self._get_due_from_domain(as_of_date - timedelta(days=max_days)),
                ]
            )
        return domain

    @api.model
    def _get_debtor_item_domain(self, partners, company):
        """The open items of these debtors (commercial partners: the items
        of their contacts and branches count) in ``company``."""
        return [
            ("partner_id.commercial_partner_id", "in", partners.ids),
            ("company_id", "=", company.id),
            *self._get_open_item_domain(),
        ]

    @api.model
    def _get_item_due_date(self, line):
        return line.date_maturity or line.date

    @api.model
    def _get_amount_overdue(self, late_and_credits):
        """What the debtor has to pay now: never a negative amount."""
        return max(late_and_credits, 0.0)

    @api.model
    def _get_remindable_domain(self, company, as_of_date):
        """The debtors "select all overdue" picks: something to pay now (the
        invoices a pending promise pauses left out of it), a reminder level
        reached, not excluded."""
        return [
            ("company_id", "=", company.id),
            ("amount_overdue", ">", 0),
            # a reminder level is reached
            ("level_id", "!=", False),
            ("amount_overdue", ">=", company.debtor_reminder_min_amount),
            ("no_reminder", "=", False),
        ]

    # ------------------------------------------------------------------
    # The overview's query, built from overridable parts (as
    # account.invoice.report is): an addon adds a column by extending
    # _select_line_totals, _select_debtor_totals and _select.
    # ------------------------------------------------------------------

    @api.model
    def _item_condition(self, domain):
        """The SQL condition on ``account_move_line`` of a domain on its own
        columns: the overview filters with the very domains the ORM uses."""
        query = self.env["account.move.line"]._where_calc(domain)
        if query._joins:  # pylint: disable=protected-access
            raise ValueError("an item condition may use the item's own columns only")
        return query.where_clause

    @api.model
    def _get_overview_query(self, as_of_date):
        return SQL(
            """
            WITH line_total AS (%s),
                 debtor AS (%s),
                 log AS (%s),
                 %s
            SELECT %s
              FROM %s
              LEFT JOIN LATERAL (%s) last_level ON TRUE
            """,
            self._get_line_totals_query(as_of_date),
            self._get_debtor_totals_query(),
            self._get_log_query(),
            self._get_level_query(as_of_date),
            self._select(),
            self._from(),
            self._get_last_level_query(as_of_date),
        )

    @api.model
    def _get_level_query(self, as_of_date):
        """The CTE ``level``: the levels, ranked per company by sequence.
        ``_select`` takes each debtor's next level from it and from its last
        level (``_get_last_level_query``): the highest-ranked level whose
        delay the oldest late item has reached (days from its due date to the
        as-of date), ranked at most one above the last level (the first level
        when there is none); none when not even that one's delay is reached.
        """
        return SQL(
            """
            level AS (
                SELECT id, company_id, delay,
                       -- a late item due on or before this date has reached
                       -- the level's delay at the as-of date
                       %(as_of)s::date - delay AS due_by,
                       ROW_NUMBER() OVER (PARTITION BY company_id
                                          ORDER BY sequence, id) AS rank
                  FROM account_debtor_reminder_level
            )
            """,
            as_of=as_of_date,
        )

    @api.model
    def _get_last_level_query(self, as_of_date):
        """The level of the debtor's last reminder (not bounced or failed)
        that names an invoice still late at the as-of date; none when no such
        reminder exists (nothing reminded yet, or all it named was paid
        since: the debtor starts again). A lateral subquery of each debtor
        row: the overview's filters on the debtor reach it, so a few debtors'
        checks read a few debtors' reminders."""
        late = self._item_condition(self._get_late_item_domain(as_of_date))
        open_items = self.env["account.move.line"]._where_calc(
            self._get_open_item_domain()
        )
        return SQL(
            """
            SELECT level.id AS level_id, level.rank
              FROM account_debtor_correspondence entry
              JOIN level ON level.id = entry.level_id
             WHERE entry.partner_id = debtor.partner_id
               AND entry.company_id = debtor.company_id
               AND entry.kind = 'reminder'
               AND entry.delivery_state IS DISTINCT FROM 'bounced'
               AND entry.delivery_state IS DISTINCT FROM 'failed'
               -- the invoices a reminder names are its debtor's
               AND EXISTS (
                   SELECT 1
                     FROM account_debtor_correspondence_move_rel rel,
                          %(from)s
                    WHERE rel.correspondence_id = entry.id
                      AND account_move_line.move_id = rel.move_id
                      AND %(open)s AND %(predicate)s AND %(late)s
               )
          ORDER BY entry.date DESC, entry.id DESC
             LIMIT 1
            """,
            open=open_items.where_clause,
            **{"from": open_items.from_clause},
            predicate=self.env["account.move.line"]._get_debtor_open_index_predicate(),
            late=late,
        )

    @api.model
    def _get_line_totals_query(self, as_of_date):
        """Totals per line partner and company (first per line partner: the
        open items come from the partial index alone)."""
        open_items = self.env["account.move.line"]._where_calc(
            self._get_open_item_domain()
        )
        scope = self._get_debtor_scope()
        return SQL(
            """
            SELECT account_move_line.partner_id,
                   account_move_line.company_id,
                   %s
              FROM %s
             WHERE %s
               -- the predicate of account_move_line_debtor_open_item_index
               -- (the domain above implies it), so that the planner uses it
               AND %s
          GROUP BY account_move_line.partner_id, account_move_line.company_id
            """,
            self._select_line_totals(as_of_date),
            open_items.from_clause,
            SQL(
                "%s AND account_move_line.partner_id IN (SELECT id FROM res_partner"
                " WHERE commercial_partner_id = ANY(%s))",
                open_items.where_clause,
                scope,
            )
            if scope is not None
            else open_items.where_clause,
            self.env["account.move.line"]._get_debtor_open_index_predicate(),
        )

    @api.model
    def _select_line_totals(self, as_of_date):
        due_date = SQL(
            "COALESCE(account_move_line.date_maturity, account_move_line.date)"
        )
        late = self._item_condition(self._get_late_item_domain(as_of_date))
        return SQL(
            """
            SUM(account_move_line.amount_residual) AS amount_due,
            SUM(account_move_line.amount_residual) FILTER (WHERE %(overdue)s)
                AS amount_overdue,
            SUM(account_move_line.amount_residual) FILTER (WHERE %(credit)s)
                AS amount_credit,
            SUM(account_move_line.amount_residual) FILTER (WHERE %(disputed)s)
                AS amount_disputed,
            COUNT(DISTINCT account_move_line.move_id)
                FILTER (WHERE account_move_line.amount_residual > 0)
                AS invoice_count,
            COUNT(DISTINCT account_move_line.move_id) FILTER (WHERE %(late)s)
                AS overdue_invoice_count,
            MIN(%(due_date)s) FILTER (WHERE %(late)s) AS oldest_due_date,
            %(buckets)s
            """,
            overdue=self._item_condition(self._get_overdue_item_domain(as_of_date)),
            credit=self._item_condition(self._get_credit_domain()),
            disputed=self._item_condition(
                [("amount_residual", ">", 0), *self._get_disputed_item_domain()]
            ),
            late=late,
            due_date=due_date,
            buckets=SQL(", ").join(
                SQL(
                    "SUM(account_move_line.amount_residual) FILTER (WHERE %s) AS %s",
                    self._item_condition(
                        self._get_ageing_bucket_domain(as_of_date, low, high)
                    ),
                    SQL.identifier(name),
                )
                for name, low, high in self._get_ageing_buckets()
            ),
        )

    @api.model
    def _get_debtor_totals_query(self):
        return SQL(
            """
            SELECT partner.commercial_partner_id AS partner_id,
                   line_total.company_id,
                   %s
              FROM line_total
              JOIN res_partner partner ON partner.id = line_total.partner_id
          GROUP BY partner.commercial_partner_id, line_total.company_id
            """,
            self._select_debtor_totals(),
        )

    @api.model
    def _select_debtor_totals(self):
        return SQL(
            """
            SUM(line_total.amount_due) AS amount_due,
            COALESCE(SUM(line_total.amount_overdue), 0) AS amount_overdue,
            COALESCE(SUM(line_total.amount_credit), 0) AS amount_credit,
            COALESCE(SUM(line_total.amount_disputed), 0) AS amount_disputed,
            SUM(line_total.invoice_count) AS invoice_count,
            SUM(line_total.overdue_invoice_count) AS overdue_invoice_count,
            MIN(line_total.oldest_due_date) AS oldest_due_date,
            %s
            """,
            SQL(", ").join(
                SQL(
                    "COALESCE(SUM(line_total.%s), 0) AS %s",
                    SQL.identifier(name),
                    SQL.identifier(name),
                )
                for name, _low, _high in self._get_ageing_buckets()
            ),
        )

    @api.model
    def _get_log_query(self):
        scope = self._get_debtor_scope()
        return SQL(
            """
            SELECT partner_id,
                   company_id,
                   -- a reminder that bounced or failed did not remind
                   MAX(date) FILTER (
                       WHERE kind = 'reminder'
                         AND delivery_state IS DISTINCT FROM 'bounced'
                         AND delivery_state IS DISTINCT FROM 'failed'
                   ) AS last_reminder_date,
                   COALESCE(
                       (ARRAY_AGG(delivery_state ORDER BY date DESC, id DESC)
                           FILTER (WHERE kind = 'reminder'))[1]
                           IN ('bounced', 'failed'),
                       FALSE
                   ) AS delivery_problem,
                   (ARRAY_AGG(promise_date ORDER BY date DESC, id DESC)
                       FILTER (WHERE promise_date IS NOT NULL))[1] AS promise_date,
                   (ARRAY_AGG(promise_state ORDER BY date DESC, id DESC)
                       FILTER (WHERE promise_date IS NOT NULL))[1] AS promise_state,
                   (ARRAY_AGG(next_action_date ORDER BY date DESC, id DESC)
                       FILTER (WHERE next_action_date IS NOT NULL))[1]
                       AS next_action_date,
                   COUNT(*) FILTER (WHERE promise_state = 'kept') AS promise_kept_count,
                   COUNT(*) FILTER (WHERE promise_state = 'broken')
                       AS promise_broken_count
              FROM account_debtor_correspondence
             WHERE %s
          GROUP BY partner_id, company_id
            """,
            SQL("partner_id = ANY(%s)", scope) if scope is not None else SQL("TRUE"),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            (debtor.partner_id::bigint << %(bits)s) + debtor.company_id AS id,
            debtor.partner_id,
            debtor.company_id,
            company.currency_id,
            partner.user_id,
            debtor.amount_due,
            -- what is to pay now: late items less every credit, never below 0
            GREATEST(debtor.amount_overdue, 0) AS amount_overdue,
            debtor.amount_credit,
            debtor.amount_disputed,
            debtor.invoice_count,
            debtor.overdue_invoice_count,
            debtor.oldest_due_date,
            debtor.amount_not_due,
            debtor.amount_1_30,
            debtor.amount_31_60,
            debtor.amount_61_90,
            debtor.amount_over_90,
            COALESCE(
                (partner.debtor_collector_id ->> debtor.company_id::text)::integer,
                partner.user_id
            ) AS collector_id,
            log.last_reminder_date,
            COALESCE(log.delivery_problem, FALSE) AS delivery_problem,
            log.promise_date,
            log.promise_state,
            log.next_action_date,
            COALESCE(log.promise_kept_count, 0) AS promise_kept_count,
            COALESCE(log.promise_broken_count, 0) AS promise_broken_count,
            COALESCE(
                (partner.debtor_no_reminder ->> debtor.company_id::text)::boolean,
                FALSE
            ) AS no_reminder,
            -- the next level: the highest-ranked one whose delay the oldest
            -- late item has reached, at most one above the last level's
            (SELECT level.id
               FROM level
              WHERE level.company_id = debtor.company_id
                AND debtor.oldest_due_date <= level.due_by
                AND level.rank <= COALESCE(last_level.rank, 0) + 1
           ORDER BY level.rank DESC
              LIMIT 1) AS level_id,
            last_level.level_id AS last_level_id
            """,
            bits=DEBTOR_ID_COMPANY_BITS,
        )

    @api.model
    def _from(self):
        return SQL(
            """
            debtor
            JOIN res_company company ON company.id = debtor.company_id
            JOIN res_partner partner ON partner.id = debtor.partner_id
            LEFT JOIN log ON log.partner_id = debtor.partner_id
                         AND log.company_id = debtor.company_id
            """
        )

    # ------------------------------------------------------------------
    # The same figures for a few debtors, without the whole overview
    # ------------------------------------------------------------------

    @api.model
    def _get_amount_overdue_by_partner(self, partners, company, as_of_date):
        """``amount_overdue`` of these debtors (commercial partners) in
        ``company``, aggregated over their own items only."""
        groups = self.env["account.move.line"]._read_group(
            [
                *self._get_debtor_item_domain(partners, company),
                *self._get_overdue_item_domain(as_of_date),
            ],
            groupby=["partner_id"],
            aggregates=["amount_residual:sum"],
        )
        totals = defaultdict(float)
        for partner, amount in groups:
            totals[partner.commercial_partner_id] += amount
        return {
            partner: self._get_amount_overdue(totals[partner]) for partner in partners
        }

    def _compute_open_move_ids(self):
        moves_by_key = defaultdict(lambda: self.env["account.move"])
        for company in self.company_id:
            debtors = self.filtered(lambda debtor, c=company: debtor.company_id == c)
            lines = self.env["account.move.line"].search(
                self._get_debtor_item_domain(debtors.partner_id, company),
                order="date_maturity, id",
            )
            for line in lines:
                key = (line.partner_id.commercial_partner_id.id, company.id)
                moves_by_key[key] |= line.move_id
        for debtor in self:
            debtor.open_move_ids = moves_by_key.get(
                (debtor.partner_id.id, debtor.company_id.id), False
            )

    def _compute_correspondence_ids(self):
        entries = self.env["account.debtor.correspondence"].search(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
            ]
        )
        entries_by_key = {}
        for entry in entries:
            key = (entry.partner_id.id, entry.company_id.id)
            entries_by_key.setdefault(key, entries.browse())
            entries_by_key[key] |= entry
        for debtor in self:
            debtor.correspondence_ids = entries_by_key.get(
                (debtor.partner_id.id, debtor.company_id.id), False
            )

    def _compute_reply_pending(self):
        keys = self._get_reply_pending_keys(self.partner_id.ids)
        for debtor in self:
            debtor.reply_pending = (
                debtor.partner_id.id,
                debtor.company_id.id,
            ) in keys

    def _search_reply_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        keys = self._get_reply_pending_keys()
        ids = [
            debtor.id
            for debtor in self.search_fetch(
                [("partner_id", "in", list({partner for partner, _c in keys}))],
                ["partner_id", "company_id"],
            )
            if (debtor.partner_id.id, debtor.company_id.id) in keys
        ]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    def _get_reply_pending_keys(self, partner_ids=None):
        """(partner id, company id) of the debtors with an open reply: one
        grouped query."""
        domain = [("kind", "=", "reply"), ("reply_state", "=", "open")]
        if partner_ids is not None:
            domain.append(("partner_id", "in", partner_ids))
        groups = self.env["account.debtor.correspondence"]._read_group(
            domain, ["partner_id", "company_id"]
        )
        return {(partner.id, company.id) for partner, company in groups}

    def _compute_display_name(self):
        for debtor in self:
            debtor.display_name = debtor.partner_id.display_name

    # ------------------------------------------------------------------
    # Reading the overview: each query aggregates the open items
    # ------------------------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # PostgreSQL's JIT compiles the aggregate of the open items for far
        # longer than it runs once thousands of debtors are read together
        # (1.7 s of compiling for a 0.2 s query: Select All Overdue of 4,000
        # debtors). Off for the rest of this transaction, which only reads
        # and writes ordinary rows; Odoo itself never relies on it.
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def fetch(self, field_names=None):
        # rows known by id (a page, a form): aggregate only their debtors'
        # items, not every debtor's to keep a few rows
        ids = [debtor_id for debtor_id in self._ids if isinstance(debtor_id, int)]
        if ids and self._get_debtor_scope() is None:
            scope = sorted({debtor_id >> DEBTOR_ID_COMPANY_BITS for debtor_id in ids})
            return super(
                AccountDebtor, self.with_context(debtor_partner_ids=scope)
            ).fetch(field_names)
        return super().fetch(field_names)

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        """The list's page and its count from one aggregation (the count a
        window over the page's query), its rows then read for their debtors
        only (``fetch``): Odoo's own read would aggregate every debtor's
        items once for the page and once more for the count."""
        # as search_fetch: no sort asked is the model's order
        query = self._search(
            domain, offset=offset, limit=limit, order=order or self._order
        )
        if query.is_empty():
            return {"length": 0, "records": []}
        self.env.cr.execute(
            query.select(SQL.identifier(self._table, "id"), SQL("COUNT(*) OVER ()"))
        )
        rows = self.env.cr.fetchall()
        values = self.browse([row[0] for row in rows]).web_read(specification)
        if not rows:
            # past the last page: Odoo's answer (the client goes back a page)
            return self._format_web_search_read_results(
                domain, values, offset, limit, count_limit
            )
        # the window counts every row of the domain, before offset and limit
        length = rows[0][1]
        if count_limit:
            length = min(length, count_limit)
        return {"length": length, "records": values}

    @api.model
    def action_open_ageing(self):
        """Receivables Ageing, its graph on the oldest bucket that holds
        money in the user's companies (the graph shows one at a time: on an
        empty one it would be blank), else on what is due."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_debtor_collection.action_account_debtor_ageing"
        )
        buckets = ["amount_over_90", "amount_61_90", "amount_31_60", "amount_1_30"]
        [totals] = self._read_group(
            [("company_id", "in", self.env.companies.ids)],
            aggregates=[f"{bucket}:sum" for bucket in buckets],
        )
        measure = next(
            (bucket for bucket, total in zip(buckets, totals, strict=True) if total),
            "amount_due",
        )
        action["context"] = {"graph_measure": measure}
        return action

    def action_open_reminder(self):
        """Open the reminder wizard on the debtors selected in the list, at
        the as-of date the list shows."""
        if len(self.company_id) > 1:
            raise UserError(
                self.env._("Send reminders to the debtors of one company at a time.")
            )
        return self.env["account.debtor.remind"]._action_open(
            self.partner_id,
            company=self.company_id[:1] or self.env.company,
            date=self._get_as_of_date(),
        )

    def action_add_note(self):
        """Open a new correspondence note about this debtor."""
        self.ensure_one()
        return self.env["account.debtor.correspondence"]._action_new_note(
            self.partner_id, self.company_id
        )

    def action_open_invoices(self):
        """List this debtor's unpaid invoices."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            domain=[("id", "in", self.open_move_ids.ids)],
            context={"create": False},
        )
        return action

    @api.model
    def _get_debtor_scope(self):
        """The debtors (commercial partner ids) the context's
        ``debtor_partner_ids`` narrows the overview to, or None. A batch's
        checks read a few debtors: a domain on the debtor cannot reach the
        open items (summed per item partner first), this can. It only ever
        narrows what the user reads anyway."""
        ids = self.env.context.get("debtor_partner_ids")
        if ids is None:
            return None
        if not isinstance(ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise UserError(self.env._("The debtors to read must be a list of ids."))
        return list(ids)

    @api.model
    def _get_as_of_date(self, company=None):
        """The context's ``debtor_as_of_date`` as a date (without it, the
        company's today, the date its reminders are sent on: ``company``'s,
        else the current one's). Anything that is not a date is refused with
        a clear message."""
        value = self.env.context.get("debtor_as_of_date")
        if not value:
            return (company or self.env.company)._get_debtor_today()
        as_of_date = None
        if isinstance(value, datetime):
            as_of_date = value.date()
        elif isinstance(value, date):
            as_of_date = value
        elif isinstance(value, str) and len(value) == 10:
            try:
                as_of_date = fields.Date.to_date(value)
            except ValueError as error:
                _logger.debug("Not an as-of date: %r (%s)", value, error)
        if as_of_date is None:
            raise UserError(
                self.env._(
                    "The as-of date must be a date (YYYY-MM-DD), not %(value)s.",
                    value=repr(value)[:40],
                )
            )
        # the ageing and the levels count days back from it: a date near the
        # first the calendar holds would fail in the middle of the query
        if not AS_OF_DATE_MIN <= as_of_date <= AS_OF_DATE_MAX:
            raise UserError(
                self.env._(
                    "%(date)s is not a usable as-of date: choose one between "
                    "%(first)s and %(last)s.",
                    date=fields.Date.to_string(as_of_date),
                    first=format_date(self.env, AS_OF_DATE_MIN),
                    last=format_date(self.env, AS_OF_DATE_MAX),
                )
            )
        return as_of_date
