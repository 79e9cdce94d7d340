from odoo import models


class MailActivity(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # a reply's activity marked done: the reply was answered (read
        # before Odoo deletes the activities)
        # sudo: only which replies these activities belong to
        replies = (
            self.env["account.debtor.correspondence"]
            .sudo()
            .search([("reply_activity_id", "in", self.ids)])
        )
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        replies._mark_reply_answered()
        return result
