from odoo import api, fields, models
from odoo.tools import SQL


class AccountDebtorReminderRunLine(models.Model):
    """One debtor of a reminder run: to send, then sent, skipped or failed,
    with the reason or the outcome."""

    _name = "account.debtor.reminder.run.line"
    _inherit = ["account.debtor.reminder.line.mixin"]
    _description = "Payment Reminder Run Line"
    _order = "run_id desc, state desc, amount_overdue desc, id"

    run_id = fields.Many2one(
        "account.debtor.reminder.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    state = fields.Selection(
        selection=[
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("skipped", "Skipped"),
            ("failed", "Failed"),
        ],
        required=True,
        default="to_send",
        index=True,
    )
    correspondence_id = fields.Many2one(
        "account.debtor.correspondence", string="Reminder", readonly=True
    )
    delivery_state = fields.Selection(related="correspondence_id.delivery_state")

    @api.model
    def _lock_lines_to_send(self, limit):
        """Up to ``limit`` lines still to send, of the oldest run first,
        locked for this transaction; lines another worker holds are skipped,
        so that two workers on one run share it."""
        self.flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id
                  FROM account_debtor_reminder_run_line
                 WHERE state = 'to_send'
                   AND run_id = (
                        SELECT MIN(run_id)
                          FROM account_debtor_reminder_run_line
                         WHERE state = 'to_send'
                   )
              ORDER BY partner_id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())
