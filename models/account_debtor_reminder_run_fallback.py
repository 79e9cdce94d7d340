from odoo import api, models


class AccountDebtorReminderRun(models.Model):
    """What the log says of a reminder that went another way than its level's:
    past an address that bounced, or by the level's fallback channel (see
    ``account.debtor.reminder.check._get_reminder_channel``)."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor.reminder.run"

    @api.model
    def _prepare_line_level_vals(self, line, check):
        values = super()._prepare_line_level_vals(line, check)
        # the note of the channel at sending time (an address may have
        # bounced since the preview)
        note = check.get("message") or False
        if note != (line.message or False):
            values["message"] = note
        return values

    def _prepare_reminder_entry_vals(self, partner, line, document):
        values = super()._prepare_reminder_entry_vals(partner, line, document)
        if line.message and line.level_id and line.channel != line.level_id.channel:
            # why this channel: the log keeps the preview's note
            values["note"] = line.message
        return values

    def _send_batch(self, lines, deadline=None):
        result = super()._send_batch(lines, deadline=deadline)
        self._note_bounced_addresses(lines)
        return result

    def _note_bounced_addresses(self, lines):
        """The e-mail reminders that went past addresses that bounced say so
        in the log and on their line."""
        emailed = lines.filtered(
            lambda line: (
                line.state == "sent"
                and line.channel == "email"
                and line.correspondence_id
            )
        )
        if not emailed:
            return
        env = self._get_sending_env()
        user_env = self.with_context(lang=self.user_id.lang).env
        bounced = emailed.partner_id.with_env(env)._get_debtor_bounced_contacts()
        for line in emailed:
            contacts = bounced.filtered(
                lambda contact, line=line: (
                    contact.commercial_partner_id == line.partner_id
                )
            )
            if not contacts:
                continue
            note = user_env._(
                "Not to %(emails)s, which bounced: to the next address.",
                emails=", ".join(contacts.mapped("email")),
            )
            line.correspondence_id.with_env(env).with_context(
                tracking_disable=True
            ).note = note
            line.message = f"{line.message} {note}" if line.message else note
