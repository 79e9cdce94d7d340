from odoo import api, fields, models
from odoo.tools import SQL

from ..models.account_debtor import DEBTOR_ID_COMPANY_BITS


class AccountDebtorDso(models.Model):
    """Days sales outstanding per customer (commercial partner) and company,
    by Odoo's own formula for a partner (``res.partner``'s
    ``days_sales_outstanding``): what the customer owes on its receivable
    items over what it was invoiced (sales invoices, credit notes and
    receipts, taxes included), times the days since its first invoice.

    For many customers at once, in one query; grouped (by company, by
    collector), the figure is the same formula applied to the group's sums
    and its first invoice (see ``_read_group_select``), so that a company's
    DSO is its own, not an average of its customers'.

    Context key honoured: ``debtor_as_of_date`` is *not* used; the days count
    to today in the user's time zone, as Odoo's does.
    """

    _name = "account.debtor.dso"
    _description = "Days Sales Outstanding"
    _auto = False
    _rec_name = "partner_id"
    _order = "days_sales_outstanding desc, id"
    _depends = {
        "account.move": [
            "amount_total_signed",
            "commercial_partner_id",
            "company_id",
            "invoice_date",
            "move_type",
            "state",
        ],
        "account.move.line": [
            "account_id",
            "amount_residual",
            "company_id",
            "parent_state",
            "partner_id",
            "reconciled",
        ],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "debtor_collector_id", "user_id"],
        "res.company": ["currency_id"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    collector_id = fields.Many2one("res.users", readonly=True)
    amount_receivable = fields.Monetary(
        string="Receivable",
        readonly=True,
        help="What the customer owes: its open receivable items.",
    )
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        readonly=True,
        help="Sales invoices less credit notes, taxes included, since the first.",
    )
    first_invoice_date = fields.Date(readonly=True)
    days_since_first_invoice = fields.Integer(readonly=True)
    days_sales_outstanding = fields.Float(
        string="DSO (Days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Receivable / invoiced x days since the first invoice; for a "
        "group, the same of its sums.",
    )

    def init(self):
        # what the invoiced totals read, without the wide rows of the moves:
        # an index-only scan instead of a scan of every entry
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS account_move_debtor_sale_index
                    ON account_move (commercial_partner_id, company_id)
                       INCLUDE (invoice_date, amount_total_signed)
                 WHERE state = 'posted' AND move_type IN %s
                """,
                self._get_sale_types(),
            )
        )

    @api.model
    def _get_sale_types(self):
        return tuple(self.env["account.move"].get_sale_types(include_receipts=True))

    @property
    def _table_query(self):
        return SQL(
            "WITH invoiced AS (%s), receivable AS (%s) SELECT %s FROM %s",
            self._get_invoiced_query(),
            self._get_receivable_query(),
            self._select(),
            self._from(),
        )

    @api.model
    def _get_today(self):
        return fields.Date.context_today(self)

    @api.model
    def _get_invoiced_query(self):
        return SQL(
            """
            SELECT move.commercial_partner_id AS partner_id,
                   move.company_id,
                   MIN(move.invoice_date) AS first_invoice_date,
                   SUM(move.amount_total_signed) AS amount_invoiced
              FROM account_move move
             -- Odoo's "not draft nor cancelled": posted; the predicate of
             -- account_move_debtor_sale_index
             WHERE move.state = 'posted'
               AND move.move_type IN %s
               AND move.commercial_partner_id IS NOT NULL
          GROUP BY move.commercial_partner_id, move.company_id
            """,
            self._get_sale_types(),
        )

    @api.model
    def _get_receivable_query(self):
        """``res.partner.credit``: the residual of the posted receivable
        items not reconciled; the same open items as the overview's."""
        open_items = self.env["account.move.line"]._where_calc(
            self.env["account.debtor"]._get_open_item_domain()
        )
        return SQL(
            """
            SELECT partner.commercial_partner_id AS partner_id,
                   account_move_line.company_id,
                   SUM(account_move_line.amount_residual) AS amount_receivable
              FROM %s
              JOIN res_partner partner ON partner.id = account_move_line.partner_id
             WHERE %s
               AND %s
          GROUP BY partner.commercial_partner_id, account_move_line.company_id
            """,
            open_items.from_clause,
            open_items.where_clause,
            self.env["account.move.line"]._get_debtor_open_index_predicate(),
        )

    @api.model
    def _select(self):
        days = SQL("(%s::date - invoiced.first_invoice_date)", self._get_today())
        receivable = SQL("COALESCE(receivable.amount_receivable, 0)")
        return SQL(
            """
            (partner.id::bigint << %(bits)s) + company.id AS id,
            partner.id AS partner_id,
            company.id AS company_id,
            company.currency_id,
            partner.user_id,
            COALESCE(
                (partner.debtor_collector_id ->> company.id::text)::integer,
                partner.user_id
            ) AS collector_id,
            %(receivable)s AS amount_receivable,
            COALESCE(invoiced.amount_invoiced, 0) AS amount_invoiced,
            invoiced.first_invoice_date,
            COALESCE(%(days)s, 0) AS days_since_first_invoice,
            CASE WHEN invoiced.amount_invoiced != 0
                 THEN %(receivable)s / invoiced.amount_invoiced * %(days)s
                 ELSE 0 END AS days_sales_outstanding
            """,
            bits=DEBTOR_ID_COMPANY_BITS,
            receivable=receivable,
            days=days,
        )

    @api.model
    def _from(self):
        return SQL(
            """
            invoiced
            FULL JOIN receivable
                   ON receivable.partner_id = invoiced.partner_id
                  AND receivable.company_id = invoiced.company_id
            JOIN res_partner partner
              ON partner.id = COALESCE(invoiced.partner_id, receivable.partner_id)
            JOIN res_company company
              ON company.id = COALESCE(invoiced.company_id, receivable.company_id)
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        """The DSO of a group: its receivable over its invoiced, times the
        days since its first invoice (Odoo's formula, for the group)."""
        if aggregate_spec.partition(":")[0] != "days_sales_outstanding":
            return super()._read_group_select(aggregate_spec, query)
        invoiced = SQL(
            "SUM(%s)", self._field_to_sql(self._table, "amount_invoiced", query)
        )
        return SQL(
            """CASE WHEN %(invoiced)s != 0
                    THEN SUM(%(receivable)s) / %(invoiced)s
                         * (%(today)s::date - MIN(%(first)s))
                    ELSE 0 END""",
            invoiced=invoiced,
            receivable=self._field_to_sql(self._table, "amount_receivable", query),
            today=self._get_today(),
            first=self._field_to_sql(self._table, "first_invoice_date", query),
        )
