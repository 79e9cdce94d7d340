from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestInterestReferenceRate(DebtorCollectionCommon):
    """Statutory interest counts each day at the rate of its half-year: the
    reference rate in force on 1 January or 1 July (the table the addon
    ships, a company's own rows over the shared ones, the company's fallback
    rate for the half-years not in it) plus the company's margin."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["account.debtor.interest.reference.rate"]
        cls.level = cls.env["account.debtor.reminder.level"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.level.write({"delay": 1, "charge_interest": True, "charge_fee": True})
        income = cls.company_data["default_account_revenue"]
        cls.company.write(
            {
                "debtor_reminder_interval": 0,
                "debtor_interest_law": "eu",
                # the half-years not in the table: 1 % + 8 points
                "debtor_interest_reference_rate": 1.0,
                "debtor_interest_margin": 8.0,
                "debtor_compensation_fee": 40.0,
                "debtor_charge_invoice": True,
                "debtor_interest_account_id": income.id,
                "debtor_fee_account_id": income.id,
            }
        )

    @staticmethod
    def _receivable(invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def _charges(self, invoice, on_date):
        return self.env["res.partner"]._get_debtor_charges(
            self._receivable(invoice), on_date, self.company, self.level
        )

    def _reminder(self, partner):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", "reminder")],
            order="id desc",
            limit=1,
        )

    def test_interest_counts_each_half_year_at_its_rate(self):
        """An invoice late across 1 July 2025: its days of June at the rate
        of the first half-year, its days of July at the second's; the
        reminder says both rates and its charges invoice claims what its
        document claims."""
        with freeze_time("2025-07-20"):
            invoice = self._create_invoice(self.debtor_en, 1000.0, "2025-06-10")
            wizard = self.env["account.debtor.remind"].create(
                {"date": "2025-07-20", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
            run = self._send(wizard)
        self.assertEqual(run.line_ids.state, "sent")
        entry = self._reminder(self.debtor_en)
        [item] = entry.item_ids
        self.assertEqual(item.interest_days, 40, "the days stay the total days")
        # 11 to 30 June: 20 days at 3.15 + 8 = 11.15 %; 1 to 20 July: 20 days
        # at 2.15 + 8 = 10.15 %:
        # 1000 x 11.15 / 100 x 20 / 365 + 1000 x 10.15 / 100 x 20 / 365
        # = 6.1096 + 5.5616 = 11.67 (one rate of 10.15 % would give 11.12)
        self.assertAlmostEqual(item.interest, 11.67)
        self.assertAlmostEqual(entry.interest_rate, 10.15, msg="the rate of July")
        self.assertEqual(
            entry.interest_half_year_rates,
            [["2025-01-01", 11.15], ["2025-07-01", 10.15]],
        )
        body = str(entry.mail_message_id.body)
        self.assertIn(
            "at the statutory rate of each half-year (11.15 % a year from "
            "Jan 1, 2025 and 10.15 % a year from Jul 1, 2025) for the days late",
            body,
        )
        self.assertIn("$11.67", body)
        # the charges invoice agrees with the document
        move = entry.charge_move_id
        self.assertEqual(move.state, "posted")
        interest_line = move.invoice_line_ids.filtered(
            lambda line: line.name.startswith("Late-payment interest")
        )
        self.assertEqual(
            interest_line.name,
            f"Late-payment interest on {invoice.name}: 20 days at 11.15 % a year "
            "and 20 days at 10.15 % a year",
        )
        self.assertAlmostEqual(interest_line.price_unit, item.interest)
        self.assertAlmostEqual(move.amount_total, 11.67 + 40.0)

    def test_one_half_year_reads_as_one_rate(self):
        invoice = self._create_invoice(self.debtor_en, 1000.0, "2026-05-01")
        self._send(
            self.env["account.debtor.remind"].create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
        )
        entry = self._reminder(self.debtor_en)
        # 1000 x (2.15 + 8) / 100 x 45 / 365
        self.assertAlmostEqual(entry.item_ids.interest, 12.51)
        body = str(entry.mail_message_id.body)
        self.assertIn("we charge interest at 10.15 % a year for the days late", body)
        self.assertEqual(
            entry.charge_move_id.invoice_line_ids[0].name,
            f"Late-payment interest on {invoice.name}: 45 days at 10.15 % a year",
        )

    def test_company_row_applies_only_to_its_company(self):
        invoice = self._create_invoice(self.debtor_en, 1000.0, "2025-06-10")
        other = self.env["res.company"].create({"name": "Other Rates SIA"})
        other_row = self.Rate.create(
            {"date_from": "2025-07-01", "rate": 5.0, "company_id": other.id}
        )
        self.assertAlmostEqual(
            self._charges(invoice, date(2025, 7, 20))["interest"],
            11.67,
            msg="another company's rate changes nothing here",
        )
        own_row = self.Rate.create(
            {"date_from": "2025-07-01", "rate": 3.0, "company_id": self.company.id}
        )
        charges = self._charges(invoice, date(2025, 7, 20))
        # the company's own 3 % wins over the shared 2.15 % in July:
        # 1000 x 11.15 / 100 x 20 / 365 + 1000 x 11.00 / 100 x 20 / 365 = 12.14
        self.assertAlmostEqual(charges["interest"], 12.14)
        self.assertAlmostEqual(charges["rate"], 11.0)
        self.assertEqual(
            charges["half_year_rates"],
            {date(2025, 1, 1): 11.15, date(2025, 7, 1): 11.0},
        )
        self.assertEqual(self.Rate._get_reference_rates(other)[date(2025, 7, 1)], 5.0)
        self.assertEqual(
            self.Rate._get_reference_rates(other)[date(2025, 1, 1)], 3.15, "shared"
        )
        # a billing user reads the shared rates and its company's, changes none
        rows = self.Rate.with_user(self.billing_user).search(
            [("date_from", "=", "2025-07-01")]
        )
        shared = self.env.ref(
            "account_debtor_collection.interest_reference_rate_2025_h2"
        )
        self.assertEqual(rows, shared | own_row)
        self.assertNotIn(other_row, rows)
        with self.assertRaises(AccessError):
            own_row.with_user(self.billing_user).rate = 9.0

    def test_half_years_not_in_the_table_count_at_the_fallback_rate(self):
        after = self._create_invoice(self.debtor_en, 1000.0, "2026-06-20")
        charges = self._charges(after, date(2026, 7, 20))
        # 21 to 30 June 2026: 10 days at 2.15 + 8 = 10.15 % (the table); 1 to
        # 20 July 2026, no row: 20 days at 1 + 8 = 9 % (the fallback):
        # 1000 x 10.15 / 100 x 10 / 365 + 1000 x 9 / 100 x 20 / 365 = 7.71
        self.assertAlmostEqual(charges["interest"], 7.71)
        self.assertEqual(charges["by_line"][self._receivable(after).id]["days"], 30)
        self.assertAlmostEqual(charges["rate"], 9.0)
        before = self._create_invoice(self.debtor_en, 1000.0, "2021-12-22")
        # 23 to 31 December 2021, before the first row: 9 days at 9 %; 1 to
        # 10 January 2022: 10 days at 0 + 8 = 8 %:
        # 1000 x 9 / 100 x 9 / 365 + 1000 x 8 / 100 x 10 / 365 = 4.41
        self.assertAlmostEqual(
            self._charges(before, date(2022, 1, 10))["interest"], 4.41
        )

    def test_latvian_cap_holds_over_the_half_years(self):
        """Civil Law of Latvia art. 1763: however the half-years' rates add
        up, the interest on an invoice stops at its principal, over all its
        reminders."""
        old = self._create_invoice(self.debtor_lv, 100.0, "2014-06-15")
        self.assertGreater(
            self._charges(old, date(2026, 6, 15))["interest"], 100.0, "uncapped"
        )
        self.company.debtor_interest_law = "lv"
        self.assertAlmostEqual(self._charges(old, date(2026, 6, 15))["interest"], 100.0)
        self._send(
            self.env["account.debtor.remind"].create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_lv.ids)]}
            )
        )
        self.assertAlmostEqual(self._reminder(self.debtor_lv).item_ids.interest, 100.0)
        self.assertFalse(
            self._charges(old, date(2026, 9, 15))["interest"],
            "nothing more: the cap is reached",
        )

    def test_one_rate_per_half_year_from_its_first_day(self):
        with self.assertRaisesRegex(ValidationError, "1 January or 1 July"):
            self.Rate.create({"date_from": "2026-03-01", "rate": 2.0})
        with self.assertRaisesRegex(ValidationError, "reference rate already"):
            self.Rate.create({"date_from": "2026-01-01", "rate": 2.0})
        # a company's own rate of a half-year beside the shared one
        self.Rate.create(
            {"date_from": "2026-01-01", "rate": 2.0, "company_id": self.company.id}
        )
        with self.assertRaisesRegex(ValidationError, "reference rate already"):
            self.Rate.create(
                {"date_from": "2026-01-01", "rate": 2.1, "company_id": self.company.id}
            )
