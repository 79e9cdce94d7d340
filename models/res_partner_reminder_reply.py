from odoo import models


class ResPartner(models.Model):
    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "res.partner"

    def _message_post_after_hook(self, message, msg_values):
        # an e-mail answering a reminder (Odoo's gateway routed it here by
        # its In-Reply-To, the reminder's message its parent) goes to the log
        result = super()._message_post_after_hook(message, msg_values)
        if msg_values.get("message_type") == "email" and message.parent_id:
            # sudo: the gateway posts as superuser or as the sender; the
            # entry only mirrors the e-mail Odoo accepted on this debtor
            self.env["account.debtor.correspondence"].sudo()._create_reminder_replies(
                message
            )
        return result
