from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    debtor_workspace_panel_hidden = fields.Boolean(
        string="Hide the Debtor Panel",
        help="Show the unpaid invoice totals full width, without the panel of "
        "the selected debtor's invoices and correspondence.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "debtor_workspace_panel_hidden"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "debtor_workspace_panel_hidden"]
