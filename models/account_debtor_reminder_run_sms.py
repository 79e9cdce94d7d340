from markupsafe import Markup

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .account_debtor_reminder_level import SMS_PLACEHOLDERS


class AccountDebtorReminderRun(models.Model):
    """Reminders by SMS, through Odoo's ``sms`` module: the level's short
    text with the amount to pay now and the collection page's address, to the
    mobile of the debtor's first invoice contact that has one, else its own.
    Logged as the other offline reminders are (``_log_offline_reminders``);
    its delivery state follows the SMS's notification."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor.reminder.run"

    def _send_sms(self, lines, documents):
        """Queue an SMS per line (Odoo's SMS queue sends them) and log it as
        a reminder of its level."""
        if not lines:
            return
        user_env = self.with_context(lang=self.user_id.lang).env
        partners = lines.partner_id.with_env(self.env)
        numbers = partners._get_debtor_sms_recipients()

        def send(line, entry):
            partner = entry.partner_id
            contact, number = numbers.get(partner) or (partner.browse(), False)
            if not number:
                raise UserError(user_env._("The customer has no mobile number."))
            # what the reminder's document asks
            amount = entry.amount_reminded
            # as _message_sms posts, but the text kept as written: its
            # plaintext2html would turn the page's address into a link,
            # which the SMS then repeats as a footnote
            message = partner.message_post(
                body=Markup("<p>%s</p>")
                % self._get_sms_body(partner, line.level_id, amount),
                message_type="sms",
                subtype_id=self.env.ref("mail.mt_note").id,
                partner_ids=contact.ids,
                sms_pid_to_number={contact.id: number},
                author_id=self.author_id.id,
                # Odoo's SMS queue sends it, not this transaction
                put_in_queue=True,
            )
            entry.write(
                {
                    "mail_message_id": message.id,
                    "recipient_ids": [Command.set(contact.ids)],
                }
            )
            return user_env._(
                "SMS to %(number)s. Overdue invoices: %(count)s.",
                number=number,
                count=len(entry.move_ids),
            )

        self._log_offline_reminders(lines, documents, send)
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _get_sms_body(self, partner, level, amount):
        """The SMS of ``level`` to ``partner``, in its language: the level's
        text with {amount}, {company} and {url} filled in, or the standard
        text."""
        partner_env = self.with_context(lang=partner.lang or self.env.lang).env
        company = self.company_id
        values = dict(
            SMS_PLACEHOLDERS,
            amount=format_amount(partner_env, amount, company.currency_id),
            company=company.name,
            url=partner._get_debtor_portal_url(company),
        )
        text = level.with_env(partner_env).sms_text
        if text:
            return text.format_map(values)
        return partner_env._(
            "%(company)s: %(amount)s of your invoices is overdue. Please pay or "
            "tell us when you will: %(url)s",
            **values,
        )
