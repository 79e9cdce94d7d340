from odoo import Command, api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    debtor_workspace_panel_hidden = fields.Boolean(
        string="Hide the Debtor Panel",
        help="Show the unpaid invoice totals full width, without the panel of "
        "the selected debtor's invoices and correspondence.",
    )
    # Odoo Community hides the read-only accounting group from the user form
    # (account's get_application_groups): this is the switch for it.
    debtor_auditor = fields.Boolean(
        string="Accounting Auditor (read-only)",
        compute="_compute_debtor_auditor",
        inverse="_inverse_debtor_auditor",
        groups="base.group_erp_manager",
        help="Sees the accounting and the debtor collection (overview, "
        "correspondence, runs, reports) without changing anything: the group "
        "Show Accounting Features - Readonly. Leave Invoicing empty.",
    )

    @api.depends("groups_id")
    def _compute_debtor_auditor(self):
        group = self.env.ref("account.group_account_readonly")
        for user in self:
            user.debtor_auditor = group in user.groups_id

    def _inverse_debtor_auditor(self):
        group = self.env.ref("account.group_account_readonly")
        for user in self:
            command = Command.link if user.debtor_auditor else Command.unlink
            user.groups_id = [command(group.id)]

    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "debtor_workspace_panel_hidden"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "debtor_workspace_panel_hidden"]
