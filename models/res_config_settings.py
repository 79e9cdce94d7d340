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
    debtor_letter_without_email = fields.Boolean(
        related="company_id.debtor_letter_without_email", readonly=False
    )
    debtor_interest_law = fields.Selection(
        related="company_id.debtor_interest_law", readonly=False
    )
    debtor_interest_reference_rate = fields.Float(
        related="company_id.debtor_interest_reference_rate", readonly=False
    )
    debtor_interest_margin = fields.Float(
        related="company_id.debtor_interest_margin", readonly=False
    )
    debtor_compensation_fee = fields.Monetary(
        related="company_id.debtor_compensation_fee",
        readonly=False,
        currency_field="currency_id",
    )
    debtor_charge_invoice = fields.Boolean(
        related="company_id.debtor_charge_invoice", readonly=False
    )
    debtor_interest_account_id = fields.Many2one(
        related="company_id.debtor_interest_account_id", readonly=False
    )
    debtor_fee_account_id = fields.Many2one(
        related="company_id.debtor_fee_account_id", readonly=False
    )
