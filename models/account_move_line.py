from odoo import api, models
from odoo.tools import SQL


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def init(self):
        res = super().init()
        # The debtor overview aggregates the open items from this index alone
        # (an index-only scan): it holds the few lines still open, whatever
        # the size of the ledger.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS account_move_line_debtor_open_index
                    ON account_move_line (account_id, partner_id)
                       INCLUDE (company_id, move_id, amount_residual,
                                date_maturity, date)
                 WHERE parent_state = 'posted'
                   AND reconciled IS NOT TRUE
                   AND amount_residual != 0
                """
            )
        )
        return res

    @api.model
    def _get_debtor_open_items_domain(self):
        """Domain of open receivable items: posted, on a receivable account,
        not reconciled, with something left to pay or to apply."""
        return [
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "!=", 0),
        ]
