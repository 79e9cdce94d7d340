from odoo import api, fields, models


class AccountDebtorRemindLine(models.TransientModel):
    """One debtor of the reminder wizard's preview: what will be sent to it,
    or why it is skipped. What happened is kept on the run's lines."""

    _name = "account.debtor.remind.line"
    _inherit = ["account.debtor.reminder.line.mixin"]
    _description = "Payment Reminder Line"
    _order = "state desc, amount_overdue desc, id"

    remind_id = fields.Many2one(
        "account.debtor.remind", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="remind_id.company_id", store=True)
    amount_credit = fields.Monetary(string="Credits")
    amount_disputed = fields.Monetary(string="In Dispute")
    amount_unmatched = fields.Monetary(
        string="In the Bank",
        help="Paid into the bank and not matched to its invoices yet.",
    )
    state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("skipped", "Skipped"),
        ],
        required=True,
        default="to_send",
    )

    def action_preview(self):
        """Show the reminder this debtor would get: its level's text, in its
        language, at the wizard's date."""
        self.ensure_one()
        return self.get_preview_action(
            self.partner_id.id,
            self.level_id.id,
            fields.Date.to_string(self.remind_id.date),
        )

    @api.model
    def get_preview(self, partner_id, level_id, date):
        """What the reminder of ``level_id`` to ``partner_id`` at ``date``
        says: its subject and body, as the web client's eye button of the
        wizard shows them in a dialog on top of the wizard (the line may not
        be saved yet; closing the dialog goes back to the wizard)."""
        action = self.get_preview_action(partner_id, level_id, date)
        context = action["context"]
        preview = (
            self.env["mail.template.preview"]
            .with_context(**context)
            .new(
                {
                    "mail_template_id": context["default_mail_template_id"],
                    "resource_ref": context["default_resource_ref"],
                    "lang": context["default_lang"],
                }
            )
        )
        return {
            "title": action["name"],
            "subject": preview.subject or "",
            "email_to": ", ".join(preview.partner_ids.mapped("email_formatted"))
            or preview.email_to
            or "",
            "body_html": preview.body_html or "",
            "error": preview.error_msg or "",
        }

    @api.model
    def get_preview_action(self, partner_id, level_id, date):
        """The preview of the reminder of ``level_id`` to ``partner_id`` at
        ``date`` (Odoo's template preview)."""
        partner = self.env["res.partner"].browse(partner_id)
        level = self.env["account.debtor.reminder.level"].browse(level_id)
        template = level._get_template()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview: %(level)s", level=level.name),
            "res_model": "mail.template.preview",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_mail_template_id": template.id,
                "default_resource_ref": f"res.partner,{partner.id}",
                "default_lang": partner.lang,
                "debtor_as_of_date": date,
                "debtor_reminder_level_id": level.id,
            },
        }
