from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    debtor_reminder_interval = fields.Integer(
        related="company_id.debtor_reminder_interval", readonly=False
    )
    debtor_reminder_attach_statement = fields.Boolean(
        related="company_id.debtor_reminder_attach_statement", readonly=False
    )
    debtor_reminder_auto = fields.Boolean(
        related="company_id.debtor_reminder_auto", readonly=False
    )
    debtor_reminder_min_amount = fields.Monetary(
        related="company_id.debtor_reminder_min_amount",
        readonly=False,
        currency_field="currency_id",
    )
    debtor_bank_stale_days = fields.Integer(
        related="company_id.debtor_bank_stale_days", readonly=False
    )
    debtor_portal_promise_days = fields.Integer(
        related="company_id.debtor_portal_promise_days", readonly=False
    )
