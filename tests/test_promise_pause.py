from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestPromisePause(DebtorCollectionCommon):
    """A pending promise pauses the invoices it names, and only those: the
    overview's Overdue, Select All Overdue, the wizard and the reminder tell
    the same story. The customer's page takes one promise at a time, and a
    chain of promises no longer than the company's limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.invoice_a = cls._create_invoice(cls.debtor_en, 500.0, "2026-05-01")
        cls.invoice_b = cls._create_invoice(cls.debtor_en, 300.0, "2026-05-20")
        cls.not_due = cls._create_invoice(cls.debtor_en, 200.0, "2026-07-31")

    def _promise(self, moves, promise_date="2026-06-30"):
        return self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_en.id,
                "promise_date": promise_date,
                "move_ids": [Command.set(moves.ids)],
            }
        )

    def _wizard(self, **values):
        return self.env["account.debtor.remind"].create(
            {
                "date": "2026-06-15",
                "partner_ids": [Command.set(self.debtor_en.ids)],
                **values,
            }
        )

    def _remindable(self):
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date="2026-06-15")
        return Debtor.search(
            [
                ("partner_id", "=", self.debtor_en.id),
                *Debtor._get_remindable_domain(self.company, fields.Date.today()),
            ]
        )

    def test_promise_pauses_only_the_invoices_it_names(self):
        self._promise(self.invoice_a)
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.amount_overdue, 300.0)
        self.assertEqual(debtor.overdue_invoice_count, 1)
        self.assertEqual(debtor.promise_state, "pending")
        self.assertTrue(self._remindable(), "Select All Overdue picks it")
        wizard = self._wizard()
        self.assertRecordValues(
            wizard.line_ids,
            [{"state": "to_send", "amount_overdue": 300.0, "overdue_count": 1}],
        )
        run = self._send(wizard)
        reminder = run.line_ids.correspondence_id
        self.assertEqual(reminder.move_ids, self.invoice_b)
        self.assertEqual(reminder.amount_reminded, 300.0)
        body = reminder.mail_message_id.body
        self.assertIn(self.invoice_b.name, body)
        self.assertNotIn(self.invoice_a.name, body)

    def test_promise_about_an_invoice_not_due_pauses_nothing_late(self):
        self._promise(self.not_due)
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 800.0)
        self.assertEqual(self._wizard().line_ids.state, "to_send")

    def test_promise_naming_nothing_pauses_what_was_overdue(self):
        promise = self._promise(self.env["account.move"])
        self.assertEqual(promise.move_ids, self.invoice_a | self.invoice_b)
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.amount_overdue, 0.0)
        self.assertFalse(self._remindable())
        line = self._wizard().line_ids
        self.assertEqual(line.state, "skipped")
        self.assertEqual(line.message, "Payment promised for 06/30/2026.")
        # an invoice late since is not part of the promise
        later = self._create_invoice(
            self.debtor_en, 150.0, "2026-06-10", invoice_date="2026-06-01"
        )
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 150.0)
        self.assertTrue(self._remindable())
        run = self._send(self._wizard())
        self.assertEqual(run.line_ids.correspondence_id.move_ids, later)

    def test_remind_again_reminds_the_promised_invoices_too(self):
        self._promise(self.invoice_a)
        wizard = self._wizard(force=True)
        self.assertRecordValues(
            wizard.line_ids, [{"state": "to_send", "amount_overdue": 800.0}]
        )
        run = self._send(wizard)
        self.assertEqual(
            run.line_ids.correspondence_id.move_ids, self.invoice_a | self.invoice_b
        )

    def test_a_promise_for_a_past_date_pauses_nothing(self):
        self._promise(self.invoice_a, promise_date="2026-06-10")
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 800.0)
        # at a later as-of date, a promise made for an earlier one is over
        self._promise(self.invoice_b, promise_date="2026-06-20")
        debtor = self._debtor(self.debtor_en, as_of="2026-06-25")
        self.assertEqual(debtor.amount_overdue, 800.0)

    # from the customer's page

    def _portal_promise(self, promise_date, moves=None):
        Entry = self.env["account.debtor.correspondence"].sudo()
        return Entry._create_portal_promise(
            self.debtor_en,
            self.company,
            self.debtor_en,
            moves or self.env["account.move"],
            fields.Date.to_date(promise_date),
            "",
        )

    def test_one_pending_promise_from_the_page(self):
        self._portal_promise("2026-06-20", self.invoice_a)
        with self.assertRaisesRegex(UserError, "already promised to pay by 06/20"):
            self._portal_promise("2026-06-25", self.invoice_b)
        # a collector's pending promise counts too
        self.env["account.debtor.correspondence"].search([]).unlink()
        self._promise(self.invoice_b)
        with self.assertRaisesRegex(UserError, "already promised"):
            self._portal_promise("2026-06-25", self.invoice_a)

    def test_promise_limit_counts_from_the_first_of_a_chain(self):
        self.assertEqual(self.company.debtor_portal_promise_days, 30)
        self._portal_promise("2026-07-15")
        with freeze_time("2026-07-16"):
            # broken today: a new promise would renew it, and the 30 days
            # count from the first one (15 June)
            with self.assertRaisesRegex(UserError, "promised to pay several times"):
                self._portal_promise("2026-07-20")
        with freeze_time("2026-08-20"):
            # long after the chain: a new one starts
            entry = self._portal_promise("2026-09-19")
            self.assertEqual(entry.promise_date, fields.Date.to_date("2026-09-19"))
            with self.assertRaisesRegex(UserError, "already promised"):
                self._portal_promise("2026-09-01")

    def test_chain_of_short_promises_ends_at_the_limit(self):
        self._portal_promise("2026-06-20")
        with freeze_time("2026-06-22"):
            latest = self.env[
                "account.debtor.correspondence"
            ]._get_portal_latest_promise_date(self.debtor_en, self.company)
            self.assertEqual(latest, fields.Date.to_date("2026-07-15"))
            with self.assertRaisesRegex(UserError, "07/15/2026 at the latest"):
                self._portal_promise("2026-07-20")
            self._portal_promise("2026-07-15")
