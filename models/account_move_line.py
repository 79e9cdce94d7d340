from odoo import api, models
from odoo.tools import SQL


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def init(self):
        res = super().init()
        # The debtor overview aggregates the open items from this index alone
        # (an index-only scan: it holds every column the overview's domains
        # read), so it reads the few lines still open, whatever the size of
        # the ledger. The index of versions before reconciled and
        # parent_state were included is replaced. Removed by the uninstall
        # hook.
        self.env.cr.execute(
            SQL("DROP INDEX IF EXISTS account_move_line_debtor_open_index")
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS account_move_line_debtor_open_item_index
                    ON account_move_line (account_id, partner_id)
                       INCLUDE (company_id, move_id, amount_residual,
                                date_maturity, date, reconciled, parent_state)
                 WHERE %s
                """,
                self._get_debtor_open_index_predicate(),
            )
        )
        return res

    @api.model
    def _get_debtor_open_index_predicate(self):
        """The predicate of the partial index; every open item (see
        ``account.debtor._get_open_item_domain``) satisfies it."""
        return SQL(
            "account_move_line.parent_state = 'posted'"
            " AND account_move_line.reconciled IS NOT TRUE"
            " AND account_move_line.amount_residual != 0"
        )
