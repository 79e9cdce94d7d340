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
    def _lock_lines_to_send(self, limit, run=None, line_ids=None):
        """Up to ``limit`` lines still to send, in partner order, locked for
        this transaction: of ``run`` (by default the oldest run with lines to
        send), and among ``line_ids`` when given (a job's batch). Lines
        another transaction holds are skipped, so that two workers never send
        one line and never wait for each other."""
        self.flush_model(["state", "run_id"])
        if run is None:
            run_clause = SQL(
                """run_id = (
                        SELECT MIN(run_id)
                          FROM account_debtor_reminder_run_line
                         WHERE state = 'to_send'
                   )"""
            )
        else:
            run_clause = SQL("run_id = %s", run.id)
        if line_ids is not None:
            run_clause = SQL("%s AND id = ANY(%s)", run_clause, list(line_ids))
        self.env.cr.execute(
            SQL(
                """
                SELECT id
                  FROM account_debtor_reminder_run_line
                 WHERE state = 'to_send'
                   AND %s
              ORDER BY partner_id
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
                """,
                run_clause,
                limit,
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())
