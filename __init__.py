from odoo.tools import SQL

from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop what the addon created outside of its own models: its activity
    types with their activities (Odoo would refuse to delete a type still in
    use, leaving the types and their xmlids behind), and its SQL indexes."""
    type_ids = (
        env["ir.model.data"]
        .sudo()
        .search(
            [
                ("module", "=", "account_debtor_collection"),
                ("model", "=", "mail.activity.type"),
            ]
        )
        .mapped("res_id")
    )
    types = env["mail.activity.type"].sudo().with_context(active_test=False)
    types = types.browse(type_ids).exists()
    activities = (
        env["mail.activity"]
        .sudo()
        .with_context(active_test=False)
        .search([("activity_type_id", "in", types.ids)])
    )
    activities.unlink()
    types.unlink()
    # the demo customers with invoices stay, as accounting keeps its entries:
    # they stop being the addon's records rather than leave xmlids behind
    env.cr.execute(
        SQL(
            """
            DELETE FROM ir_model_data data
             WHERE data.module = 'account_debtor_collection'
               AND data.model = 'res.partner'
               AND (EXISTS (SELECT 1 FROM account_move_line line
                             WHERE line.partner_id = data.res_id)
                    OR EXISTS (SELECT 1 FROM account_move move
                                WHERE move.partner_id = data.res_id))
            """
        )
    )
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_line_debtor_open_item_index"))
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_debtor_in_dispute_index"))
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_debtor_sale_index"))
