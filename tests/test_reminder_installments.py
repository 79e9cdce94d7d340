import html
from datetime import date
from urllib.parse import urlsplit

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import TODAY, DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestReminderInstallments(DebtorCollectionCommon, HttpCase):
    """An invoice paid in installments (payment terms with several due
    dates): a reminder names each late installment as an item of its own,
    with its due date, days late and amount, and never one not due yet;
    what it asks to pay names the invoice once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        half_now_half_in_30 = cls.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50.0, "nb_days": 30}
                    ),
                ],
            }
        )
        cls.debtor = cls.debtor_en
        # due 1 April and 1 May: both installments late on 15 June
        cls.both_late = cls._create_invoice(
            cls.debtor,
            1000.0,
            None,
            invoice_date="2026-04-01",
            payment_term=half_now_half_in_30,
        )
        # due 1 June and 1 July: one late, one not due yet
        cls.one_late = cls._create_invoice(
            cls.debtor,
            600.0,
            None,
            invoice_date="2026-06-01",
            payment_term=half_now_half_in_30,
        )

    def _send_reminder(self):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.billing_user)
            .create({"date": TODAY, "partner_ids": [Command.set(self.debtor.ids)]})
        )
        self.assertRecordValues(
            wizard.line_ids,
            [{"state": "to_send", "overdue_count": 2, "amount_overdue": 1300.0}],
        )
        run = self._send(wizard)
        self.assertEqual(run.line_ids.state, "sent", run.line_ids.message)
        return run

    def test_installments_are_items_the_invoice_is_asked_once(self):
        """Protects the reminder of an invoice with several late
        installments: the e-mail's table has one row per late installment
        (its own due date, days late and amount) and never the installment
        not due yet, its total is their sum; the stored items keep one line
        per installment; the invoices the reminder asks to pay, the count
        the run reports and the reminder's values name each invoice once."""
        self.assertEqual(len(self.both_late.line_ids.filtered("date_maturity")), 2)
        values = self.debtor._get_debtor_reminder_values()[self.debtor.id]
        self.assertEqual(values["move_ids"], (self.both_late | self.one_late).ids)
        self.assertEqual(values["overdue_count"], 2)
        run = self._send_reminder()
        entry = run.line_ids.correspondence_id
        self.assertEqual(entry.amount_reminded, 1300.0)
        self.assertEqual(entry.move_ids, self.both_late | self.one_late)
        self.assertIn("Overdue invoices: 2.", run.line_ids.message)
        # the document: one item per late installment
        self.assertRecordValues(
            entry.item_ids.sorted("due_date"),
            [
                {
                    "move_id": self.both_late.id,
                    "due_date": date(2026, 4, 1),
                    "days_late": 75,
                    "amount_residual": 500.0,
                },
                {
                    "move_id": self.both_late.id,
                    "due_date": date(2026, 5, 1),
                    "days_late": 45,
                    "amount_residual": 500.0,
                },
                {
                    "move_id": self.one_late.id,
                    "due_date": date(2026, 6, 1),
                    "days_late": 14,
                    "amount_residual": 300.0,
                },
            ],
        )
        self.assertEqual(len(entry.item_ids.move_line_id), 3)
        # the e-mail queued: the same rows, the sum of the late installments
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", entry.mail_message_id.id)])
        )
        body = html.unescape(mail.body_html)
        # the invoice table (the e-mail's layout has tables of its own)
        [table] = [
            part.split("</tbody>", 1)[0]
            for part in body.split("<tbody>")[1:]
            if self.one_late.name in part.split("</tbody>", 1)[0]
        ]
        rows = table.split("</tr>")[:-1]
        self.assertEqual(len(rows), 3)
        named = [row for row in rows if self.both_late.name in row]
        self.assertEqual(len(named), 2, "one row per late installment")
        self.assertIn("Apr 1, 2026", named[0])
        self.assertIn(">75<", named[0])
        self.assertIn("May 1, 2026", named[1])
        self.assertIn(">45<", named[1])
        for row in named:
            self.assertIn("$500.00", row)
        self.assertIn("$300.00", rows[2])
        self.assertNotIn("Jul 1, 2026", body, "the installment not due yet")
        self.assertIn("$1,300.00", body.split("<tfoot>", 1)[1])

    def test_collection_page_names_a_reminded_invoice_once(self):
        """Protects the customer's page: its list of the reminders sent names
        each invoice a reminder asked to pay once, however many of its
        installments were late."""
        entry = self._send_reminder().line_ids.correspondence_id
        url = urlsplit(self.debtor._get_debtor_portal_url(self.company))
        page = self.url_open(f"{url.path}?{url.query}")
        self.assertEqual(page.status_code, 200)
        reminders = page.text.split("o_debtor_portal_reminders", 1)[1]
        [row] = [
            row
            for row in reminders.split("</tr>")
            if "o_debtor_portal_reminder" in row and "<td" in row
        ]
        self.assertEqual(row.count(self.both_late.name), 1, row)
        self.assertEqual(row.count(self.one_late.name), 1, row)
        self.assertIn("$1,300.00", row)
        self.assertEqual(len(entry.item_ids), 3)
