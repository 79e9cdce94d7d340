from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.sms.tests.common import SMSCase
from odoo.addons.snailmail.models import snailmail_letter

from .common import DebtorCollectionCommon, workspace_panel


class ChannelCommon(DebtorCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_interval = 0
        cls.company.debtor_reminder_attach_statement = False
        cls.level = cls.env["account.debtor.reminder.level"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.level.attach_statement = False
        cls.latvia = cls.env.ref("base.lv")
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 1234.5, "2026-05-01")
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 1000.0, "2026-05-01")

    def _wizard(self, partners, date="2026-06-15"):
        return self.env["account.debtor.remind"].create(
            {"date": date, "partner_ids": [Command.set(partners.ids)]}
        )

    def _send_to(self, partners):
        return self._send(self._wizard(partners))

    def _entries(self, partner, kind="reminder"):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", kind)]
        )


@tagged("post_install", "-at_install")
class TestReminderSms(ChannelCommon, SMSCase):
    """Reminders by SMS through Odoo's sms module, with its IAP mock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level.write({"channel": "sms"})
        cls.debtor_lv.mobile = "+37120000001"
        # the first invoice contact with a mobile gets it, not the customer
        cls.env["res.partner"].create(
            {
                "name": "No Mobile",
                "parent_id": cls.debtor_en.id,
                "type": "invoice",
                "email": "nomobile@northwind.example",
            }
        )
        cls.en_contact = cls.env["res.partner"].create(
            {
                "name": "Jane Payables",
                "parent_id": cls.debtor_en.id,
                "type": "invoice",
                "mobile": "+447700900123",
            }
        )
        cls.debtor_en.mobile = "+447700900999"

    def test_sms_level_queues_an_sms_with_the_amount(self):
        self.level.sms_text = "{company}: {amount} overdue. Pay: {url}"
        self.level.with_context(
            lang="lv_LV"
        ).sms_text = "{company}: nokavēti {amount}. Maksājiet: {url}"
        with self.mockSMSGateway():
            run = self._send_to(self.debtor_lv | self.debtor_en)
        self.assertEqual(run.sent_count, 2)
        lv_amount = format_amount(
            self.env(context={"lang": "lv_LV"}), 1234.5, self.company.currency_id
        )
        url = self.debtor_lv._get_debtor_portal_url(self.company)
        sms_lv = self._find_sms_sms(self.debtor_lv, "+37120000001", "outgoing")
        self.assertEqual(
            sms_lv.body, f"{self.company.name}: nokavēti {lv_amount}. Maksājiet: {url}"
        )
        # in English, to the invoice contact's mobile
        sms_en = self._find_sms_sms(self.en_contact, "+447700900123", "outgoing")
        en_amount = format_amount(self.env, 1000.0, self.company.currency_id)
        en_url = self.debtor_en._get_debtor_portal_url(self.company)
        self.assertEqual(
            sms_en.body, f"{self.company.name}: {en_amount} overdue. Pay: {en_url}"
        )
        entry = self._entries(self.debtor_lv)
        self.assertEqual(entry.channel, "sms")
        self.assertEqual(entry.level_id, self.level)
        self.assertEqual(entry.mail_message_id, sms_lv.mail_message_id)
        self.assertEqual(entry.amount_reminded, 1234.5)
        self.assertEqual(entry.delivery_state, "queued")
        lines = {line.partner_id: line for line in run.line_ids}
        self.assertIn("SMS to +37120000001", lines[self.debtor_lv].message)
        self.assertEqual(
            lines[self.debtor_en].recipients, "Jane Payables <+447700900123>"
        )
        # Odoo's SMS queue sends them: the operator has it
        with self.mockSMSGateway():
            self.env["sms.sms"].sudo().search(
                [("id", "in", (sms_lv | sms_en).ids)]
            )._send()
        self.assertSMSIapSent(["+37120000001"], content="nokavēti")
        self.assertEqual(entry.delivery_state, "sent")
        # one reminder a day, SMS or not
        wizard = self._wizard(self.debtor_lv)
        self.assertEqual(wizard.line_ids.state, "skipped")

    def test_sms_error_makes_the_reminder_failed(self):
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            self._send_to(self.debtor_lv)
            self.env["sms.sms"].sudo().search(
                [("partner_id", "=", self.debtor_lv.id)]
            )._send()
        entry = self._entries(self.debtor_lv)
        self.assertEqual(entry.delivery_state, "failed")
        self.assertTrue(entry.delivery_error)
        self.env.cr.precommit.run()
        self.assertIn("mobile number", str(entry.delivery_activity_id.note))
        # the standard text, without a text on the level
        body = self._new_sms.body
        self.assertIn(self.debtor_lv._get_debtor_portal_url(self.company), body)
        lv_env = self.env(context={"lang": "lv_LV"})
        self.assertIn(format_amount(lv_env, 1234.5, self.company.currency_id), body)

    def test_no_mobile_skipped_or_fallback_channel(self):
        self.debtor_lv.mobile = False
        wizard = self._wizard(self.debtor_lv)
        self.assertEqual(wizard.line_ids.state, "skipped")
        self.assertIn("No mobile number", wizard.line_ids.message)
        self.level.fallback_channel = "letter"
        wizard = self._wizard(self.debtor_lv)
        self.assertEqual(wizard.line_ids.state, "to_send")
        self.assertEqual(wizard.line_ids.channel, "letter")
        with self.mockSMSGateway():
            run = self._send(wizard)
        self.assertFalse(self._new_sms)
        self.assertEqual(run.line_ids.channel, "letter")
        entry = self._entries(self.debtor_lv)
        self.assertEqual(entry.channel, "letter")
        self.assertEqual(entry.note, "No mobile number: Printed Letter instead.")

    def test_level_checks_its_sms_text(self):
        with self.assertRaises(ValidationError):
            self.level.sms_text = "Pay {amont} now"
        with self.assertRaises(ValidationError):
            self.level.fallback_channel = "sms"


@tagged("post_install", "-at_install")
class TestReminderPost(ChannelCommon):
    """Reminders by post through Odoo's snailmail, its IAP call mocked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level.channel = "post"
        cls.debtor_lv.write(
            {
                "street": "Koku iela 7",
                "zip": "LV-1050",
                "city": "Rīga",
                "country_id": cls.latvia.id,
            }
        )

    def _letters(self, partner):
        return self.env["snailmail.letter"].search([("partner_id", "=", partner.id)])

    def _print(self, letter, response):
        def iap_jsonrpc(url, params=None, timeout=None):
            return {
                "request_code": 200,
                "request": {
                    "documents": [
                        dict(response, letter_id=doc["letter_id"])
                        for doc in params["documents"]
                    ]
                },
            }

        with patch.object(snailmail_letter.iap_tools, "iap_jsonrpc", iap_jsonrpc):
            letter._snailmail_print_valid_address()

    def test_post_level_creates_a_snailmail_letter(self):
        run = self._send_to(self.debtor_lv)
        self.assertEqual(run.sent_count, 1)
        self.assertEqual(run.line_ids.recipients, "Koku iela 7, LV-1050 Rīga, Latvia")
        letter = self._letters(self.debtor_lv)
        self.assertEqual(len(letter), 1)
        self.assertEqual(letter.state, "pending")
        self.assertEqual(letter.street, "Koku iela 7")
        self.assertEqual(
            letter.report_template,
            self.env.ref(
                "account_debtor_collection.action_report_debtor_reminder_letter"
            ),
        )
        # the letter of Printed Letter, in the customer's language
        document = letter.attachment_id.raw.decode()
        self.assertIn("o_debtor_letter_window", document)
        self.assertIn(self.invoice_lv.name, document)
        entry = self._entries(self.debtor_lv)
        self.assertEqual(entry.channel, "post")
        self.assertEqual(entry.post_letter_id, letter)
        self.assertEqual(entry.delivery_state, "queued")
        self.assertEqual(run.letter_count, 0, "nothing to print by hand")
        self._print(letter, {"sent": True, "send_id": "T-1"})
        self.assertEqual(letter.state, "sent")
        self.assertEqual(entry.delivery_state, "sent")

    def test_post_error_says_why(self):
        self._send_to(self.debtor_lv)
        letter = self._letters(self.debtor_lv)
        self._print(letter, {"sent": False, "error": "CREDIT_ERROR"})
        entry = self._entries(self.debtor_lv)
        self.assertEqual(entry.delivery_state, "failed")
        self.assertIn("No credit left", entry.delivery_error)
        # the collector reads why, and what to check (told at the commit)
        self.env.cr.precommit.run()
        note = str(entry.delivery_activity_id.note)
        self.assertIn("No credit left", note)
        self.assertIn("postal address", note)

    def test_incomplete_address_skipped_before_sending(self):
        self.debtor_en.write({"street": "1 Harbour Road", "city": "Leeds"})
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.line_ids.state, "skipped")
        self.assertIn("Incomplete postal address", run.line_ids.message)
        self.assertFalse(self._letters(self.debtor_en))
        self.assertFalse(self._entries(self.debtor_en))


@tagged("post_install", "-at_install")
class TestBounceFallback(ChannelCommon):
    """A bounced reminder e-mail goes to the next address at the next run,
    then by the level's fallback channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "parent_id": cls.debtor_en.id,
                "type": "invoice",
                "email": "invoices@northwind.example",
            }
        )

    def _bounce(self, entry, partner):
        """What Odoo's gateway does with a bounce of ``entry``'s e-mail to
        ``partner``."""
        message = entry.mail_message_id
        self.env["mail.thread"]._routing_handle_bounce(
            False,
            {
                "bounced_email": partner.email_normalized,
                "bounced_partner": partner,
                "bounced_msg_ids": [message.message_id],
                "bounced_message": message,
                "email_from": "MAILER-DAEMON@northwind.example",
                "to": "bounce@company.example",
                "message_id": "<bounce@northwind.example>",
                "body": "550 5.1.1 No such user",
            },
        )

    def test_bounce_moves_to_next_address_then_to_a_letter(self):
        self.level.write({"fallback_channel": "letter"})
        run = self._send_to(self.debtor_en)
        first = self._entries(self.debtor_en)
        self.assertEqual(first.recipient_ids, self.contact)
        self._bounce(first, self.contact)
        self.assertEqual(first.delivery_state, "bounced")
        # the next run: the customer's own address
        wizard = self._wizard(self.debtor_en)
        self.assertEqual(wizard.line_ids.state, "to_send")
        self.assertEqual(wizard.line_ids.recipients, self.debtor_en.email_formatted)
        self.assertIn("invoices@northwind.example", wizard.line_ids.message)
        run = self._send(wizard)
        second = self._entries(self.debtor_en) - first
        self.assertEqual(second.channel, "email")
        self.assertEqual(second.recipient_ids, self.debtor_en)
        self.assertIn("invoices@northwind.example, which bounced", second.note)
        self.assertIn("which bounced", run.line_ids.message)
        self._bounce(second, self.debtor_en)
        # every address bounced: the level's fallback channel
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.line_ids.channel, "letter")
        self.assertEqual(run.line_ids.state, "sent")
        third = self._entries(self.debtor_en) - first - second
        self.assertEqual(third.channel, "letter")
        self.assertIn("Every e-mail address bounced", third.note)
        self.assertIn("ap@northwind.example", third.note)
        # a corrected address is tried again
        self.contact.email = "payables@northwind.example"
        wizard = self._wizard(self.debtor_en)
        self.assertEqual(wizard.line_ids.channel, "email")
        self.assertEqual(wizard.line_ids.recipients, self.contact.email_formatted)

    def test_every_address_bounced_without_fallback_is_skipped(self):
        self._send_to(self.debtor_en)
        self._bounce(self._entries(self.debtor_en), self.contact)
        self._send_to(self.debtor_en)
        self._bounce(
            self._entries(self.debtor_en).filtered(
                lambda e: e.recipient_ids == self.debtor_en
            ),
            self.debtor_en,
        )
        wizard = self._wizard(self.debtor_en)
        self.assertEqual(wizard.line_ids.state, "skipped")
        self.assertIn("Every e-mail address bounced", wizard.line_ids.message)


REPLY_EMAIL = """From: Jane Payables <jane@northwind.example>
To: {to}
Subject: Re: Payment reminder
Message-ID: <reply-1@northwind.example>
In-Reply-To: {parent}
References: {parent}
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

--XX
Content-Type: text/html; charset="utf-8"

<div>We pay invoice {invoice} on Friday, see the payment order.</div>
<div class="gmail_extra"><div>On Mon, you wrote:</div>
<blockquote>Dear customer, your invoices are overdue: 1,000.00</blockquote></div>

--XX
Content-Type: application/pdf; name="payment-order.pdf"
Content-Disposition: attachment; filename="payment-order.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IK
--XX--
"""


@tagged("post_install", "-at_install")
class TestReminderReplies(ChannelCommon):
    """A customer's e-mail answering a reminder becomes a reply in the log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jane = cls.env["res.partner"].create(
            {
                "name": "Jane Payables",
                "parent_id": cls.debtor_en.id,
                "type": "invoice",
                "email": "jane@northwind.example",
            }
        )
        cls.collector = cls.env["res.users"].create(
            {
                "name": "Collector",
                "login": "reply_collector",
                "email": "collector@company.example",
                "groups_id": [
                    Command.set(
                        [
                            cls.env.ref("base.group_user").id,
                            cls.env.ref("account.group_account_invoice").id,
                        ]
                    )
                ],
            }
        )
        cls.debtor_en.with_company(cls.company).debtor_collector_id = cls.collector

    def _reply(self, reminder):
        message = reminder.mail_message_id
        raw = REPLY_EMAIL.format(
            to=message.reply_to or "catchall@company.example",
            parent=message.message_id,
            invoice=self.invoice_en.name,
        )
        return self.env["mail.thread"].message_process(None, raw)

    def test_answer_becomes_a_reply_with_an_activity(self):
        self._send_to(self.debtor_en)
        reminder = self._entries(self.debtor_en)
        self.assertEqual(reminder.recipient_ids, self.jane)
        thread_id = self._reply(reminder)
        self.assertEqual(thread_id, self.debtor_en.id, "routed to the customer")
        reply = self._entries(self.debtor_en, kind="reply")
        self.assertEqual(len(reply), 1)
        self.assertEqual(reply.reply_to_entry_id, reminder)
        self.assertEqual(reminder.reply_ids, reply)
        self.assertEqual(reply.source, "email")
        self.assertEqual(reply.contact_id, self.jane)
        self.assertIn("jane@northwind.example", reply.reply_from)
        self.assertEqual(reply.user_id, self.collector)
        self.assertEqual(reply.move_ids, self.invoice_en)
        self.assertIn(
            f"We pay invoice {self.invoice_en.name} on Friday",
            reply.note,
            reply.mail_message_id.body,
        )
        self.assertNotIn("your invoices are overdue", reply.note, "the copy left out")
        self.assertEqual(
            reply.reply_attachment_ids.mapped("name"), ["payment-order.pdf"]
        )
        self.assertFalse(reply.delivery_state, "a reply is not delivered")
        self.assertEqual(reply.reply_state, "open")
        activity = reply.reply_activity_id
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("account_debtor_collection.mail_activity_type_debtor_reply"),
        )
        self.assertIn("Jane Payables answered the reminder", activity.summary)
        self.assertIn("on Friday", str(activity.note))
        # My Worklist lists the customer until the reply is answered
        Debtor = self.env["account.debtor"].with_user(self.collector)
        worklist = Debtor.search(
            [("reply_pending", "=", True), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(worklist.partner_id, self.debtor_en)
        self.assertTrue(self._debtor(self.debtor_en).reply_pending)
        self.assertFalse(self._debtor(self.debtor_lv).reply_pending)
        # the workspace's timeline
        panel = workspace_panel(self._debtor(self.debtor_en))
        shown = next(e for e in panel["entries"] if e["kind"] == "reply")
        self.assertEqual(shown["user_name"], "Jane Payables")
        self.assertEqual(shown["attachments"][0]["name"], "payment-order.pdf")
        self.assertEqual(shown["reply_state"], "open")
        # kept as it came
        with self.assertRaises(AccessError):
            reply.with_user(self.collector).note = "Something else"
        with self.assertRaises(UserError):
            reply.with_user(self.collector).unlink()
        activity.with_user(self.collector).action_feedback(feedback="Called back")
        self.assertEqual(reply.reply_state, "answered")
        self.assertFalse(Debtor.search([("reply_pending", "=", True)]))

    def test_other_emails_are_no_replies(self):
        self._send_to(self.debtor_en)
        # an e-mail posted on the customer answering nothing of the addon
        self.debtor_en.message_post(
            body="Hello", message_type="email", author_id=self.jane.id
        )
        self.assertFalse(self._entries(self.debtor_en, kind="reply"))
