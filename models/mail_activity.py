from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # a reminder call marked done: log it as a note in the collection log
        # (read before Odoo deletes the activities)
        # sudo: only which reminders these activities are the calls of
        entries = (
            self.env["account.debtor.correspondence"]
            .sudo()
            .search([("call_activity_id", "in", self.ids)])
        )
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        entries._log_call_done(feedback)
        return result
