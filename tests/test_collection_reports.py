from datetime import date

from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import DebtorCollectionCommon, new_billing_user


@tagged("post_install", "-at_install")
class TestCollectionReports(DebtorCollectionCommon):
    """Receivables Ageing opens on a bucket with money; My Worklist holds a
    disputing customer nobody collects from for whoever got its activity."""

    def _filter_domain(self, name, user):
        """The domain of a filter of the overview's search view, as the web
        client evaluates it for ``user`` today."""
        arch = etree.fromstring(
            self.env.ref("account_debtor_collection.account_debtor_view_search").arch
        )
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return safe_eval(
            node.get("domain"),
            {"uid": user.id, "context_today": lambda: date(2026, 6, 15)},
        )

    def test_ageing_opens_on_a_bucket_with_money(self):
        Debtor = self.env["account.debtor"]
        self.assertEqual(
            Debtor.action_open_ageing()["context"]["graph_measure"], "amount_due"
        )
        self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")  # 45 days late
        action = Debtor.action_open_ageing()
        self.assertEqual(action["context"]["graph_measure"], "amount_31_60")
        self.assertEqual(action["res_model"], "account.debtor")
        self._create_invoice(self.debtor_en, 100.0, "2026-01-15")  # over 90
        self.assertEqual(
            Debtor.action_open_ageing()["context"]["graph_measure"], "amount_over_90"
        )
        # the menu's server action, as a billing user (no write on the overview)
        server_action = self.env.ref(
            "account_debtor_collection.action_account_debtor_ageing_open"
        )
        result = server_action.with_user(self.billing_user).run()
        self.assertEqual(result["context"]["graph_measure"], "amount_over_90")
        menu = self.env.ref("account_debtor_collection.menu_account_debtor_ageing")
        self.assertEqual(
            menu.action,
            self.env.ref("account_debtor_collection.action_account_debtor_ageing_open"),
        )

    def test_worklist_holds_a_dispute_nobody_collects(self):
        helper = new_billing_user(self.env, "helper", name="Helper")
        self.assertFalse(self.debtor_lv.user_id)
        invoice = self._create_invoice(self.debtor_lv, 100.0, "2026-05-01")
        self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_lv.id,
                "kind": "dispute",
                "dispute_reason_id": self.env.ref(
                    "account_debtor_collection.dispute_reason_price"
                ).id,
                "move_ids": [Command.set(invoice.ids)],
            }
        )
        Debtor = self.env["account.debtor"].with_user(helper)

        def worklist():
            domain = self._filter_domain("my_debtors", helper) + self._filter_domain(
                "needs_action", helper
            )
            return Debtor.search(domain).partner_id

        self.assertNotIn(self.debtor_lv, worklist())
        # the customer's answer online gave the helper the activity
        self.debtor_lv.activity_schedule(
            "mail.mail_activity_data_todo", user_id=helper.id, summary="Dispute"
        )
        self.assertIn(self.debtor_lv, worklist())
        # with a salesperson, it is the salesperson's
        self.debtor_lv.user_id = self.env.user
        self.assertNotIn(self.debtor_lv, worklist())

    def test_auditor_switch_on_the_user_form(self):
        """Community hides the read-only group from the user form: the
        addon's switch gives it (README, Who may do what)."""
        group = self.env.ref("account.group_account_readonly")
        user = new_billing_user(self.env, "auditor", name="Auditor")
        user.groups_id = [
            Command.unlink(self.env.ref("account.group_account_invoice").id)
        ]
        self.assertNotIn(
            f"in_group_{group.id}", self.env.ref("base.user_groups_view").arch
        )
        user.debtor_auditor = True
        self.assertIn(group, user.groups_id)
        self.assertTrue(self.env["account.debtor"].with_user(user).has_access("read"))
        self.assertFalse(
            self.env["account.debtor.correspondence"]
            .with_user(user)
            .has_access("create")
        )
        user.debtor_auditor = False
        self.assertNotIn(group, user.groups_id)
