from datetime import timedelta

from odoo import SUPERUSER_ID, Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import new_billing_user
from .test_reminder_channels import REPLY_EMAIL
from .test_workspace_tour import WORKSPACE_URL

LEVELS_URL = (
    "/odoo/action-account_debtor_collection.action_account_debtor_reminder_level"
)


@tagged("post_install", "-at_install")
class TestChannelTours(HttpCase):
    """The level form's channels and a customer's reply in the workspace's
    timeline, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.debtor_reminder_attach_statement = False

    def test_level_form_channels(self):
        manager = new_test_user(
            self.env,
            login="level_manager",
            groups="base.group_user,account.group_account_manager",
            lang="en_US",
            tz="UTC",
        )
        level = self.env["account.debtor.reminder.level"].create(
            {
                "name": "Channel Level",
                "sequence": 50,
                "delay": 60,
                "mail_template_id": self.env.ref(
                    "account_debtor_collection.mail_template_debtor_reminder"
                ).id,
            }
        )
        self.start_tour(
            LEVELS_URL, "account_debtor_level_channels", login=manager.login
        )
        level.invalidate_recordset()
        self.assertRecordValues(
            level,
            [
                {
                    "channel": "sms",
                    "fallback_channel": "letter",
                    "sms_text": "{company}: {amount} overdue. Pay: {url}",
                }
            ],
        )

    def test_reply_in_the_timeline(self):
        user = new_billing_user(
            self.env, "reply_collector", name="Reply Collector", lang="en_US", tz="UTC"
        )
        debtor = self.env["res.partner"].create(
            {"name": "Reply Debtor", "is_company": True, "lang": "en_US"}
        )
        self.env["res.partner"].create(
            {
                "name": "Jane Payables",
                "parent_id": debtor.id,
                "type": "invoice",
                "email": "jane@northwind.example",
            }
        )
        today = self.env.company._get_debtor_today()
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": debtor.id,
                "invoice_date": today - timedelta(days=60),
                "invoice_payment_term_id": False,
                "invoice_date_due": today - timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": 500.0}
                    )
                ],
            }
        )
        invoice.action_post()
        wizard = self.env["account.debtor.remind"].create(
            {"date": today, "partner_ids": [Command.set(debtor.ids)]}
        )
        wizard.action_send()
        Run = self.env(user=SUPERUSER_ID)["account.debtor.reminder.run"]
        Run._cron_send_runs()
        reminder = self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", debtor.id), ("kind", "=", "reminder")]
        )
        self.assertTrue(reminder.mail_message_id)
        self.env["mail.thread"].message_process(
            None,
            REPLY_EMAIL.format(
                to="catchall@company.example",
                parent=reminder.mail_message_id.message_id,
                invoice=invoice.name,
            ),
        )
        self.start_tour(
            WORKSPACE_URL, "account_debtor_reply_timeline", login=user.login
        )
