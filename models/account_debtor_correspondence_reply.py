import lxml.html

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, html2plaintext, plaintext2html

from .account_debtor_correspondence import ACTIVITY_NOTE_LENGTH, shorten_note

# A reply's note keeps at most this much of the customer's text.
REPLY_NOTE_LENGTH = 4000


class AccountDebtorCorrespondence(models.Model):
    """The customer's answers to its reminders: an e-mail answering a reminder
    (Odoo routes it to the debtor by its In-Reply-To) becomes an entry of kind
    ``reply``, linked to the reminder it answers, with its sender, its text
    without the copy of the reminder, and its attachments. The collector gets
    an activity; the reply waits for an answer until it is marked done."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor.correspondence"

    reply_to_entry_id = fields.Many2one(
        "account.debtor.correspondence",
        string="Answers",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The reminder this reply answers.",
    )
    reply_ids = fields.One2many(
        "account.debtor.correspondence", "reply_to_entry_id", string="Replies"
    )
    reply_from = fields.Char(
        related="mail_message_id.email_from",
        string="From",
        readonly=True,
        help="The e-mail address the reply came from.",
    )
    reply_attachment_ids = fields.Many2many(
        related="mail_message_id.attachment_ids", string="Attachments", readonly=True
    )
    reply_state = fields.Selection(
        selection=[("open", "To Answer"), ("answered", "Answered")],
        readonly=True,
        index="btree_not_null",
        help="A reply is to answer until the collector marks its activity done.",
    )
    reply_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null"
    )

    @api.model
    def _get_system_fields(self):
        return super()._get_system_fields() | {
            "reply_to_entry_id",
            "reply_state",
            "reply_activity_id",
        }

    def _check_user_values(self, vals, creating):
        super()._check_user_values(vals, creating)
        if self.env.is_superuser() or creating:
            return
        locked = {"partner_id", "company_id", "date", "contact_id", "note", "move_ids"}
        if locked & vals.keys() and self.filtered(lambda e: e.kind == "reply"):
            raise AccessError(
                self.env._(
                    "A customer's reply is kept as it came: its customer, date, "
                    "sender, text and invoices cannot change."
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_reply(self):
        if not self.env.is_superuser() and any(e.kind == "reply" for e in self):
            raise UserError(
                self.env._("A customer's reply stays in the log: it cannot be deleted.")
            )

    @api.model
    def _create_reminder_replies(self, message):
        """Log ``message``, an e-mail posted on a debtor, as a reply when it
        answers one of the debtor's reminders (its parent is the reminder's
        message). Returns the reply entries (usually none)."""
        if not message.parent_id:
            return self.browse()
        reminders = self.search(
            [
                ("mail_message_id", "=", message.parent_id.id),
                ("kind", "=", "reminder"),
            ]
        )
        if not reminders:
            return self.browse()
        replies = self.with_context(tracking_disable=True).create(
            [reminder._prepare_reply_vals(message) for reminder in reminders]
        )
        replies._notify_reply()
        return replies

    def _prepare_reply_vals(self, message):
        """The reply entry of ``message`` answering this reminder."""
        self.ensure_one()
        author = message.author_id
        contact = (
            author
            if author and author.commercial_partner_id == self.partner_id
            else self.env["res.partner"]
        )
        return {
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "kind": "reply",
            "source": "email",
            "date": fields.Date.context_today(self),
            "user_id": self._get_follow_up_user().id,
            "contact_id": contact.id,
            "move_ids": [fields.Command.set(self.move_ids.ids)],
            "note": self._get_reply_text(message.body),
            "mail_message_id": message.id,
            "reply_to_entry_id": self.id,
            "reply_state": "open",
        }

    @api.model
    def _get_reply_text(self, body):
        """What the customer wrote, as text, shortened: without the copy of
        the reminder its mail client quoted. Odoo marks quotes when it
        sanitizes a message; when it marked all of it, only the quoted
        blocks (blockquote) are left out."""
        if not body:
            return ""
        for quotes in (
            "//*[@data-o-mail-quote or @data-o-mail-quote-node]",
            "//*[@data-o-mail-quote-node]",
        ):
            try:
                root = lxml.html.fromstring(str(body))
            except (ValueError, lxml.etree.ParserError):
                return shorten_note(html2plaintext(body), REPLY_NOTE_LENGTH)
            for quote in root.xpath(quotes):
                if quote.getparent() is not None:
                    quote.drop_tree()
            text = html2plaintext(lxml.html.tostring(root, encoding="unicode"))
            lines = [line for line in text.splitlines() if not line.startswith(">")]
            text = "\n".join(lines).strip()
            if text:
                return shorten_note(text, REPLY_NOTE_LENGTH)
        return shorten_note(html2plaintext(body), REPLY_NOTE_LENGTH)

    def _notify_reply(self):
        """An activity on the debtor for its collector, in the collector's
        language: the customer answered a reminder."""
        for entry in self:
            user = entry.user_id
            collector_env = self.with_context(lang=user.lang or self.env.lang).env
            sender = entry.contact_id.name or entry.reply_from or ""
            # sudo: see _sync_next_action_activity; the activity mirrors the
            # reply the mail gateway logged
            activity = entry.partner_id.sudo().activity_schedule(
                "account_debtor_collection.mail_activity_type_debtor_reply",
                user_id=user.id,
                summary=collector_env._(
                    "%(sender)s answered the reminder of %(date)s",
                    sender=sender,
                    date=format_date(collector_env, entry.reply_to_entry_id.date),
                ),
                note=plaintext2html(shorten_note(entry.note, ACTIVITY_NOTE_LENGTH)),
            )
            entry.sudo().reply_activity_id = activity

    def _mark_reply_answered(self):
        """The collector answered these replies (marked their activity
        done)."""
        # sudo: the user marked done an activity of the addon's reply, which
        # Odoo allowed; the state mirrors it
        self.sudo().filtered(lambda e: e.reply_state == "open").reply_state = "answered"
