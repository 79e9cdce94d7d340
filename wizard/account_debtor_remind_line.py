from odoo import api, fields, models


class AccountDebtorRemindLine(models.TransientModel):
    """One debtor of the reminder wizard's preview: what will be sent to it,
    or why it is skipped. What happened is kept on the run's lines."""

    _name = "account.debtor.remind.line"
    _description = "Payment Reminder Line"
    _order = "state desc, amount_overdue desc, id"

    remind_id = fields.Many2one(
        "account.debtor.remind", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="remind_id.company_id", store=True)
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
    amount_credit = fields.Monetary(string="Credits")
    amount_disputed = fields.Monetary(string="In Dispute")
    amount_unmatched = fields.Monetary(
        string="In the Bank",
        help="Paid into the bank and not matched to its invoices yet.",
    )
    level_id = fields.Many2one(
        "account.debtor.reminder.level",
        help="The level of this debtor's reminder at the date.",
    )
    channel = fields.Selection(
        selection=[
            ("email", "E-mail"),
            ("letter", "Printed Letter"),
            ("call", "Phone Call"),
        ],
        help="The level's channel; a letter for a debtor without e-mail when "
        "the company chose so.",
    )
    state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("skipped", "Skipped"),
        ],
        required=True,
        default="to_send",
    )
    message = fields.Char(string="Details")

    def action_preview(self):
        """Show the reminder this debtor would get: its level's text, in its
        language, at the wizard's date."""
        self.ensure_one()
        template = self.level_id._get_template()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview: %(level)s", level=self.level_id.name),
            "res_model": "mail.template.preview",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_mail_template_id": template.id,
                "default_resource_ref": f"res.partner,{self.partner_id.id}",
                "default_lang": self.partner_id.lang,
                "debtor_as_of_date": fields.Date.to_string(self.remind_id.date),
                "debtor_reminder_level_id": self.level_id.id,
            },
        }

    @api.model
    def _get_lang_selection(self):
        return self.env["res.lang"].get_installed()
