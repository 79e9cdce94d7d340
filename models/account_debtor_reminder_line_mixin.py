from odoo import api, fields, models

from .account_debtor_reminder_level import REMINDER_CHANNELS


class AccountDebtorReminderLineMixin(models.AbstractModel):
    """What a reminder says of one debtor, as the wizard previews it and as a
    run keeps it: its recipients, language, level, channel and amounts."""

    _name = "account.debtor.reminder.line.mixin"
    _description = "Payment Reminder Debtor Line"

    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    # the addresses as text: a preview of thousands of debtors stays light
    recipients = fields.Char()
    lang = fields.Selection(selection="_get_lang_selection", string="Language")
    overdue_count = fields.Integer(string="Overdue Invoices")
    currency_id = fields.Many2one("res.currency")
    amount_overdue = fields.Monetary(
        string="Overdue",
        help="What the debtor has to pay now: late items less credits.",
    )
    level_id = fields.Many2one(
        "account.debtor.reminder.level",
        help="The level of this debtor's reminder at the date.",
    )
    channel = fields.Selection(
        selection=REMINDER_CHANNELS,
        help="The level's channel; a letter for a debtor without e-mail when "
        "the company chose so.",
    )
    message = fields.Char(string="Details")

    @api.model
    def _get_lang_selection(self):
        return self.env["res.lang"].get_installed()
