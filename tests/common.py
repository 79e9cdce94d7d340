from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = "2026-06-15"
# where a run logs a debtor that failed, with the details its line leaves out
RUN_LOGGER = "odoo.addons.account_debtor_collection.models.account_debtor_reminder_run"
UNEXPECTED_FAILURE = (
    "Not sent: An unexpected error occurred; the details are in the server log."
)


def workspace_panel(debtor, **kwargs):
    """The workspace panel of ``debtor`` as the web client asks for it: by its
    id, in its environment (user, context)."""
    return debtor.env["account.debtor.workspace"].get_workspace_panel(
        debtor.ids, **kwargs
    )


def post_invoices(env, partner, amounts_and_days, today):
    """Post one invoice of ``partner`` per (amount, due in days from
    ``today``), each dated 30 days before its due date, without taxes."""
    moves = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today + timedelta(days=days - 30),
                "invoice_payment_term_id": False,
                "invoice_date_due": today + timedelta(days=days),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Consulting",
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
            for amount, days in amounts_and_days
        ]
    )
    moves.action_post()
    return moves


def new_billing_user(env, login, **values):
    """A user with billing rights only, in the current company."""
    return new_test_user(
        env,
        login=login,
        name=values.pop("name", login.title()),
        email=f"{login}@company.example",
        groups="base.group_user,account.group_account_invoice",
        company_id=env.company.id,
        company_ids=[Command.set(env.company.ids)],
        **values,
    )


class DebtorCollectionCommon(AccountTestInvoicingCommon):
    """Debtors with invoices on fixed dates; "today" is 15 June 2026."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.startClassPatcher(freeze_time(TODAY))
        cls.env.ref("base.lang_lv").active = True
        cls.env["ir.module.module"]._load_module_terms(
            ["account_debtor_collection"], ["lv_LV"], overwrite=True
        )
        cls.company = cls.env.company
        cls.company.debtor_reminder_interval = 7
        cls.eur = cls.env.ref("base.EUR")
        cls.debtor_lv = cls._create_debtor("SIA Koks", "lv_LV", "birojs@koks.example")
        cls.debtor_en = cls._create_debtor(
            "Northwind Ltd", "en_US", "ap@northwind.example"
        )
        cls.billing_user = new_billing_user(cls.env, "billing", name="Billing User")

    @classmethod
    def _create_debtor(cls, name, lang="en_US", email=False, **values):
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "lang": lang, "email": email, **values}
        )

    @classmethod
    def _create_invoice(
        cls,
        partner,
        amount,
        due_date,
        invoice_date=None,
        currency=None,
        move_type="out_invoice",
        company=None,
        post=True,
        payment_term=None,
    ):
        """An invoice of ``amount`` due on ``due_date``; with ``payment_term``
        its due dates (installments) come from the terms instead."""
        company = company or cls.env.company
        values = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": invoice_date or due_date,
            "invoice_payment_term_id": payment_term.id if payment_term else False,
            "currency_id": (currency or company.currency_id).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Goods",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [],
                    }
                )
            ],
        }
        if not payment_term:
            values["invoice_date_due"] = due_date
        move = cls.env["account.move"].with_company(company).create(values)
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoice, amount=None, date=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount or invoice.amount_residual,
                    "payment_date": date or fields.Date.today(),
                }
            )
        )
        return wizard._create_payments()

    def _debtor(self, partner, company=None, as_of=None):
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date=as_of)
        Debtor.invalidate_model()
        return Debtor.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.env.company).id),
            ]
        )

    def _process_runs(self):
        """Run the scheduled action that sends the queued reminder runs, as
        its worker would, until nothing is left to send."""
        Run = self._cron_env()["account.debtor.reminder.run"]
        Line = self.env["account.debtor.reminder.run.line"]
        for _call in range(50):
            if not Line.search_count([("state", "=", "to_send")]):
                break
            Run._cron_send_runs()
        self.env.invalidate_all()

    def _cron_env(self):
        """The environment of the scheduled actions: their user, root."""
        return self.env(user=SUPERUSER_ID)

    def _send(self, wizard):
        """Press Send in the wizard, then let the background job send."""
        wizard.action_send()
        self._process_runs()
        return wizard.run_id
