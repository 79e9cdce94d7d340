from odoo import api, fields, models
from odoo.tools import plaintext2html


class AccountDebtorCorrespondence(models.Model):
    """What became of a reminder sent by SMS or by post: the SMS and the
    letter of Odoo's services, and why it did not leave."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor.correspondence"

    post_letter_id = fields.Many2one(
        "snailmail.letter",
        string="Letter by Post",
        compute="_compute_post_letter_id",
        help="The letter handed to Odoo's postal service.",
    )
    delivery_error = fields.Char(
        compute="_compute_delivery_error",
        help="Why the reminder did not leave, as Odoo's SMS or postal service "
        "reported it.",
    )

    @api.depends("mail_message_id")
    def _compute_post_letter_id(self):
        letters = (
            self.env["snailmail.letter"]
            .sudo()
            .search([("message_id", "in", self.mail_message_id.ids)])
        )
        letter_of = {letter.message_id: letter for letter in letters}
        for entry in self:
            # sudo: the letter of a reminder the user may read
            entry.post_letter_id = letter_of.get(entry.mail_message_id, False)

    @api.depends("delivery_state", "mail_message_id")
    def _compute_delivery_error(self):
        for entry in self:
            entry.delivery_error = (
                entry._get_delivery_error()
                if entry.delivery_state in ("failed", "bounced")
                else False
            )

    def _notify_delivery_problem(self):
        new = self.filtered(
            lambda e: e.channel in ("sms", "post") and not e.delivery_activity_id
        )
        result = super()._notify_delivery_problem()
        # an SMS or a letter by post: the collector reads why, and what to
        # check (not the e-mail address)
        for entry in new.filtered("delivery_activity_id"):
            collector_env = self.with_context(
                lang=entry._get_follow_up_user().lang or self.env.lang
            ).env
            entry = entry.with_env(collector_env)
            advice = (
                collector_env._(
                    "Check the customer's mobile number, then send the reminder again."
                )
                if entry.channel == "sms"
                else collector_env._(
                    "Check the customer's postal address and the credits of "
                    "Odoo's postal service, then send the reminder again."
                )
            )
            reason = entry._get_delivery_error()
            # sudo: see _sync_next_action_activity; the note mirrors the
            # state Odoo's SMS or postal service reported
            entry.delivery_activity_id.sudo().note = plaintext2html(
                "\n".join(part for part in (reason, advice) if part)
            )
        return result

    def _get_delivery_error(self):
        """The reason of the problem, from the notification of the SMS or the
        letter (an e-mail's bounce tells it in its own text)."""
        self.ensure_one()
        letter = self.sudo().post_letter_id
        if letter:
            return self._get_post_error_message(letter.error_code)
        notifications = self.sudo().mail_message_id.notification_ids.filtered(
            lambda n: n.notification_status in ("bounce", "exception", "canceled")
        )
        labels = dict(
            notifications._fields["failure_type"]._description_selection(self.env)
        )
        return (
            ", ".join(
                labels.get(n.failure_type) or n.failure_reason or ""
                for n in notifications
                if n.failure_type or n.failure_reason
            )
            or False
        )

    @api.model
    def _get_post_error_message(self, error_code):
        """What a collector reads of an error of Odoo's postal service."""
        messages = {
            "MISSING_REQUIRED_FIELDS": self.env._(
                "The customer's postal address is incomplete."
            ),
            "CREDIT_ERROR": self.env._(
                "No credit left for Odoo's postal service: buy credits, then "
                "send the letter again."
            ),
            "TRIAL_ERROR": self.env._(
                "No account with Odoo's postal service (IAP) yet."
            ),
            "NO_PRICE_AVAILABLE": self.env._(
                "Odoo's postal service does not deliver to the customer's country."
            ),
            "FORMAT_ERROR": self.env._("The postal service could not read the letter."),
        }
        return messages.get(
            error_code, self.env._("Odoo's postal service could not send the letter.")
        )
