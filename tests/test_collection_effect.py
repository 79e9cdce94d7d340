from odoo import SUPERUSER_ID, Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import TODAY, DebtorCollectionCommon, new_billing_user


@tagged("post_install", "-at_install")
class TestCollectionEffect(DebtorCollectionCommon):
    """Does the chasing work: what reminders brought back within 7, 14 and
    30 days, promises kept and broken per collector, and DSO."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        company_data_2 = cls.setup_other_company()
        cls.company_2 = company_data_2["company"]
        # payments there go through an outstanding account, as in company 1
        company_data_2["default_journal_bank"].inbound_payment_method_line_ids[
            0
        ].payment_account_id = cls.env["account.account"].create(
            {
                "name": "Outstanding Receipts",
                "code": "OSTR02",
                "reconcile": True,
                "account_type": "asset_current",
                "company_ids": [Command.set(cls.company_2.ids)],
            }
        )
        cls.collector_a = new_billing_user(cls.env, "collector_a", name="Anna")
        cls.collector_b = new_billing_user(cls.env, "collector_b", name="Boris")
        cls.debtor_en.with_company(cls.company).debtor_collector_id = cls.collector_a
        cls.debtor_lv.with_company(cls.company).debtor_collector_id = cls.collector_b
        # today is 15 June 2026: the reminders leave today
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 1000.0, "2026-05-01")
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 500.0, "2026-05-01")
        # paid before the reminder: it asks for the rest only
        cls._pay(cls.invoice_lv, 200.0, "2026-06-10")
        # a promise kept: paid before its date
        cls.promised_en = cls._create_invoice(cls.debtor_en, 50.0, "2026-05-20")
        cls._pay(cls.promised_en, 50.0, "2026-06-12")
        Entry = cls.env["account.debtor.correspondence"]
        cls.promise_kept = Entry.create(
            {
                "partner_id": cls.debtor_en.id,
                "promise_date": "2026-06-14",
                "move_ids": [Command.set(cls.promised_en.ids)],
            }
        )
        # a promise broken: its date passed, the invoice is unpaid
        cls.promise_broken = Entry.create(
            {
                "partner_id": cls.debtor_lv.id,
                "promise_date": "2026-06-12",
                "move_ids": [Command.set(cls.invoice_lv.ids)],
            }
        )
        wizard = (
            cls.env["account.debtor.remind"]
            .with_user(cls.billing_user)
            .create(
                {
                    "date": TODAY,
                    "force": True,
                    "partner_ids": [Command.set((cls.debtor_en | cls.debtor_lv).ids)],
                }
            )
        )
        wizard.action_send()
        Run = cls.env(user=SUPERUSER_ID)["account.debtor.reminder.run"]
        Run._cron_send_runs()
        cls.env.invalidate_all()
        cls.reminder_en, cls.reminder_lv = (
            Entry.search([("partner_id", "=", partner.id), ("kind", "=", "reminder")])
            for partner in (cls.debtor_en, cls.debtor_lv)
        )
        # after the reminder: a credit note 3 days later, part paid 5 days
        # later, the rest 20 days later
        refund = cls._create_invoice(
            cls.debtor_en, 100.0, "2026-06-18", move_type="out_refund"
        )
        (refund + cls.invoice_en).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        cls._pay(cls.invoice_en, 300.0, "2026-06-20")
        cls._pay(cls.invoice_en, 600.0, "2026-07-05")
        # paid after the reminder was sent, but dated before it: not its doing
        cls._pay(cls.invoice_lv, 100.0, "2026-06-12")
        # the same customer pays another company's invoice within the week
        other = cls._create_invoice(
            cls.debtor_en, 700.0, "2026-05-01", company=cls.company_2
        )
        cls._pay(other, 700.0, "2026-06-16")

    def _effect(self, entry):
        Effect = self.env["account.debtor.collection.effect"]
        Effect.invalidate_model()
        return Effect.search([("entry_id", "=", entry.id)])

    def test_reminder_keeps_what_it_asked_for(self):
        self.assertEqual(self.reminder_en.amount_reminded, 1000.0)
        self.assertEqual(self.reminder_lv.amount_reminded, 300.0, "less what was paid")
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )
        self.assertEqual(self.reminder_en.template_id, template)
        # and the level it was sent at, by which the report groups
        # the test company's own level, which every company gets
        level = self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", self.reminder_en.company_id.id)]
        )
        self.assertEqual(len(level), 1)
        self.assertEqual(self.reminder_en.level_id, level)
        self.assertEqual(self._effect(self.reminder_en).level_id, level)
        [(group_level, amount)] = self.env[
            "account.debtor.collection.effect"
        ]._read_group(
            [("entry_id", "in", (self.reminder_en | self.reminder_lv).ids)],
            ["level_id"],
            ["amount_reminded:sum"],
        )
        self.assertEqual((group_level, amount), (level, 1300.0))

    def test_paid_within_7_14_30_days(self):
        effect = self._effect(self.reminder_en)
        self.assertEqual(effect.kind, "reminder")
        self.assertEqual(effect.collector_id, self.collector_a)
        self.assertEqual(effect.amount_reminded, 1000.0)
        # the credit note (100) and the first payment (300); not the other
        # company's 700
        self.assertEqual(effect.amount_paid_7, 400.0)
        self.assertEqual(effect.amount_paid_14, 400.0)
        self.assertEqual(effect.amount_paid_30, 1000.0)
        self.assertAlmostEqual(effect.paid_7_rate, 40.0)
        self.assertAlmostEqual(effect.paid_30_rate, 100.0)

    def test_payment_dated_before_the_reminder_not_counted(self):
        effect = self._effect(self.reminder_lv)
        self.assertEqual(effect.amount_reminded, 300.0)
        self.assertEqual(effect.amount_paid_30, 0.0)

    def test_payment_matched_before_the_reminder_left_not_counted(self):
        payment = self._pay(self.invoice_lv, 50.0, TODAY)
        partial = payment.move_id.line_ids.matched_debit_ids
        self.assertEqual(self._effect(self.reminder_lv).amount_paid_7, 50.0)
        # the same payment, recorded before the reminder was written
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE account_partial_reconcile"
                "   SET create_date = create_date - interval '1 hour'"
                " WHERE id = %s",
                partial.id,
            )
        )
        self.assertEqual(self._effect(self.reminder_lv).amount_paid_7, 0.0)

    def test_paid_never_more_than_reminded(self):
        self._pay(self.invoice_lv, 200.0, "2026-06-16")
        self.assertEqual(self._effect(self.reminder_lv).amount_paid_7, 200.0)
        # a reminder that asked for less than its invoices' rest (credits
        # deducted, say): what was paid counts up to what was asked
        self.reminder_lv.with_user(SUPERUSER_ID).amount_reminded = 150.0
        self.assertEqual(self._effect(self.reminder_lv).amount_paid_7, 150.0)

    def test_shares_of_a_group_are_ratios_of_its_sums(self):
        Effect = self.env["account.debtor.collection.effect"]
        [(reminded, paid_7, rate_7, rate_30)] = Effect._read_group(
            [("kind", "=", "reminder"), ("company_id", "=", self.company.id)],
            aggregates=[
                "amount_reminded:sum",
                "amount_paid_7:sum",
                "paid_7_rate:avg",
                "paid_30_rate:avg",
            ],
        )
        self.assertEqual((reminded, paid_7), (1300.0, 400.0))
        # not the average of 40 % and 0 %
        self.assertAlmostEqual(rate_7, 400.0 / 1300.0 * 100)
        self.assertAlmostEqual(rate_30, 1000.0 / 1300.0 * 100)
        # as the pivot asks for it, per month
        [group] = Effect.read_group(
            [("kind", "=", "reminder"), ("company_id", "=", self.company.id)],
            ["paid_7_rate"],
            ["date:month"],
        )
        self.assertAlmostEqual(group["paid_7_rate"], 400.0 / 1300.0 * 100)

    def test_other_company_hidden(self):
        Effect = self.env["account.debtor.collection.effect"].with_user(
            self.billing_user
        )
        self.assertEqual(
            Effect.search([]).company_id, self.company, "the user's company only"
        )

    def test_promises_kept_and_broken_per_collector(self):
        self.assertEqual(self.promise_kept.promise_state, "kept")
        self.assertEqual(self.promise_broken.promise_state, "broken")
        Effect = self.env["account.debtor.collection.effect"]
        groups = Effect._read_group(
            [("kind", "=", "promise"), ("company_id", "=", self.company.id)],
            ["collector_id"],
            ["promise_kept_count:sum", "promise_broken_count:sum"],
        )
        self.assertEqual(
            sorted(groups, key=lambda group: group[0].name),
            [(self.collector_a, 1, 0), (self.collector_b, 0, 1)],
        )
        [[rate]] = Effect._read_group(
            [("kind", "=", "promise"), ("company_id", "=", self.company.id)],
            aggregates=["promise_kept_rate:avg"],
        )
        self.assertAlmostEqual(rate, 50.0)

    def test_dso_as_odoo_computes_it_for_the_partner(self):
        Dso = self.env["account.debtor.dso"]
        # paid in full: 0; 200 of 500 owed, first invoiced 45 days ago: 18
        for partner, dso in ((self.debtor_en, 0.0), (self.debtor_lv, 18.0)):
            row = Dso.search(
                [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
            )
            odoo_dso = partner.with_company(self.company).days_sales_outstanding
            self.assertAlmostEqual(odoo_dso, dso)
            self.assertAlmostEqual(row.days_sales_outstanding, odoo_dso)
        row_2 = Dso.search(
            [
                ("partner_id", "=", self.debtor_en.id),
                ("company_id", "=", self.company_2.id),
            ]
        )
        self.assertEqual(row_2.amount_receivable, 0.0, "paid in full there")
        self.assertEqual(row_2.amount_invoiced, 700.0)

    def test_dso_of_a_company_is_its_own(self):
        Dso = self.env["account.debtor.dso"]
        rows = Dso.search([("company_id", "=", self.company.id)])
        [[dso]] = Dso._read_group(
            [("company_id", "=", self.company.id)],
            aggregates=["days_sales_outstanding:avg"],
        )
        receivable = sum(rows.mapped("amount_receivable"))
        invoiced = sum(rows.mapped("amount_invoiced"))
        days = max(rows.mapped("days_since_first_invoice"))
        self.assertTrue(receivable and invoiced and days)
        self.assertAlmostEqual(dso, receivable / invoiced * days)
        self.assertNotAlmostEqual(
            dso,
            sum(rows.mapped("days_sales_outstanding")) / len(rows),
            msg="not the average of the customers' DSO",
        )
