from odoo.tools import SQL

from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop what the addon created in SQL outside of the ORM."""
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_line_debtor_open_item_index"))
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_debtor_in_dispute_index"))
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_move_debtor_sale_index"))
