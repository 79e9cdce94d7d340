from odoo import Command
from odoo.tests import tagged

from .common import DebtorCollectionCommon, new_billing_user


@tagged("post_install", "-at_install")
class TestAgeingAndWorklist(DebtorCollectionCommon):
    """Where the money is (ageing by each item's own due date) and who does
    what today (the collector's worklist)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        debtor = cls.debtor_en
        # today is 15 June 2026
        cls._create_invoice(debtor, 100.0, "2026-06-20")  # not due
        cls._create_invoice(debtor, 200.0, "2026-06-14")  # 1 day late
        cls._create_invoice(debtor, 300.0, "2026-05-16")  # 30 days late
        cls._create_invoice(debtor, 400.0, "2026-05-15")  # 31 days late
        cls._create_invoice(debtor, 500.0, "2026-03-17")  # 90 days late
        cls._create_invoice(debtor, 600.0, "2026-03-16")  # 91 days late
        # a credit note: in its own bucket, by its own due date
        cls._create_invoice(debtor, 50.0, "2026-06-01", move_type="out_refund")
        cls.collector = new_billing_user(cls.env, "collector_aw", name="Collector")

    def _buckets(self, debtor):
        return (
            debtor.amount_not_due,
            debtor.amount_1_30,
            debtor.amount_31_60,
            debtor.amount_61_90,
            debtor.amount_over_90,
        )

    def test_buckets_add_up_to_due(self):
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(self._buckets(debtor), (100.0, 450.0, 400.0, 500.0, 600.0))
        self.assertEqual(sum(self._buckets(debtor)), debtor.amount_due)

    def test_the_as_of_date_moves_items_between_buckets(self):
        debtor = self._debtor(self.debtor_en, as_of="2026-06-21")
        # 6 days later: the 100 is 1 day late, the 300 and 400 are 36-37 days
        self.assertEqual(self._buckets(debtor), (0.0, 250.0, 700.0, 0.0, 1100.0))
        self.assertEqual(sum(self._buckets(debtor)), debtor.amount_due)

    def test_item_without_due_date_is_aged_by_its_date(self):
        partner = self._create_debtor("Misc Charge Ltd")
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": "2026-04-01",
                "journal_id": self.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Fee",
                            "partner_id": partner.id,
                            "account_id": self.company_data[
                                "default_account_receivable"
                            ].id,
                            "debit": 80.0,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Fee",
                            "account_id": self.company_data[
                                "default_account_revenue"
                            ].id,
                            "credit": 80.0,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        move.line_ids.filtered("partner_id").date_maturity = False
        debtor = self._debtor(partner)
        self.assertEqual(self._buckets(debtor), (0.0, 0.0, 0.0, 80.0, 0.0))

    def test_collector_defaults_to_the_salesperson(self):
        salesperson = new_billing_user(self.env, "sales_aw", name="Sales")
        self.debtor_en.user_id = salesperson
        self.assertEqual(self._debtor(self.debtor_en).collector_id, salesperson)
        self.debtor_en.with_company(self.company).debtor_collector_id = self.collector
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.collector_id, self.collector)
        mine = (
            self.env["account.debtor"]
            .with_user(self.collector)
            .search([("collector_id", "=", self.collector.id)])
        )
        self.assertEqual(mine.partner_id, self.debtor_en)
        groups = self.env["account.debtor"]._read_group(
            [("partner_id", "in", (self.debtor_en | self.debtor_lv).ids)],
            ["collector_id"],
            ["amount_over_90:sum"],
        )
        self.assertIn((self.collector, 600.0), groups)

    def test_follow_ups_go_to_the_collector(self):
        self.debtor_en.with_company(self.company).debtor_collector_id = self.collector
        note = (
            self.env["account.debtor.correspondence"]
            .with_user(self.billing_user)
            .create(
                {
                    "partner_id": self.debtor_en.id,
                    "note": "Call back",
                    "next_action_date": "2026-06-18",
                }
            )
        )
        self.assertEqual(note.activity_id.user_id, self.collector)

    def test_worklist(self):
        self.debtor_en.with_company(self.company).debtor_collector_id = self.collector
        self.debtor_lv.with_company(self.company).debtor_collector_id = self.collector
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        other = self._create_debtor("Not Mine Ltd")
        self._create_invoice(other, 100.0, "2026-05-01")
        Entry = self.env["account.debtor.correspondence"]
        Entry.create(
            [
                {"partner_id": self.debtor_en.id, "next_action_date": "2026-06-15"},
                {"partner_id": self.debtor_lv.id, "next_action_date": "2026-06-30"},
                {"partner_id": other.id, "next_action_date": "2026-06-10"},
            ]
        )
        action = self.env.ref(
            "account_debtor_collection.action_account_debtor_worklist"
        )
        search_view = self.env.ref(
            "account_debtor_collection.account_debtor_view_search"
        )
        self.assertIn("search_default_my_debtors", action.context)
        self.assertIn("search_default_needs_action", action.context)
        self.assertIn('name="needs_action"', search_view.arch_db)
        Debtor = self.env["account.debtor"].with_user(self.collector)
        domain = [
            ("collector_id", "=", self.collector.id),
            "|",
            "|",
            "|",
            ("next_action_date", "<=", "2026-06-15"),
            ("promise_state", "=", "broken"),
            ("delivery_problem", "=", True),
            ("amount_disputed", ">", 0),
        ]
        self.assertEqual(Debtor.search(domain).partner_id, self.debtor_en)
        # a dispute opened on the other debtor puts it on the worklist too
        Entry.create(
            {
                "partner_id": self.debtor_lv.id,
                "kind": "dispute",
                "dispute_reason_id": self.env.ref(
                    "account_debtor_collection.dispute_reason_price"
                ).id,
                "move_ids": [
                    Command.set(
                        self.env["account.move"]
                        .search([("partner_id", "=", self.debtor_lv.id)])
                        .ids
                    )
                ],
            }
        )
        found = Debtor.search(domain, order="amount_overdue desc")
        self.assertEqual(found.partner_id, self.debtor_en | self.debtor_lv)
