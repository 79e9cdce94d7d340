import html
import re
from urllib.parse import urlsplit

from babel.numbers import format_currency

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import TODAY, DebtorCollectionCommon

LETTER_REPORT = "account_debtor_collection.report_debtor_reminder_letter"
STATEMENT_REPORT = "account_debtor_collection.report_debtor_statement"
CANNOT_PAY_LESS = (
    "Its credits cover its late invoices: there is nothing to pay at this date."
)


def text_of(markup):
    """What a reader sees of an HTML page or body: entities decoded, so that
    an amount reads the same whether written ``&nbsp;`` or as the character."""
    if isinstance(markup, bytes):
        markup = markup.decode()
    return html.unescape(str(markup))


def tfoot_of(markup):
    """The totals of the (first) invoice table of a reminder."""
    return text_of(markup).split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]


@tagged("post_install", "-at_install")
class TestAmountConsistency(DebtorCollectionCommon, HttpCase):
    """One figure everywhere: the overview, the partner form, the wizard, the
    e-mail queued, the letter, the customer's page the e-mail links and the
    statement show the same amount for the same debtor, formatted as the
    debtor reads it; a reprint shows what was sent.

    A company in euros (as the demo's); a Latvian debtor with late invoices
    (one partly paid, one in zloty), one not due yet and a credit note."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        # the demo's case: a Latvian company that keeps its books in euros
        eur = cls._enable_currency("EUR")
        return super().setup_independent_company(currency_id=eur.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pln = cls.setup_other_currency("PLN", rates=[("2026-01-01", 4.0)])
        cls.level = cls.env["account.debtor.reminder.level"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.level.attach_statement = True
        cls.debtor = cls.debtor_lv
        cls.debtor.write({"street": "Koku iela 7", "zip": "LV-1050", "city": "Rīga"})
        cls.old = cls._create_invoice(cls.debtor, 1234.56, "2026-04-15")
        cls.part_paid = cls._create_invoice(cls.debtor, 2000.0, "2026-05-15")
        cls._pay(cls.part_paid, 800.0, "2026-06-01")
        # 1,000 zł at 4 zł a euro: 250 € in the company's books
        cls.in_zloty = cls._create_invoice(
            cls.debtor, 1000.0, "2026-06-01", currency=cls.pln
        )
        cls.not_due = cls._create_invoice(cls.debtor, 999.0, "2026-06-25")
        cls.credit = cls._create_invoice(
            cls.debtor, 150.0, "2026-06-10", move_type="out_refund"
        )
        # what the debtor has to pay now: late items less every credit
        cls.overdue = 1234.56 + 1200.0 + 250.0 - 150.0
        cls.overdue_eur = 1234.56 + 1200.0 - 150.0
        cls.due = cls.overdue + 999.0

    def _fmt(self, amount, currency=None):
        """An amount as the debtor reads it: the addon's own formatting (the
        debtor's Babel locale, as ``_format_debtor_reminder`` formats)."""
        currency = currency or self.company.currency_id
        return format_currency(
            amount, currency.name, locale=self.debtor._get_debtor_babel_locale()
        )

    def _overview(self, partner):
        Debtor = self.env["account.debtor"].with_user(self.billing_user)
        Debtor.invalidate_model()
        return Debtor.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _wizard(self, partners, **values):
        return (
            self.env["account.debtor.remind"]
            .with_user(self.billing_user)
            .create(
                {"date": TODAY, "partner_ids": [Command.set(partners.ids)], **values}
            )
        )

    def _reminders(self, partner):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "in", partner.ids), ("kind", "=", "reminder")]
        )

    def _page_path(self, body):
        """The path of the collection page a reminder's body links to."""
        match = re.search(
            r'href="([^"]*/my/collection/\d+\?access_token=[^"]+)"', text_of(body)
        )
        self.assertTrue(match, "the reminder links the customer's page")
        url = urlsplit(match.group(1))
        return f"{url.path}?{url.query}"

    def test_one_figure_from_overview_to_reprint(self):
        """Protects the one overdue figure: the overview's, the partner
        form's, the wizard's preview, the amount the reminder stored and its
        items, the e-mail queued (Latvian formatting), its letter, the
        statement it attached, and the collection page it links, for a
        debtor with a partly paid invoice, an invoice in another currency,
        one not due yet and a credit note; and that after a payment the
        letter reprint still shows what was sent while the overview and the
        page show the new figure."""
        # the Latvian format, not the English one (non-breaking spaces)
        self.assertEqual(self._fmt(1234.56), "1\xa0234,56\xa0€")
        overdue, due = self._fmt(self.overdue), self._fmt(self.due)
        overdue_eur, zloty = self._fmt(self.overdue_eur), self._fmt(1000.0, self.pln)

        # the overview and the partner form
        row = self._overview(self.debtor)
        self.assertRecordValues(
            row,
            [
                {
                    "amount_overdue": self.overdue,
                    "amount_due": self.due,
                    "overdue_invoice_count": 3,
                }
            ],
        )
        self.assertEqual(
            self.debtor.with_user(self.billing_user).debtor_amount_overdue,
            self.overdue,
        )

        # the wizard's preview, and the e-mail its eye shows
        wizard = self._wizard(self.debtor)
        self.assertRecordValues(
            wizard.line_ids,
            [
                {
                    "state": "to_send",
                    "amount_overdue": self.overdue,
                    "overdue_count": 3,
                    "lang": "lv_LV",
                }
            ],
        )
        preview = wizard.line_ids.get_preview(
            self.debtor.id, wizard.line_ids.level_id.id, TODAY
        )
        self.assertIn(overdue, tfoot_of(preview["body_html"]))

        # what the reminder stored
        run = self._send(wizard)
        self.assertEqual(run.line_ids.state, "sent", run.line_ids.message)
        entry = self._reminders(self.debtor)
        self.assertEqual(entry.amount_reminded, self.overdue)
        self.assertEqual(
            entry.item_ids.move_id,
            self.old | self.part_paid | self.in_zloty | self.credit,
            "no invoice that is not due yet",
        )
        self.assertAlmostEqual(
            sum(entry.item_ids.mapped("amount_residual")), self.overdue
        )
        by_move = {item.move_id: item for item in entry.item_ids}
        self.assertEqual(by_move[self.part_paid].amount_residual, 1200.0)
        self.assertEqual(by_move[self.in_zloty].amount_residual_currency, 1000.0)
        self.assertEqual(by_move[self.in_zloty].amount_residual, 250.0)
        self.assertEqual(by_move[self.credit].amount_residual, -150.0)
        self.assertEqual(entry.move_ids, self.old | self.part_paid | self.in_zloty)

        # the e-mail queued: the message and the mail.mail that leaves
        message = entry.mail_message_id
        mail = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(len(mail), 1)
        for name, body in (("message", message.body), ("e-mail", mail.body_html)):
            with self.subTest(name):
                totals = tfoot_of(body)
                self.assertIn(overdue, totals, "all currencies, in euros")
                self.assertIn(overdue_eur, totals)
                self.assertIn(zloty, totals)
                self.assertIn(self._fmt(1200.0), text_of(body), "the rest to pay")
                self.assertNotIn(self.not_due.name, body)
                self.assertNotIn(self._fmt(999.0), text_of(body))
        # the statement it attached: every open item, the balance in euros
        [statement] = message.attachment_ids
        self.assertIn(self.not_due.name, text_of(statement.raw))
        self.assertIn(due, text_of(statement.raw))

        # the letter of that reminder
        letter = self.env["ir.actions.report"]._render_qweb_html(
            LETTER_REPORT, entry.ids
        )[0]
        letter_totals = tfoot_of(letter)
        self.assertIn(overdue, letter_totals)
        self.assertIn(overdue_eur, letter_totals)
        self.assertIn(zloty, letter_totals)
        self.assertNotIn(self.not_due.name, text_of(letter))

        # the customer's page, by the link of the e-mail, without logging in
        path = self._page_path(mail.body_html)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        to_pay = page.text.split("o_debtor_portal_overdue", 1)[1].split(
            "o_debtor_portal_balance", 1
        )[0]
        self.assertIn(overdue, text_of(to_pay))
        self.assertIn(overdue_eur, text_of(to_pay))
        self.assertIn(zloty, text_of(to_pay))
        reminders = text_of(page.text.split("o_debtor_portal_reminders", 1)[1])
        self.assertIn(overdue, reminders, "what the reminder asked")
        # its balance in all currencies: the overview's Due, as the statement's
        balance = text_of(
            page.text.split("o_debtor_portal_balance_total", 1)[1].split("</div>", 1)[0]
        )
        self.assertIn("Atlikums visās valūtās", balance)
        self.assertIn(due, balance)
        # the statement the page offers: the balance of the overview's Due
        statement_path = re.search(
            r'href="(/my/collection/\d+/statement\?access_token=[^"]+)"',
            text_of(page.text),
        ).group(1)
        statement_page = self.url_open(statement_path)
        self.assertEqual(statement_page.status_code, 200)
        self.assertIn(due, text_of(statement_page.text))
        self.assertIn(self.not_due.name, statement_page.text)

        # a payment: the overview follows, the reprint is the letter sent
        self._pay(self.old)
        self.assertEqual(
            self._overview(self.debtor).amount_overdue, self.overdue - 1234.56
        )
        reprint = self.env["ir.actions.report"]._render_qweb_html(
            LETTER_REPORT, entry.ids
        )[0]
        self.assertEqual(reprint, letter)
        self.assertEqual(entry.amount_reminded, self.overdue)
        self.assertEqual(by_move[self.old].amount_residual, 1234.56)
        page = self.url_open(path)
        to_pay = page.text.split("o_debtor_portal_overdue", 1)[1].split(
            "o_debtor_portal_balance", 1
        )[0]
        self.assertIn(self._fmt(self.overdue - 1234.56), text_of(to_pay))
        self.assertNotIn(overdue, text_of(to_pay))
        reminders = text_of(page.text.split("o_debtor_portal_reminders", 1)[1])
        self.assertIn(overdue, reminders, "what the reminder asked, still")

    def test_never_a_negative_amount(self):
        """Protects "a reminder never asks for a negative amount": a debtor
        whose credit notes exceed its late invoices shows 0 overdue (not
        below), is not selected as overdue, and is skipped with the reason
        in the preview, with Remind Again, and when the credit came after
        the preview was queued; no reminder is logged or e-mailed."""
        debtor = self.debtor_en
        self._create_invoice(debtor, 300.0, "2026-05-01")
        self._create_invoice(debtor, 500.0, "2026-06-01", move_type="out_refund")
        self.assertRecordValues(
            self._overview(debtor),
            [{"amount_overdue": 0.0, "amount_due": -200.0, "overdue_invoice_count": 1}],
        )
        self.assertEqual(debtor.debtor_amount_overdue, 0.0)
        wizard = self._wizard(debtor)
        wizard.action_select_overdue()
        self.assertNotIn(debtor, wizard.partner_ids)
        for force in (False, True):
            with self.subTest(force=force):
                wizard = self._wizard(debtor, force=force)
                self.assertRecordValues(
                    wizard.line_ids,
                    [
                        {
                            "state": "skipped",
                            "amount_overdue": 0.0,
                            "message": CANNOT_PAY_LESS,
                        }
                    ],
                )
        # previewed with something to pay; the credit note comes meanwhile
        other = self._create_debtor("Credit Later Ltd", "en_US", "ap@later.example")
        self._create_invoice(other, 300.0, "2026-05-01")
        wizard = self._wizard(other)
        self.assertEqual(wizard.line_ids.state, "to_send")
        wizard.action_send()
        self._create_invoice(other, 400.0, "2026-06-14", move_type="out_refund")
        self._process_runs()
        self.assertRecordValues(
            wizard.run_id.line_ids, [{"state": "skipped", "message": CANNOT_PAY_LESS}]
        )
        self.assertFalse(self._reminders(debtor | other))
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search(
                [("model", "=", "res.partner"), ("res_id", "in", (debtor | other).ids)]
            )
        )
