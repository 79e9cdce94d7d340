import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize, format_amount, format_date, formataddr

from .account_debtor_correspondence import PROMISE_STATES, shorten_note

_logger = logging.getLogger(__name__)

# A debtor row is keyed by its (commercial partner, company) pair; the id packs
# both so that a row keeps its id for as long as the debtor owes anything.
DEBTOR_ID_COMPANY_BITS = 16
# The most rows one call of the workspace panel returns per list.
MAX_PANEL_PAGE = 200
# Notes are shortened to this many characters where they are copied (panel).
NOTE_PREVIEW_LENGTH = 2000
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

    @api.model
    def _get_partners_in_open_runs(self, partners, company, run=None):
        """The debtors among ``partners`` that a reminder run of ``company``
        already holds: a line to send or sent in a run queued or running
        (when ``run`` is given: in an older run that was not finished yet
        when ``run`` was queued). Eight clicks on Send while the mail server
        is down remind once."""
        Run = self.env["account.debtor.reminder.run"]
        Run.flush_model(["company_id", "state", "date_done"])
        self.env["account.debtor.reminder.run.line"].flush_model(
            ["run_id", "partner_id", "state"]
        )
        if run:
            run.flush_recordset(["create_date"])
            open_run = SQL(
                "run.id < %(id)s AND (run.state != 'done' OR run.date_done >= "
                "(SELECT create_date FROM account_debtor_reminder_run "
                "WHERE id = %(id)s))",
                id=run.id,
            )
        else:
            open_run = SQL("run.state IN ('queued', 'running')")
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT line.partner_id
                  FROM account_debtor_reminder_run_line line
                  JOIN account_debtor_reminder_run run ON run.id = line.run_id
                 WHERE line.partner_id = ANY(%(partners)s)
                   AND run.company_id = %(company)s
                   AND line.state IN ('to_send', 'sent')
                   AND %(open_run)s
                """,
                partners=partners.ids,
                company=company.id,
                open_run=open_run,
            )
        )
        return partners.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _get_open_run_skip_reason(self):
        return self.env._(
            "Already in a reminder run that is queued or running: it is sent there."
        )

    @api.model
    def _get_sending_run(self):
        """The run being sent (its sending environment names it; only the
        addon's superuser sending is trusted with it)."""
        run_id = self.env.context.get("debtor_reminder_run_id")
        if self.env.su and isinstance(run_id, int):
            return self.env["account.debtor.reminder.run"].browse(run_id)
        return None

    @api.model
    def _get_reminder_checks(self, partners, company, as_of_date, force=False):
        """Check each debtor before sending a reminder at ``as_of_date``:
        returns a dict partner -> preview values (recipients, language,
        overdue count and amount, state ``to_send`` or ``skipped`` with its
        reason). ``force`` also reminds debtors reminded within the minimum
        interval, and the invoices a pending promise pauses. A debtor that a
        queued or running run holds is skipped (at sending time: one that
        an older run held when this one was queued)."""
        if not partners:
            return {}
        Debtor = self.with_context(
            debtor_as_of_date=as_of_date,
            debtor_partner_ids=partners.ids,
            debtor_remind_promised=bool(force),
        )
        Debtor.invalidate_model()
        debtors = Debtor.search_fetch(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
            ],
            [
                "partner_id",
                "amount_overdue",
                "amount_credit",
                "amount_disputed",
                "overdue_invoice_count",
                "no_reminder",
                "promise_state",
                "promise_date",
                "last_reminder_date",
                "level_id",
            ],
        )
        debtor_by_partner = {debtor.partner_id: debtor for debtor in debtors}
        first_level = self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", company.id)], limit=1
        )
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        reach_by_partner = self._get_reminder_reach(partners, company)
        unmatched_by_partner = self._get_unmatched_bank_amounts(partners, company)
        in_open_runs = self._get_partners_in_open_runs(
            partners, company, self._get_sending_run()
        )
        checks = {}
        for partner in partners:
            debtor = debtor_by_partner.get(partner)
            recipients, invalid = recipients_by_partner[partner]
            unmatched = unmatched_by_partner.get(partner, 0.0)
            level = debtor.level_id if debtor else first_level.browse()
            reach = reach_by_partner[partner]
            channel = self._get_reminder_channel(level, recipients, company, reach)
            reason = self._get_skip_reason(
                partner,
                debtor,
                recipients,
                invalid,
                {
                    "company": company,
                    "as_of_date": as_of_date,
                    "force": force,
                    "unmatched": unmatched,
                    "level": level,
                    "first_level": first_level,
                    "channel": channel,
                    "in_open_run": partner in in_open_runs,
                    "reach": reach,
                },
            )
            checks[partner] = {
                "partner_id": partner.id,
                "recipients": self._get_reminder_recipients_text(
                    channel, recipients, reach
                ),
                "lang": partner._get_debtor_lang(),
                "overdue_count": debtor.overdue_invoice_count if debtor else 0,
                "currency_id": company.currency_id.id,
                "amount_overdue": debtor.amount_overdue if debtor else 0.0,
                "amount_credit": debtor.amount_credit if debtor else 0.0,
                "amount_disputed": debtor.amount_disputed if debtor else 0.0,
                "amount_unmatched": unmatched,
                "level_id": level.id if level else False,
                "channel": channel,
                "state": "skipped" if reason else "to_send",
                "message": reason
                or self._get_reminder_channel_note(level, channel, reach),
            }
        Debtor.invalidate_model()
        return checks

    @api.model
    def _format_recipients(self, recipients):
        """The addresses of ``recipients`` as one line of text, as their
        ``email_formatted`` reads, without computing that field (with the
        mail thread's machinery it is most of a preview of thousands)."""
        return ", ".join(
            formataddr((partner.name or "False", email))
            for partner in recipients
            # a recipient has one valid address (_get_debtor_reminder_recipients)
            if (email := email_normalize(partner.email))
        )

    @api.model
    def _get_skip_reason(self, partner, debtor, recipients, invalid_emails, check):
        """Why ``partner`` gets no reminder now (False: it gets one).
        ``check``: the company, ``as_of_date``, ``force`` and the amount of
        its bank transactions waiting to be matched (``unmatched``)."""
        company, as_of_date = check["company"], check["as_of_date"]
        force = check["force"]
        today = company._get_debtor_today()
        interval = company.debtor_reminder_interval
        if not partner.active:
            return self.env._("The customer is archived.")
        if check.get("in_open_run"):
            return self._get_open_run_skip_reason()
        promised = (
            debtor
            and debtor.promise_state == "pending"
            and debtor.promise_date
            and debtor.promise_date >= as_of_date
        )
        if promised and not force and debtor.amount_overdue <= 0:
            # what is left to pay now is what it promised: paused
            return self.env._(
                "Payment promised for %(date)s.",
                date=format_date(self.env, debtor.promise_date),
            )
        if debtor and debtor.amount_overdue <= 0 and debtor.amount_disputed > 0:
            if not debtor.overdue_invoice_count:
                return self.env._(
                    "Its late invoices are in dispute: resolve the dispute first."
                )
        if not debtor or (
            debtor.amount_overdue <= 0 and not debtor.overdue_invoice_count
        ):
            return self.env._("Nothing is overdue at this date.")
        if debtor.amount_overdue <= 0:
            return self.env._(
                "Its credits cover its late invoices: there is nothing to pay "
                "at this date."
            )
        if debtor.amount_overdue < company.debtor_reminder_min_amount:
            return self.env._(
                "%(amount)s overdue is below the minimum of %(minimum)s.",
                amount=format_amount(
                    self.env, debtor.amount_overdue, company.currency_id
                ),
                minimum=format_amount(
                    self.env, company.debtor_reminder_min_amount, company.currency_id
                ),
            )
        if debtor.no_reminder:
            return self.env._("The customer is excluded from payment reminders.")
        level = check.get("level")
        if not level:
            first_level = check.get("first_level")
            if not first_level:
                return self.env._("The company has no reminder level.")
            return self.env._(
                "No reminder level reached yet: %(level)s starts %(days)s days "
                "after the due date.",
                level=first_level.name,
                days=first_level.delay,
            )
        if not recipients and check.get("channel", "email") == "email":
            if check.get("reach", {}).get("bounced"):
                return self._get_bounced_skip_reason(check["reach"]["bounced"])
            if invalid_emails:
                return self.env._(
                    "Not a valid e-mail address: %(emails)s. Correct it on the "
                    "customer or its invoice contacts.",
                    emails=", ".join(invalid_emails),
                )
            return self.env._(
                "No e-mail address: give the customer or one of its invoice "
                "contacts an e-mail."
            )
        if debtor.last_reminder_date == today:
            return self.env._("Already reminded today.")
        if not force and check["unmatched"] > 0:
            return self.env._(
                "%(amount)s from this customer is in the bank, not matched yet: "
                "match it first, or tick Remind Again.",
                amount=format_amount(self.env, check["unmatched"], company.currency_id),
            )
        if (
            not force
            and debtor.last_reminder_date
            and interval > 0
            and debtor.last_reminder_date > today - timedelta(days=interval)
        ):
            return self.env._(
                "Already reminded on %(date)s; the minimum interval is %(days)s days.",
                date=format_date(self.env, debtor.last_reminder_date),
                days=interval,
            )
        return False

    @api.model
    def _get_reminder_channel(self, level, recipients, company, reach=None):
        """How the reminder at ``level`` goes to a debtor with these e-mail
        ``recipients``: the level's channel, its fallback channel when the
        debtor cannot be reached by it (``reach``, see
        ``_get_reminder_reach``), or a letter instead of an e-mail to nobody
        when the company chose so."""
        if not level:
            return False
        if (
            reach
            and level.fallback_channel
            and not self._can_reach(level.channel, recipients, reach)
        ):
            return level.fallback_channel
        if (
            level.channel == "email"
            and not recipients
            and company.debtor_letter_without_email
        ):
            return "letter"
        return level.channel

    @api.model
    def _get_unmatched_bank_amounts(self, partners, company):
        """What each debtor paid into the company's bank that is not matched
        to its invoices yet (bank transactions not reconciled), in company
        currency: a reminder would ask for money already received."""
        groups = self.env["account.bank.statement.line"]._read_group(
            [
                ("partner_id", "child_of", partners.ids),
                ("company_id", "=", company.id),
                ("is_reconciled", "=", False),
                ("amount", ">", 0),
            ],
            groupby=["partner_id", "currency_id"],
            aggregates=["amount:sum"],
        )
        amounts = defaultdict(float)
        today = fields.Date.context_today(self)
        for partner, currency, amount in groups:
            amounts[partner.commercial_partner_id] += currency._convert(
                amount, company.currency_id, company, today
            )
        return amounts

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

    def _compute_display_name(self):
        for debtor in self:
            debtor.display_name = debtor.partner_id.display_name

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

    # The debtor workspace: the overview list with the panel of one debtor

    @api.model
    def get_workspace_overdue_ids(self):
        """Ids of the debtors "Select all overdue" picks in the workspace: the
        ones the reminder wizard would remind at the context's
        ``debtor_as_of_date``, in the current company (reminders are sent one
        company at a time)."""
        return self.get_workspace_remindable()["ids"]

    @api.model
    def get_workspace_remindable(self):
        """What "Select all overdue" in the workspace picks: ``ids``, the
        debtors the reminder wizard would send a reminder to at the context's
        ``debtor_as_of_date`` (its very checks), and ``skipped``, the overdue
        ones it would skip (a payment waiting in the bank, no e-mail, ...),
        each with its ``id``, ``name`` and ``reason``: the overview and the
        wizard agree, and the user sees why a debtor is left out."""
        as_of_date = self._get_as_of_date()
        company = self.env.company
        debtors = self.with_context(
            debtor_as_of_date=fields.Date.to_string(as_of_date)
        ).search_fetch(self._get_remindable_domain(company, as_of_date), ["partner_id"])
        debtor_by_partner = {debtor.partner_id: debtor.id for debtor in debtors}
        checks = self._get_reminder_checks(
            debtors.partner_id, company, as_of_date, force=False
        )
        ids, skipped = [], []
        for partner, check in checks.items():
            if check["state"] == "to_send":
                ids.append(debtor_by_partner[partner])
            else:
                skipped.append(
                    {
                        "id": debtor_by_partner[partner],
                        "name": partner.display_name,
                        "reason": check["message"],
                    }
                )
        return {"ids": ids, "skipped": skipped}

    def action_open_workspace_reminder(self):
        """Open the reminder wizard on these debtors (on none: an empty one)
        at the context's ``debtor_as_of_date``."""
        return self.action_open_reminder()

    def get_workspace_panel(
        self, invoice_offset=0, invoice_limit=40, log_offset=0, log_limit=40
    ):
        """What the workspace shows beside the list about this debtor, in one
        call of a few queries whatever the number of its invoices: a page of
        its unpaid invoices (oldest due first) and a page of its
        correspondence (newest first), with the count of each.

        A limit of 0 leaves that part out. Dates are ISO strings; amounts
        are raw, with the id of their currency; an invoice is late by the days
        from its due date to the context's ``debtor_as_of_date``.

        :return: a dict with the keys ``found`` (False when the debtor owes
            nothing any more or is out of reach), ``as_of_date``,
            ``invoices`` (dicts: ``id``, ``name``, ``move_type``,
            ``invoice_date``, ``date_due``, ``days_late``, ``amount_residual``
            in ``company_currency_id``, ``amount_residual_currency`` in
            ``currency_id``), ``invoice_count``, ``entries`` (dicts: ``id``,
            ``kind``, ``kind_label``, ``source`` (``portal``: the debtor wrote
            it on its page; ``user_name`` is then its contact's), ``date``,
            ``user_id``, ``user_name``,
            ``contact_name``, ``note``, ``move_names``, ``promise_date``,
            ``promise_state``, ``promise_state_label``,
            ``next_action_date``, ``editable``: the user may change it) and
            ``entry_count``
        """
        self.ensure_one()
        as_of_date = self._get_as_of_date()
        invoice_offset, invoice_limit, log_offset, log_limit = (
            self._check_paging_argument(value, maximum=MAX_PANEL_PAGE)
            for value in (invoice_offset, invoice_limit, log_offset, log_limit)
        )
        values = {
            "found": False,
            "can_remind": self.env.user.has_group("account.group_account_invoice"),
            "as_of_date": fields.Date.to_string(as_of_date),
            "invoices": [],
            "invoice_count": 0,
            "entries": [],
            "entry_count": 0,
        }
        # The panel is opened often: read the debtor's keys from its id rather
        # than run the overview's aggregate for one row. The company check is
        # the record rule of this model; a debtor that paid everything since
        # is no error.
        self.browse().check_access("read")
        partner, company = self._get_debtor_keys()
        if company not in self.env.companies:
            return values
        open_items = self._get_debtor_item_domain(partner, company)
        values["found"] = bool(
            self.env["account.move.line"].search(open_items, limit=1)
        )
        if not values["found"]:
            return values
        if invoice_limit:
            values.update(
                self._get_workspace_invoices(
                    open_items, company, as_of_date, invoice_offset, invoice_limit
                )
            )
        if log_limit:
            values.update(
                self._get_workspace_entries(partner, company, log_offset, log_limit)
            )
        return values

    @api.model
    def _check_paging_argument(self, value, maximum):
        """An offset or a limit from the client: a whole number from 0."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(
                self.env._(
                    "Offsets and limits are whole numbers from 0, not %(value)s.",
                    value=repr(value)[:40],
                )
            )
        return min(value, maximum) if maximum else value

    def _get_debtor_keys(self):
        """The commercial partner and the company of this row, from its id."""
        self.ensure_one()
        return (
            self.env["res.partner"].browse(self.id >> DEBTOR_ID_COMPANY_BITS),
            self.env["res.company"].browse(
                self.id & ((1 << DEBTOR_ID_COMPANY_BITS) - 1)
            ),
        )

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
    def _get_as_of_date(self):
        """The context's ``debtor_as_of_date`` as a date (today without it).
        Anything that is not a date is refused with a clear message."""
        value = self.env.context.get("debtor_as_of_date")
        if not value:
            return fields.Date.context_today(self)
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

    def _get_workspace_invoices(self, domain, company, as_of_date, offset, limit):
        """A page of this debtor's unpaid invoices (all its moves with open
        receivable items: credit notes and payments have negative amounts)."""
        MoveLine = self.env["account.move.line"]
        groups = MoveLine._read_group(
            domain,
            groupby=["move_id"],
            aggregates=[
                "amount_residual:sum",
                "amount_residual_currency:sum",
                "date_maturity:min",
            ],
            offset=offset,
            limit=limit,
            order="date_maturity:min ASC, move_id:min ASC",
        )
        if offset or len(groups) == limit:
            [[count]] = MoveLine._read_group(
                domain, aggregates=["move_id:count_distinct"]
            )
        else:
            count = len(groups)
        moves = self.env["account.move"].browse([move.id for move, *_rest in groups])
        moves.fetch(
            [
                "name",
                "move_type",
                "invoice_date",
                "date",
                "currency_id",
                "debtor_in_dispute",
            ]
        )
        invoices = []
        for move, residual, residual_currency, date_due in groups:
            date_due = date_due or move.date
            late = residual > 0 and date_due < as_of_date
            invoices.append(
                {
                    "id": move.id,
                    "name": move.name,
                    "move_type": move.move_type,
                    "invoice_date": fields.Date.to_string(
                        move.invoice_date or move.date
                    ),
                    "date_due": fields.Date.to_string(date_due),
                    "days_late": (as_of_date - date_due).days if late else 0,
                    "amount_residual": residual,
                    "company_currency_id": company.currency_id.id,
                    "amount_residual_currency": residual_currency,
                    "currency_id": move.currency_id.id,
                    "in_dispute": move.debtor_in_dispute,
                }
            )
        return {"invoices": invoices, "invoice_count": count}

    def _get_workspace_entries(self, partner, company, offset, limit):
        """A page of this debtor's correspondence, newest first."""
        Entry = self.env["account.debtor.correspondence"]
        domain = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
        ]
        entries = Entry.search_fetch(
            domain,
            [
                "kind",
                "source",
                "date",
                # read by the access rules of ``editable``
                "company_id",
                "user_id",
                "contact_id",
                "note",
                "move_ids",
                "promise_date",
                "promise_state",
                "next_action_date",
                "delivery_state",
                "dispute_state",
                "dispute_reason_id",
                "level_id",
                "channel",
            ],
            offset=offset,
            limit=limit,
        )
        if offset or len(entries) == limit:
            count = Entry.search_count(domain)
        else:
            count = len(entries)
        (entries.user_id.partner_id | entries.contact_id).fetch(["name"])
        entries.move_ids.fetch(["name"])
        editable = entries._filtered_access("write")
        kind_labels = dict(Entry._fields["kind"]._description_selection(self.env))
        state_labels = dict(
            Entry._fields["promise_state"]._description_selection(self.env)
        )
        delivery_labels = dict(
            Entry._fields["delivery_state"]._description_selection(self.env)
        )
        dispute_labels = dict(
            Entry._fields["dispute_state"]._description_selection(self.env)
        )
        entries.dispute_reason_id.fetch(["name"])
        entries.level_id.fetch(["name"])
        channel_labels = dict(Entry._fields["channel"]._description_selection(self.env))
        return {
            "entries": [
                {
                    "id": entry.id,
                    "kind": entry.kind,
                    "kind_label": kind_labels.get(entry.kind, ""),
                    "date": fields.Date.to_string(entry.date),
                    "user_id": entry.user_id.id,
                    "source": entry.source,
                    "user_name": (
                        entry.contact_id.name
                        if entry.source == "portal"
                        else entry.user_id.partner_id.name
                    )
                    or "",
                    "contact_name": entry.contact_id.name or "",
                    "note": shorten_note(entry.note, NOTE_PREVIEW_LENGTH),
                    "move_names": entry.move_ids.mapped("name"),
                    "promise_date": fields.Date.to_string(entry.promise_date),
                    "promise_state": entry.promise_state or False,
                    "promise_state_label": state_labels.get(entry.promise_state, ""),
                    "next_action_date": fields.Date.to_string(entry.next_action_date),
                    "delivery_state": entry.delivery_state or False,
                    "delivery_state_label": delivery_labels.get(
                        entry.delivery_state, ""
                    ),
                    "dispute_state": entry.dispute_state or False,
                    "dispute_state_label": dispute_labels.get(entry.dispute_state, ""),
                    "dispute_reason": entry.dispute_reason_id.name or "",
                    "level_name": entry.level_id.name or "",
                    "channel": entry.channel or False,
                    "channel_label": channel_labels.get(entry.channel, ""),
                    "editable": entry in editable,
                }
                for entry in entries
            ],
            "entry_count": count,
        }
