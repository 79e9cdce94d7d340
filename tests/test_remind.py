from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import RUN_LOGGER, UNEXPECTED_FAILURE, DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestDebtorRemind(DebtorCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2026-01-01", 1.0)])
        cls.invoice_lv = cls._create_invoice(
            cls.debtor_lv,
            1234.5,
            "2026-05-01",
            invoice_date="2026-04-01",
            currency=cls.eur,
        )
        cls.invoice_lv_later = cls._create_invoice(
            cls.debtor_lv, 100.0, "2026-07-01", currency=cls.eur
        )
        cls.invoice_en = cls._create_invoice(
            cls.debtor_en,
            1234.5,
            "2026-06-10",
            invoice_date="2026-05-10",
            currency=cls.eur,
        )
        cls.invoice_en_paid = cls._create_invoice(
            cls.debtor_en, 999.0, "2026-05-01", currency=cls.eur
        )
        cls._pay(cls.invoice_en_paid)
        cls.lv_accounting = cls.env["res.partner"].create(
            {
                "name": "Koks grāmatvedība",
                "parent_id": cls.debtor_lv.id,
                "type": "invoice",
                "email": "gramatvediba@koks.example",
            }
        )

    def _wizard(self, partners=None, date="2026-06-15", **values):
        wizard = self.env["account.debtor.remind"].create({"date": date, **values})
        if partners is not None:
            wizard.partner_ids = [Command.set(partners.ids)]
        return wizard

    def _reminders(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "comment"),
            ]
        )

    def _line(self, wizard, partner):
        """The line of ``partner``: in the wizard's run once it was sent."""
        lines = (wizard.run_id or wizard).line_ids
        return lines.filtered(lambda line: line.partner_id == partner)

    # selection

    def test_select_overdue_at_several_dates(self):
        debtors = self.debtor_lv | self.debtor_en
        wizard = self._wizard(date="2026-04-15")
        wizard.action_select_overdue()
        self.assertFalse(wizard.partner_ids & debtors, "nothing is due yet")
        wizard.date = "2026-06-10"
        wizard.action_select_overdue()
        self.assertEqual(wizard.partner_ids & debtors, self.debtor_lv)
        wizard.date = "2026-06-11"
        wizard.action_select_overdue()
        self.assertEqual(wizard.partner_ids & debtors, debtors)
        line = self._line(wizard, self.debtor_lv)
        self.assertEqual(line.overdue_count, 1)
        self.assertEqual(line.amount_overdue, 1234.5)
        self.assertEqual(line.recipients, self.lv_accounting.email_formatted)
        self.assertEqual(line.lang, "lv_LV")
        self.assertEqual(line.state, "to_send")
        wizard.date = "2026-07-02"
        wizard.action_select_overdue()
        self.assertEqual(self._line(wizard, self.debtor_lv).overdue_count, 2)

    def test_changing_the_date_recomputes_the_selection(self):
        debtors = self.debtor_lv | self.debtor_en
        form = Form(self.env["account.debtor.remind"])
        form.date = "2026-06-10"
        form.select_all_overdue = True
        self.assertEqual(
            {p.id for p in form.partner_ids} & set(debtors.ids), {self.debtor_lv.id}
        )
        form.date = "2026-06-11"
        self.assertEqual(
            {p.id for p in form.partner_ids} & set(debtors.ids), set(debtors.ids)
        )
        wizard = form.save()
        self.assertEqual(self._line(wizard, self.debtor_en).state, "to_send")

    def test_select_overdue_leaves_out_excluded_debtor(self):
        self.debtor_lv.debtor_no_reminder = True
        wizard = self._wizard()
        wizard.action_select_overdue()
        self.assertNotIn(self.debtor_lv, wizard.partner_ids)
        # picked by hand, it is skipped with the reason
        wizard.partner_ids = [Command.set(self.debtor_lv.ids)]
        line = self._line(wizard, self.debtor_lv)
        self.assertEqual(line.state, "skipped")
        self.assertIn("excluded", line.message)

    def test_pending_promise_pauses_until_its_date(self):
        self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_lv.id,
                "promise_date": "2026-06-25",
                "note": "Will pay",
            }
        )
        wizard = self._wizard()
        wizard.action_select_overdue()
        self.assertNotIn(self.debtor_lv, wizard.partner_ids)
        wizard.date = "2026-06-26"
        wizard.action_select_overdue()
        self.assertIn(self.debtor_lv, wizard.partner_ids)

    # the e-mail

    def test_email_in_each_debtors_language(self):
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        self._send(wizard)
        self.assertEqual(wizard.run_id.sent_count, 2)
        message_lv = self._reminders(self.debtor_lv)
        message_en = self._reminders(self.debtor_en)
        self.assertEqual(len(message_lv), 1)
        self.assertEqual(len(message_en), 1)
        # recipients: the invoice contact, failing that the debtor itself
        self.assertEqual(message_lv.partner_ids, self.lv_accounting)
        self.assertEqual(message_en.partner_ids, self.debtor_en)
        # subject and amounts in the reader's language
        self.assertEqual(
            message_en.subject, "Payment reminder: overdue invoices of Northwind Ltd"
        )
        self.assertEqual(
            message_lv.subject, "Maksājuma atgādinājums: SIA Koks neapmaksātie rēķini"
        )
        self.assertIn("€1,234.50", message_en.body)
        self.assertIn("1&nbsp;234,50&nbsp;€", message_lv.body)
        self.assertIn("Dear Northwind Ltd", message_en.body)
        self.assertIn("Labdien", message_lv.body)
        self.assertIn("Rēķina datums", message_lv.body)
        self.assertIn("Invoice Date", message_en.body)
        # the invoices listed: overdue ones only, with a link to pay online
        self.assertIn(self.invoice_lv.name, message_lv.body)
        self.assertNotIn(self.invoice_lv_later.name, message_lv.body)
        self.assertIn(self.invoice_en.name, message_en.body)
        self.assertNotIn(self.invoice_en_paid.name, message_en.body)
        self.assertIn(self.invoice_lv.get_portal_url(), message_lv.body)
        # through the mail queue, never sent inside the request
        mails = self.env["mail.mail"].search(
            [("mail_message_id", "in", (message_lv | message_en).ids)]
        )
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"})
        mail_lv = mails.filtered(lambda m: m.mail_message_id == message_lv)
        self.assertEqual(mail_lv.recipient_ids, self.lv_accounting)

    def test_email_in_lithuanian_and_estonian(self):
        for code in ("lt_LT", "et_EE"):
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(
            ["account_debtor_collection"], ["lt_LT", "et_EE"], overwrite=True
        )
        debtor_lt = self._create_debtor("UAB Nemunas", "lt_LT", "ap@nemunas.example")
        debtor_et = self._create_debtor("OÜ Puit", "et_EE", "ap@puit.example")
        for debtor in debtor_lt | debtor_et:
            self._create_invoice(
                debtor,
                1234.5,
                "2026-05-01",
                invoice_date="2026-04-01",
                currency=self.eur,
            )
        self._send(self._wizard(debtor_lt | debtor_et))
        message_lt = self._reminders(debtor_lt)
        message_et = self._reminders(debtor_et)
        self.assertEqual(
            message_lt.subject,
            "Mokėjimo priminimas: pradelstos sąskaitos faktūros – UAB Nemunas",
        )
        self.assertEqual(
            message_et.subject, "Maksemeeldetuletus: tähtaja ületanud arved – OÜ Puit"
        )
        self.assertIn("Laba diena", message_lt.body)
        self.assertIn("Sąskaitos faktūros data", message_lt.body)
        self.assertIn("Tere", message_et.body)
        self.assertIn("Arve kuupäev", message_et.body)
        # each language's own formats, by Babel
        for message in (message_lt, message_et):
            self.assertIn("1&nbsp;234,50&nbsp;€", message.body)
        self.assertIn("2026-05-01", message_lt.body)
        self.assertIn("1. mai 2026", message_et.body)

    def test_archived_invoice_contact_not_a_recipient(self):
        self.lv_accounting.active = False
        wizard = self._wizard(self.debtor_lv)
        self.assertEqual(
            self._line(wizard, self.debtor_lv).recipients,
            self.debtor_lv.email_formatted,
        )
        self._send(wizard)
        self.assertEqual(self._reminders(self.debtor_lv).partner_ids, self.debtor_lv)

    def test_only_one_valid_address_is_a_recipient(self):
        """The stored normalized address is trusted only when the field holds
        just that address: a list of addresses or a broken one is not a
        recipient (its text is reported), a name with its address is."""
        contacts = self.env["res.partner"].create(
            [
                {"name": "Upper", "email": "Upper.Case@Example.com"},
                {"name": "Named", "email": "Named <named@example.com>"},
                {"name": "Two", "email": "one@example.com, two@example.com"},
                {"name": "Broken", "email": "not an address"},
            ]
        )
        self.assertEqual(
            [contact._get_debtor_valid_email() for contact in contacts],
            ["upper.case@example.com", "named@example.com", False, False],
        )
        self.lv_accounting.email = "one@example.com, two@example.com"
        wizard = self._wizard(self.debtor_lv)
        line = self._line(wizard, self.debtor_lv)
        self.assertEqual(line.state, "skipped")

    def test_draft_and_cancelled_invoices_not_listed(self):
        draft = self._create_invoice(self.debtor_lv, 77.0, "2026-05-01", post=False)
        cancelled = self._create_invoice(self.debtor_lv, 88.0, "2026-05-01")
        cancelled.button_draft()
        cancelled.button_cancel()
        self._send(self._wizard(self.debtor_lv))
        body = self._reminders(self.debtor_lv).body
        self.assertNotIn(f"/my/invoices/{draft.id}?", body)
        self.assertNotIn(f"/my/invoices/{cancelled.id}?", body)
        self.assertIn(f"/my/invoices/{self.invoice_lv.id}?", body)

    def test_other_company_invoice_not_listed(self):
        company_2 = self.setup_other_company()["company"]
        other = self._create_invoice(
            self.debtor_lv, 555.0, "2026-05-01", company=company_2
        )
        self._send(self._wizard(self.debtor_lv))
        body = self._reminders(self.debtor_lv).body
        self.assertIn(f"/my/invoices/{self.invoice_lv.id}?", body)
        self.assertNotIn(f"/my/invoices/{other.id}?", body)
        # its amount, as the e-mail would format it (not a port number)
        self.assertNotIn("555,00", body)

    def test_log_entry_and_dates_after_sending(self):
        wizard = self._wizard(self.debtor_lv)
        self._send(wizard)
        line = self._line(wizard, self.debtor_lv)
        self.assertEqual(line.state, "sent")
        entry = line.correspondence_id
        self.assertEqual(entry.kind, "reminder")
        self.assertEqual(entry.move_ids, self.invoice_lv)
        self.assertEqual(entry.mail_message_id, self._reminders(self.debtor_lv))
        self.assertEqual(entry.recipient_ids, self.lv_accounting)
        self.assertEqual(
            str(self._debtor(self.debtor_lv).last_reminder_date), "2026-06-15"
        )
        self.assertEqual(str(self.invoice_lv.debtor_last_reminder_date), "2026-06-15")
        self.assertFalse(self.invoice_lv_later.debtor_last_reminder_date)

    def test_never_twice(self):
        self._send(self._wizard(self.debtor_lv))
        # a second sending within the interval is skipped with the reason
        again = self._wizard(self.debtor_lv)
        self.assertEqual(self._line(again, self.debtor_lv).state, "skipped")
        self.assertIn("Already reminded", self._line(again, self.debtor_lv).message)
        self.assertFalse(again.send_count)
        # even forced, never twice the same day
        forced = self._wizard(self.debtor_lv, force=True)
        self.assertEqual(self._line(forced, self.debtor_lv).state, "skipped")
        self.assertEqual(
            self._line(forced, self.debtor_lv).message, "Already reminded today."
        )
        self._send(forced)
        self.assertEqual(len(self._reminders(self.debtor_lv)), 1)
        # a wizard clicked twice sends once
        with self.assertRaises(UserError):
            self._send(forced)
        # a week later, it may be reminded again
        with freeze_time("2026-06-22"):
            later = self._wizard(self.debtor_lv, date="2026-06-22")
            self.assertEqual(self._line(later, self.debtor_lv).state, "to_send")

    def test_concurrent_sending_is_refused_by_the_database(self):
        # another transaction logged today's reminder after this run checked
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        wizard.action_send()
        self.env["account.debtor.correspondence"].sudo().create(
            {"partner_id": self.debtor_lv.id, "kind": "reminder", "date": "2026-06-15"}
        )
        Check = type(self.env["account.debtor.reminder.check"])
        with (
            patch.object(Check, "_get_skip_reason", return_value=False),
            mute_logger("odoo.sql_db"),
        ):
            run = wizard.run_id.with_user(SUPERUSER_ID)
            run._send_batch(run.line_ids)
        self.assertEqual(
            self._line(wizard, self.debtor_lv).message, "Already reminded today."
        )
        self.assertEqual(self._line(wizard, self.debtor_en).state, "sent")
        self.assertFalse(self._reminders(self.debtor_lv))
        self.assertEqual(len(self._reminders(self.debtor_en)), 1)

    def test_debtor_without_email_skipped_others_sent(self):
        no_mail = self._create_debtor("Bez Pasta SIA", "lv_LV")
        self._create_invoice(no_mail, 50.0, "2026-05-01")
        archived = self._create_debtor("Old Customer", "en_US", "old@example.com")
        self._create_invoice(archived, 70.0, "2026-05-01")
        archived.active = False
        wizard = self._wizard(no_mail | archived | self.debtor_en)
        self._send(wizard)
        self.assertEqual(self._line(wizard, no_mail).state, "skipped")
        self.assertIn("No e-mail", self._line(wizard, no_mail).message)
        self.assertEqual(self._line(wizard, archived).state, "skipped")
        self.assertIn("archived", self._line(wizard, archived).message)
        self.assertEqual(self._line(wizard, self.debtor_en).state, "sent")
        self.assertFalse(self._reminders(no_mail))
        self.assertFalse(self._debtor(no_mail).last_reminder_date)

    def test_one_failing_debtor_does_not_stop_the_batch(self):
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        ResPartner = type(self.env["res.partner"])
        original = ResPartner._notify_get_recipients
        debtor_lv_id = self.debtor_lv.id

        def notify_get_recipients(partner, message, msg_vals, **kwargs):
            if partner.id == debtor_lv_id:
                raise ValueError("SMTP configuration broken")
            return original(partner, message, msg_vals, **kwargs)

        with (
            patch.object(ResPartner, "_notify_get_recipients", notify_get_recipients),
            self.assertLogs(RUN_LOGGER, "WARNING") as logs,
        ):
            self._send(wizard)
        self.assertEqual(self._line(wizard, self.debtor_lv).state, "failed")
        # not the raw error: what it means, the details in the server log
        self.assertEqual(self._line(wizard, self.debtor_lv).message, UNEXPECTED_FAILURE)
        self.assertIn("SMTP configuration broken", "\n".join(logs.output))
        self.assertEqual(self._line(wizard, self.debtor_en).state, "sent")
        # the failed debtor has no log entry: a retry may send it
        self.assertFalse(self._debtor(self.debtor_lv).last_reminder_date)
        retry = self._wizard(self.debtor_lv)
        self._send(retry)
        self.assertEqual(self._line(retry, self.debtor_lv).state, "sent")

    def test_reminder_template_evaluates_no_code(self):
        """Its expressions are all allowed ones: Odoo renders it without
        evaluating code (no QWeb compilation per debtor) and lets users who
        are not template editors change it."""
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )
        self.assertFalse(template._has_unsafe_expression())
        for lang in ("en_US", "lv_LV"):
            body = template.with_context(lang=lang).body_html
            self.assertFalse(
                template._has_unsafe_expression_template_qweb(body, "res.partner"),
                lang,
            )

    def test_html_escaped_and_subject_on_one_line(self):
        evil = self._create_debtor("<b>Evil</b> & Co\nLtd", "en_US", "evil@example.com")
        self._create_invoice(evil, 10.0, "2026-05-01")
        self._send(self._wizard(evil))
        message = self._reminders(evil)
        self.assertNotIn("<b>Evil</b>", message.body)
        self.assertIn("&lt;b&gt;Evil&lt;/b&gt; &amp; Co", message.body)
        self.assertNotIn("\n", message.subject)
        self.assertIn("<b>Evil</b> & Co Ltd", message.subject)

    def test_statement_attached_when_the_company_chooses(self):
        self.company.debtor_reminder_attach_statement = True
        self._send(self._wizard(self.debtor_lv))
        message = self._reminders(self.debtor_lv)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertIn("SIA Koks", message.attachment_ids.name)
        content = message.attachment_ids.raw.decode()
        self.assertIn(self.invoice_lv.name, content)
        self.assertIn(
            self.invoice_lv_later.name, content, "a statement lists all open items"
        )

    def test_open_from_debtor_list_and_partner_action(self):
        debtors = self.env["account.debtor"].search(
            [("partner_id", "in", (self.debtor_lv | self.debtor_en).ids)]
        )
        action = debtors.action_open_reminder()
        wizard = self.env["account.debtor.remind"].browse(action["res_id"])
        self.assertEqual(wizard.partner_ids, self.debtor_lv | self.debtor_en)
        action = self.lv_accounting.action_debtor_remind()
        wizard = self.env["account.debtor.remind"].browse(action["res_id"])
        self.assertEqual(wizard.partner_ids, self.debtor_lv)

    def test_one_company_at_a_time(self):
        company_2 = self.setup_other_company()["company"]
        self._create_invoice(self.debtor_lv, 10.0, "2026-05-01", company=company_2)
        debtors = (
            self.env["account.debtor"]
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
            .search([("partner_id", "=", self.debtor_lv.id)])
        )
        self.assertEqual(len(debtors), 2)
        with self.assertRaisesRegex(UserError, "one company at a time"):
            debtors.action_open_reminder()

    def test_portal_tokens_given_in_one_go(self):
        moves = self.invoice_lv | self.invoice_en
        moves.access_token = False
        moves._debtor_ensure_access_tokens()
        self.assertTrue(all(moves.mapped("access_token")))
        self.assertNotEqual(self.invoice_lv.access_token, self.invoice_en.access_token)

    def test_billing_user_sends(self):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.billing_user)
            .create({"partner_ids": [Command.set(self.debtor_en.ids)]})
        )
        self._send(wizard)
        self.assertEqual(self._line(wizard, self.debtor_en).state, "sent")
        self.assertEqual(
            self._line(wizard, self.debtor_en).correspondence_id.user_id,
            self.billing_user,
        )

    def test_scheduled_reminders(self):
        self.env["account.debtor.correspondence"].create(
            [
                {"partner_id": self.debtor_lv.id, "next_action_date": "2026-06-15"},
                {"partner_id": self.debtor_en.id, "next_action_date": "2026-06-20"},
            ]
        )
        self.company.email = "credit@company.example"
        Remind = self.env["account.debtor.remind"]
        Remind._cron_send_scheduled_reminders()
        self._process_runs()
        self.assertFalse(self._reminders(self.debtor_lv), "off by default")
        self.company.debtor_reminder_auto = True
        Remind._cron_send_scheduled_reminders()
        self._process_runs()
        self.assertEqual(len(self._reminders(self.debtor_lv)), 1)
        self.assertEqual(
            self._reminders(self.debtor_lv).author_id, self.company.partner_id
        )
        self.assertFalse(
            self._reminders(self.debtor_en), "its next action date has not come"
        )
        Remind._cron_send_scheduled_reminders()
        self._process_runs()
        self.assertEqual(len(self._reminders(self.debtor_lv)), 1, "never twice")
