import base64

from odoo import models


class AccountDebtorReminderRun(models.Model):
    """Reminders by post, through Odoo's ``snailmail`` module: the letter of
    the Printed Letter channel (its report, in the debtor's language), handed
    to Odoo's postal service as a ``snailmail.letter`` for the debtor. A
    debtor without a complete postal address was skipped before (see
    ``account.debtor.reminder.check._get_skip_reason``). Logged as the other offline
    reminders are; its delivery state follows the letter's notification."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor.reminder.run"

    def _send_post(self, lines, documents):
        """Render each line's letter and queue it for Odoo's postal service
        (its scheduled action sends the letters)."""
        if not lines:
            return
        user_env = self.with_context(lang=self.user_id.lang).env
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_reminder_letter"
        )

        def send(line, entry):
            partner = entry.partner_id
            letter = self.env["snailmail.letter"].create(
                self._prepare_post_letter_vals(entry, partner, report)
            )
            entry.write({"mail_message_id": letter.message_id.id})
            return user_env._(
                "Letter handed to the postal service. Overdue invoices: %(count)s.",
                count=len(entry.move_ids),
            )

        self._log_offline_reminders(lines, documents, send)
        self.env.ref("snailmail.snailmail_print")._trigger()

    def _prepare_post_letter_vals(self, entry, partner, report):
        """The ``snailmail.letter`` of the reminder ``entry``: its letter as a
        PDF (kept with the reminder as printed), also on the debtor as the
        document that left."""
        pdf, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            report, entry.with_env(self.env).ids
        )
        partner_env = self.with_context(lang=partner.lang or self.env.lang).env
        attachment = self.env["ir.attachment"].create(
            {
                "name": partner_env._(
                    "Payment reminder %(debtor)s.pdf", debtor=partner.name
                ),
                "datas": base64.b64encode(pdf),
                "mimetype": "application/pdf",
                "res_model": partner._name,
                "res_id": partner.id,
            }
        )
        return {
            "partner_id": partner.id,
            "model": partner._name,
            "res_id": partner.id,
            "user_id": self.user_id.id,
            "company_id": self.company_id.id,
            "report_template": report.id,
            "attachment_id": attachment.id,
        }
