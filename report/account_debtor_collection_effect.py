from odoo import api, fields, models
from odoo.tools import SQL

from ..models.account_debtor_correspondence import PROMISE_STATES

# The windows after a reminder in which payments count (days).
PAID_WINDOWS = (7, 14, 30)
# Shares computed from the sums of the group, not averaged over its rows:
# share -> (numerator column, denominator columns).
SHARES = {
    "paid_7_rate": ("amount_paid_7", ("amount_reminded",)),
    "paid_14_rate": ("amount_paid_14", ("amount_reminded",)),
    "paid_30_rate": ("amount_paid_30", ("amount_reminded",)),
    "promise_kept_rate": (
        "promise_kept_count",
        ("promise_kept_count", "promise_broken_count"),
    ),
}


class AccountDebtorCollectionEffect(models.Model):
    """Does the chasing work: one row per reminder and per promise of the
    collection log.

    A reminder row holds what the reminder asked for (``amount_reminded``,
    stored on the entry when it was sent) and what was paid on its invoices
    in the 7, 14 and 30 days from its date: payments and credit notes
    reconciled with the reminded invoices' receivable items, in company
    currency, recorded after the reminder and dated from its day on, never
    more than was asked. A promise row counts the promise kept or broken.

    The shares (``*_rate``) are ratios of the group's sums, also in pivot
    totals (see ``_read_group_select``). The query is built from overridable
    parts, as ``account.invoice.report``'s: a column of the log (a reminder
    level, say) is one more line in ``_select`` and a field.
    """

    _name = "account.debtor.collection.effect"
    _description = "Collection Effect"
    _auto = False
    _rec_name = "partner_id"
    _order = "date desc, id desc"
    _depends = {
        "account.debtor.correspondence": [
            "amount_reminded",
            "company_id",
            "create_date",
            "date",
            "delivery_state",
            "kind",
            "level_id",
            "move_ids",
            "partner_id",
            "promise_date",
            "promise_state",
            "template_id",
            "user_id",
        ],
        "account.partial.reconcile": [
            "amount",
            "create_date",
            "credit_move_id",
            "debit_move_id",
            "exchange_move_id",
            "max_date",
        ],
        "account.move.line": ["account_id", "move_id"],
        "account.account": ["account_type"],
        "res.partner": ["debtor_collector_id", "user_id"],
        "res.company": ["currency_id"],
    }

    entry_id = fields.Many2one(
        "account.debtor.correspondence", string="Log Entry", readonly=True
    )
    kind = fields.Selection(
        selection=[("reminder", "Payment Reminder"), ("promise", "Promise")],
        readonly=True,
    )
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    collector_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who collects from this customer now: its collector in this "
        "company, else its salesperson.",
    )
    template_id = fields.Many2one(
        "mail.template", string="E-mail Template", readonly=True
    )
    level_id = fields.Many2one("account.debtor.reminder.level", readonly=True)
    reminder_count = fields.Integer(string="Reminders", readonly=True)
    amount_reminded = fields.Monetary(
        readonly=True, help="What the reminders asked for, in company currency."
    )
    amount_paid_7 = fields.Monetary(
        string="Paid within 7 Days",
        readonly=True,
        help="Paid on the reminded invoices within 7 days of the reminder "
        "(payments and credit notes), at most what was asked.",
    )
    amount_paid_14 = fields.Monetary(string="Paid within 14 Days", readonly=True)
    amount_paid_30 = fields.Monetary(string="Paid within 30 Days", readonly=True)
    paid_7_rate = fields.Float(
        string="Paid within 7 Days (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the reminded amount paid within 7 days.",
    )
    paid_14_rate = fields.Float(
        string="Paid within 14 Days (%)", readonly=True, aggregator="avg"
    )
    paid_30_rate = fields.Float(
        string="Paid within 30 Days (%)", readonly=True, aggregator="avg"
    )
    promise_state = fields.Selection(
        selection=PROMISE_STATES,
        readonly=True,
    )
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_broken_count = fields.Integer(string="Promises Broken", readonly=True)
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept among the promises kept or broken.",
    )

    @property
    def _table_query(self):
        return SQL(
            "WITH paid AS (%s) SELECT %s FROM %s WHERE %s",
            self._get_paid_query(),
            self._select(),
            self._from(),
            self._where(),
        )

    @api.model
    def _get_paid_query(self):
        """Per reminder, what was paid on its invoices in each window."""
        windows = SQL(", ").join(
            SQL(
                "SUM(partial.amount) FILTER (WHERE partial.max_date <= entry.date + %s)"
                " AS %s",
                days,
                SQL.identifier(f"paid_{days}"),
            )
            for days in PAID_WINDOWS
        )
        return SQL(
            """
            SELECT entry.id AS entry_id, %(windows)s
              FROM account_debtor_correspondence entry
              JOIN account_debtor_correspondence_move_rel rel
                ON rel.correspondence_id = entry.id
              JOIN account_move_line item ON item.move_id = rel.move_id
              JOIN account_account account
                ON account.id = item.account_id
               AND account.account_type = 'asset_receivable'
              JOIN account_partial_reconcile partial
                ON partial.debit_move_id = item.id
              JOIN account_move_line payment ON payment.id = partial.credit_move_id
             WHERE entry.kind = 'reminder'
               AND entry.amount_reminded > 0
               -- from the reminder's day on, and recorded after it: what was
               -- matched before it left was not asked for
               AND partial.max_date >= entry.date
               AND partial.max_date <= entry.date + %(longest)s
               AND partial.create_date >= entry.create_date
               -- an exchange difference is no payment
               AND NOT EXISTS (
                   SELECT 1 FROM account_partial_reconcile exchange
                    WHERE exchange.exchange_move_id = payment.move_id
               )
          GROUP BY entry.id
            """,
            windows=windows,
            longest=max(PAID_WINDOWS),
        )

    @api.model
    def _select(self):
        is_reminder = SQL("entry.kind = 'reminder'")
        paid = {
            days: SQL(
                "CASE WHEN %s THEN LEAST(COALESCE(paid.%s, 0), entry.amount_reminded)"
                " ELSE 0 END",
                is_reminder,
                SQL.identifier(f"paid_{days}"),
            )
            for days in PAID_WINDOWS
        }
        return SQL(
            """
            entry.id,
            entry.id AS entry_id,
            CASE WHEN %(is_reminder)s THEN 'reminder' ELSE 'promise' END AS kind,
            entry.date,
            entry.partner_id,
            entry.company_id,
            company.currency_id,
            entry.user_id,
            COALESCE(
                (partner.debtor_collector_id ->> entry.company_id::text)::integer,
                partner.user_id
            ) AS collector_id,
            entry.template_id,
            entry.level_id,
            CASE WHEN %(is_reminder)s THEN 1 ELSE 0 END AS reminder_count,
            CASE WHEN %(is_reminder)s THEN COALESCE(entry.amount_reminded, 0)
                 ELSE 0 END AS amount_reminded,
            %(paid_7)s AS amount_paid_7,
            %(paid_14)s AS amount_paid_14,
            %(paid_30)s AS amount_paid_30,
            %(rate_7)s AS paid_7_rate,
            %(rate_14)s AS paid_14_rate,
            %(rate_30)s AS paid_30_rate,
            entry.promise_state,
            CASE WHEN entry.promise_state = 'kept' THEN 1 ELSE 0 END
                AS promise_kept_count,
            CASE WHEN entry.promise_state = 'broken' THEN 1 ELSE 0 END
                AS promise_broken_count,
            CASE WHEN entry.promise_state = 'kept' THEN 100.0
                 WHEN entry.promise_state = 'broken' THEN 0.0 END
                AS promise_kept_rate
            """,
            is_reminder=is_reminder,
            paid_7=paid[7],
            paid_14=paid[14],
            paid_30=paid[30],
            **{
                f"rate_{days}": SQL(
                    "CASE WHEN %s AND entry.amount_reminded > 0"
                    " THEN 100.0 * %s / entry.amount_reminded END",
                    is_reminder,
                    paid[days],
                )
                for days in PAID_WINDOWS
            },
        )

    @api.model
    def _from(self):
        return SQL(
            """
            account_debtor_correspondence entry
            JOIN res_company company ON company.id = entry.company_id
            JOIN res_partner partner ON partner.id = entry.partner_id
            LEFT JOIN paid ON paid.entry_id = entry.id
            """
        )

    @api.model
    def _where(self):
        # a reminder that bounced or failed reminded no one
        return SQL(
            """
            (entry.kind = 'reminder'
             AND entry.delivery_state IS DISTINCT FROM 'bounced'
             AND entry.delivery_state IS DISTINCT FROM 'failed')
            OR (entry.kind != 'reminder' AND entry.promise_date IS NOT NULL)
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        """A share of a group is the ratio of its sums (what was paid over
        what was asked), not the average of its rows' shares."""
        fname, __, __ = aggregate_spec.partition(":")
        if fname not in SHARES:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominators = SHARES[fname]
        total = SQL(
            "(%s)",
            SQL(" + ").join(
                SQL("SUM(%s)", self._field_to_sql(self._table, name, query))
                for name in denominators
            ),
        )
        return SQL(
            "CASE WHEN %(total)s > 0 THEN 100.0 * SUM(%(numerator)s) / %(total)s END",
            total=total,
            numerator=self._field_to_sql(self._table, numerator, query),
        )
