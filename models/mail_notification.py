from odoo import models

PROBLEM_STATES = ("bounced", "failed")
# the notification statuses that give a reminder one of those states
PROBLEM_STATUSES = ("bounce", "exception", "canceled")


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        # the mail queue writes every notification it sends: only a bounce or
        # a failure asks for the reminders involved
        if vals.get("notification_status") not in PROBLEM_STATUSES:
            return super().write(vals)
        # sudo: the mail queue and the bounce handling write notifications of
        # any message; this only reads which reminders they belong to
        Entry = self.env["account.debtor.correspondence"].sudo()
        entries = Entry.search(
            [
                ("mail_message_id", "in", self.mail_message_id.ids),
                ("kind", "=", "reminder"),
            ]
        )
        before = {entry: entry.delivery_state for entry in entries}
        res = super().write(vals)
        if entries:
            entries.filtered(
                lambda e: (
                    e.delivery_state in PROBLEM_STATES
                    and before[e] not in PROBLEM_STATES
                )
            )._notify_delivery_problem()
        return res
