from odoo import models

PROBLEM_STATES = ("bounced", "failed")
# the notification statuses that give a reminder one of those states
PROBLEM_STATUSES = ("bounce", "exception", "canceled")
# precommit data: the messages whose notifications turned to a problem status
DELIVERY_CHECK_KEY = "account_debtor_collection.delivery_check"


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        res = super().write(vals)
        # only a bounce or a failure asks for the reminders involved; decided
        # when the transaction commits, on the state it commits: Odoo's mail
        # queue marks each notification failed just before sending (so that
        # a crash cannot send it twice), then sent
        if vals.get("notification_status") in PROBLEM_STATUSES:
            message_ids = self.env.cr.precommit.data.get(DELIVERY_CHECK_KEY)
            if message_ids is None:
                message_ids = self.env.cr.precommit.data[DELIVERY_CHECK_KEY] = set()
                self.env.cr.precommit.add(self._check_reminder_delivery)
            message_ids.update(self.mail_message_id.ids)
        return res

    def _check_reminder_delivery(self):
        """Tell the collectors of the reminders that did not arrive (see
        ``account.debtor.correspondence._notify_delivery_problem``)."""
        message_ids = self.env.cr.precommit.data.pop(DELIVERY_CHECK_KEY, set())
        # sudo: the mail queue and the bounce handling write notifications of
        # any message; this only reads which reminders they belong to
        entries = (
            self.env["account.debtor.correspondence"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", list(message_ids)),
                    ("kind", "=", "reminder"),
                ]
            )
        )
        entries.filtered(
            lambda entry: entry.delivery_state in PROBLEM_STATES
        )._notify_delivery_problem()
