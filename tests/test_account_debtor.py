from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestAccountDebtor(DebtorCollectionCommon):
    def test_amounts_and_overdue_strictly_before_today(self):
        self._create_invoice(self.debtor_lv, 1000.0, "2026-05-01")
        self._create_invoice(self.debtor_lv, 300.0, "2026-06-14")
        # due today: not yet overdue
        self._create_invoice(self.debtor_lv, 200.0, "2026-06-15")
        self._create_invoice(self.debtor_lv, 50.0, "2026-07-01")
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(len(debtor), 1)
        self.assertEqual(debtor.amount_due, 1550.0)
        self.assertEqual(debtor.amount_overdue, 1300.0)
        self.assertEqual(debtor.invoice_count, 4)
        self.assertEqual(str(debtor.oldest_due_date), "2026-05-01")
        self.assertEqual(debtor.currency_id, self.company.currency_id)
        self.assertEqual(len(debtor.open_move_ids), 4)

    def test_narrowed_to_a_few_debtors_the_same_figures(self):
        """A batch's checks read the overview narrowed to its debtors
        (``debtor_partner_ids``): the same figures as the whole overview, the
        items of the debtors' contacts and their log included, no other
        debtor; anything but a list of ids is refused."""
        contact = self.env["res.partner"].create(
            {"name": "Anna", "parent_id": self.debtor_lv.id, "type": "invoice"}
        )
        self._create_invoice(self.debtor_lv, 1000.0, "2026-05-01")
        self.init_payment(100.0, post=True, date="2026-06-01", partner=contact)
        self._create_invoice(self.debtor_en, 500.0, "2026-05-01")
        for partner, day in (
            (self.debtor_lv, "2026-06-20"),
            (self.debtor_en, "2026-06-18"),
        ):
            self.env["account.debtor.correspondence"].create(
                {
                    "partner_id": partner.id,
                    "kind": "note",
                    "date": "2026-06-10",
                    "note": "Called.",
                    "next_action_date": day,
                }
            )
        names = [
            "amount_due",
            "amount_overdue",
            "amount_credit",
            "invoice_count",
            "oldest_due_date",
            "next_action_date",
            "level_id",
        ]
        whole = self._debtor(self.debtor_lv).read(names)
        Debtor = self.env["account.debtor"].with_context(
            debtor_partner_ids=self.debtor_lv.ids
        )
        Debtor.invalidate_model()
        narrowed = Debtor.search([])
        self.assertEqual(narrowed.partner_id, self.debtor_lv)
        self.assertEqual(narrowed.read(names), whole)
        self.assertEqual(narrowed.amount_due, 900.0, "the contact's payment counts")
        self.assertEqual(str(narrowed.next_action_date), "2026-06-20")
        for wrong in ("1", [True], [1.5]):
            with self.assertRaises(UserError):
                Debtor.with_context(debtor_partner_ids=wrong).search([])

    def test_as_of_date(self):
        self._create_invoice(self.debtor_lv, 1000.0, "2026-05-01")
        self._create_invoice(self.debtor_lv, 200.0, "2026-06-20")
        self.assertEqual(
            self._debtor(self.debtor_lv, as_of="2026-04-30").amount_overdue, 0
        )
        self.assertEqual(
            self._debtor(self.debtor_lv, as_of="2026-06-21").amount_overdue, 1200
        )

    def test_partial_payment_credit_note_and_unapplied_payment(self):
        invoice = self._create_invoice(self.debtor_lv, 1000.0, "2026-05-01")
        self._pay(invoice, 400.0, "2026-05-10")
        self._create_invoice(
            self.debtor_lv, 150.0, "2026-05-20", move_type="out_refund"
        )
        payment = self.init_payment(
            100.0, post=True, date="2026-06-01", partner=self.debtor_lv
        )
        self.assertFalse(payment.move_id.line_ids.filtered("reconciled"))
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(debtor.amount_due, 1000.0 - 400.0 - 150.0 - 100.0)
        self.assertEqual(debtor.amount_overdue, 350.0)
        self.assertEqual(debtor.invoice_count, 1)

    def test_foreign_currency_in_company_currency(self):
        other = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        self._create_invoice(self.debtor_lv, 1000.0, "2026-05-01", currency=other)
        debtor = self._debtor(self.debtor_lv)
        # 1000 EUR at 2 EUR per company currency unit
        self.assertEqual(debtor.amount_due, 500.0)
        self.assertEqual(debtor.currency_id, self.company.currency_id)

    def test_draft_cancelled_and_paid_invoices_excluded(self):
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01", post=False)
        cancelled = self._create_invoice(self.debtor_lv, 200.0, "2026-05-01")
        cancelled.button_draft()
        cancelled.button_cancel()
        paid = self._create_invoice(self.debtor_lv, 300.0, "2026-05-01")
        self._pay(paid)
        self.assertFalse(self._debtor(self.debtor_lv))
        self._create_invoice(self.debtor_lv, 400.0, "2026-05-01")
        self.assertEqual(self._debtor(self.debtor_lv).amount_due, 400.0)

    def test_branch_contact_rolls_up(self):
        branch = self.env["res.partner"].create(
            {
                "name": "Koks Ventspils",
                "parent_id": self.debtor_lv.id,
                "type": "invoice",
            }
        )
        self._create_invoice(branch, 700.0, "2026-05-01")
        self._create_invoice(self.debtor_lv, 300.0, "2026-05-01")
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(debtor.amount_due, 1000.0)
        self.assertFalse(self._debtor(branch))

    def test_companies_kept_apart(self):
        company_2 = self.setup_other_company()["company"]
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        self._create_invoice(self.debtor_lv, 900.0, "2026-05-01", company=company_2)
        self.env.user.company_ids = [Command.link(company_2.id)]
        debtors = (
            self.env["account.debtor"]
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
            .search([("partner_id", "=", self.debtor_lv.id)])
        )
        self.assertEqual(
            sorted(debtors.mapped(lambda d: (d.company_id.id, d.amount_due))),
            sorted([(self.company.id, 100.0), (company_2.id, 900.0)]),
        )
        self.assertEqual(len(set(debtors.ids)), 2)
        # a user of the first company only sees that company's row
        debtor = (
            self.env["account.debtor"]
            .with_user(self.billing_user)
            .search([("partner_id", "=", self.debtor_lv.id)])
        )
        self.assertEqual(debtor.company_id, self.company)
        self.assertEqual(debtor.amount_due, 100.0)

    def test_dates_from_the_log(self):
        invoice = self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        # sudo: only the addon's sending (as superuser) logs reminders
        Log = self.env["account.debtor.correspondence"].sudo()
        Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "kind": "reminder",
                "date": "2026-06-01",
                "move_ids": [Command.set(invoice.ids)],
            }
        )
        Log.create(
            {"partner_id": self.debtor_lv.id, "kind": "reminder", "date": "2026-06-10"}
        )
        Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "date": "2026-06-11",
                "promise_date": "2026-06-30",
                "next_action_date": "2026-07-01",
            }
        )
        # a later note that sets neither keeps the earlier dates
        Log.create(
            {"partner_id": self.debtor_lv.id, "date": "2026-06-12", "note": "Called"}
        )
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(str(debtor.last_reminder_date), "2026-06-10")
        self.assertEqual(str(debtor.promise_date), "2026-06-30")
        self.assertEqual(str(debtor.next_action_date), "2026-07-01")
        self.assertEqual(debtor.promise_state, "pending")
        self.assertEqual(str(invoice.debtor_last_reminder_date), "2026-06-01")
        self.assertEqual(str(invoice.debtor_promise_date), "2026-06-30")

    def test_sort_search_and_group(self):
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        self._create_invoice(self.debtor_en, 900.0, "2026-05-01")
        debtors = self.env["account.debtor"].search(
            [("partner_id", "in", (self.debtor_lv | self.debtor_en).ids)]
        )
        self.assertEqual(debtors.partner_id, self.debtor_en | self.debtor_lv)
        self.assertEqual(debtors[0].partner_id, self.debtor_en)
        groups = self.env["account.debtor"]._read_group(
            [("partner_id", "in", (self.debtor_lv | self.debtor_en).ids)],
            ["company_id"],
            ["amount_overdue:sum"],
        )
        self.assertEqual(groups, [(self.company, 1000.0)])
        by_name = self.env["account.debtor"].search([("partner_id", "ilike", "Koks")])
        self.assertEqual(by_name.partner_id, self.debtor_lv)

    def test_no_jit_compiling_for_the_overview(self):
        """PostgreSQL's JIT would compile the open items' aggregate of
        thousands of debtors for longer than it runs: a search of the
        overview turns it off for its transaction."""
        self.env.cr.execute("SET LOCAL jit = on")
        self.env["account.debtor"].search([("amount_overdue", ">", 0)], limit=1)
        self.env.cr.execute("SHOW jit")
        self.assertEqual(self.env.cr.fetchone()[0], "off")

    def test_page_and_count_as_odoo_reads_them(self):
        """Rows read by id (a page's, a form's) aggregate only their
        debtors' items: the list shows the same rows, figures and count as
        Odoo's generic read, at every offset and count limit."""
        debtor_de = self._create_debtor("Müller GmbH", "de_DE", "info@mueller.example")
        debtors = self.debtor_lv | self.debtor_en | debtor_de
        for partner, amount in zip(debtors, (100.0, 900.0, 400.0), strict=True):
            self._create_invoice(partner, amount, "2026-05-01")
        Debtor = self.env["account.debtor"]
        Debtor.invalidate_model()
        domain = [
            ("amount_overdue", ">", 0),
            ("partner_id", "in", debtors.ids),
        ]
        spec = {
            "partner_id": {"fields": {"display_name": {}}},
            "amount_overdue": {},
            "amount_due": {},
            "oldest_due_date": {},
        }
        for offset, limit, count_limit, order in (
            (0, 2, None, "amount_overdue desc"),
            (2, 2, None, "amount_overdue desc"),
            (0, 2, 2, "amount_overdue desc"),
            (0, 80, None, "amount_overdue asc"),
            (5, 2, None, "amount_overdue desc"),
            # the web client asks no sort as "": the model's order
            (0, 80, None, ""),
        ):
            records = Debtor.search_fetch(
                domain, spec, offset=offset, limit=limit, order=order
            )
            expected = Debtor._format_web_search_read_results(
                domain, records.web_read(spec), offset, limit, count_limit
            )
            Debtor.invalidate_model()
            self.assertEqual(
                Debtor.web_search_read(
                    domain,
                    spec,
                    offset=offset,
                    limit=limit,
                    order=order,
                    count_limit=count_limit,
                ),
                expected,
                f"offset {offset}, limit {limit}, count limit {count_limit}, "
                f"order {order!r}",
            )
        # the rows of a page are read for their debtors alone
        scopes = []
        get_scope = type(Debtor)._get_debtor_scope

        def spy(debtor):
            scopes.append(get_scope(debtor))
            return scopes[-1]

        debtor = self._debtor(self.debtor_en)
        Debtor.invalidate_model()
        with patch.object(type(Debtor), "_get_debtor_scope", spy):
            self.assertEqual(debtor.amount_overdue, 900.0)
        self.assertIn([self.debtor_en.id], scopes)

    def test_exclusion_flag_per_company(self):
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        self.debtor_lv.debtor_no_reminder = True
        self.assertTrue(self._debtor(self.debtor_lv).no_reminder)
        company_2 = self.setup_other_company()["company"]
        self.assertFalse(self.debtor_lv.with_company(company_2).debtor_no_reminder)

    def test_partner_smart_button(self):
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        contact = self.env["res.partner"].create(
            {"name": "Jānis", "parent_id": self.debtor_lv.id}
        )
        self.assertEqual(contact.debtor_amount_overdue, 100.0)
        action = contact.action_open_debtor()
        self.assertEqual(
            self.env["account.debtor"].search(action["domain"]).partner_id,
            self.debtor_lv,
        )
