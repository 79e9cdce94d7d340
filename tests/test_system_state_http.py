import json

from odoo import SUPERUSER_ID, Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import TODAY, DebtorCollectionCommon

ACCESS_ERROR = "odoo.exceptions.AccessError"


@tagged("post_install", "-at_install")
class TestSystemStateHttp(DebtorCollectionCommon, HttpCase):
    """What only the addon sets (tests/test_system_state.py checks it
    through the ORM), asked for through the web client's own door: a billing
    user logged in over HTTP calling ``/web/dataset/call_kw`` with JSON-RPC,
    as any script with the user's session can. Each call answers an access
    error and leaves the record as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.invoice = cls._create_invoice(cls.debtor_en, 700.0, "2026-05-01")
        cls.admin = new_test_user(
            cls.env,
            login="system_state_http_admin",
            groups="base.group_user,base.group_system,account.group_account_manager",
        )
        # a reminder run the billing user sent: done, its line sent, its
        # reminder in the log in the billing user's name
        wizard = (
            cls.env["account.debtor.remind"]
            .with_user(cls.billing_user)
            .create({"date": TODAY, "partner_ids": [Command.set(cls.debtor_en.ids)]})
        )
        wizard.action_send()
        cls.sent_run = wizard.run_id
        cls.env(user=SUPERUSER_ID)["account.debtor.reminder.run"]._cron_send_runs()
        cls.line = cls.sent_run.line_ids
        cls.reminder = cls.line.correspondence_id

    def setUp(self):
        super().setUp()
        self.assertRecordValues(self.sent_run, [{"state": "done", "force": False}])
        self.assertEqual(self.line.state, "sent")
        self.assertEqual(self.reminder.user_id, self.billing_user, "its own")
        self.assertEqual(self.reminder.delivery_state, "queued")
        self.authenticate(self.billing_user.login, self.billing_user.login)

    def _call_kw(self, model, method, args, kwargs=None):
        """The JSON-RPC answer of ``model.method(*args, **kwargs)`` called as
        the web client calls it, with the logged-in user's session."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": {"context": {"lang": "en_US"}, **(kwargs or {})},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _write_calls(self, model, record_id, values):
        """The two ways the web client writes a record: ``write`` and
        ``web_save`` (its form's Save)."""
        return {
            "write": self._call_kw(model, "write", [[record_id], values]),
            "web_save": self._call_kw(
                model, "web_save", [[record_id], values], {"specification": {}}
            ),
        }

    def assertAccessError(self, answer, *words):
        """``answer`` is a JSON-RPC error of an access error (not a result,
        not another error: a session that expired would answer too), and its
        message names ``words``."""
        self.assertNotIn("result", answer)
        self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR, answer)
        for word in words:
            self.assertIn(word, answer["error"]["data"]["message"])

    def test_the_session_reads_and_writes_what_it_may(self):
        """Protects the control of the other tests: the billing user's
        session does reach the server (the access errors there are the
        addon's answers, not a missing login): it reads its run and writes an
        invoice's own fields."""
        answer = self._call_kw(
            "account.debtor.reminder.run",
            "read",
            [[self.sent_run.id], ["state", "sent_count"]],
        )
        self.assertEqual(
            answer["result"],
            [{"id": self.sent_run.id, "state": "done", "sent_count": 1}],
        )
        answer = self._call_kw(
            "account.move", "write", [[self.invoice.id], {"ref": "PO 42"}]
        )
        self.assertIs(answer["result"], True)
        self.invoice.invalidate_recordset(["ref"])
        self.assertEqual(self.invoice.ref, "PO 42")

    @mute_logger("odoo.http")
    def test_no_run_created_over_rpc(self):
        """Protects the runs: a billing user cannot create one over RPC
        (``create`` nor the form's ``web_save``), with the fields that
        would send as another user or remind again."""
        values = {
            "date": TODAY,
            "author_id": self.admin.partner_id.id,
            "user_id": self.admin.id,
            "force": True,
            "scheduled": True,
        }
        Run = self.env["account.debtor.reminder.run"]
        before = Run.search_count([])
        self.assertAccessError(
            self._call_kw(Run._name, "create", [values]),
        )
        self.assertAccessError(
            self._call_kw(Run._name, "web_save", [[], values], {"specification": {}}),
        )
        self.assertEqual(Run.search_count([]), before)

    @mute_logger("odoo.http")
    def test_no_run_or_line_changed_over_rpc(self):
        """Protects a finished run and its lines: state, Remind Again and
        the user of the run, the state of a line (a line back to 'to send'
        would be sent again) stay as the addon wrote them."""
        for method, answer in self._write_calls(
            self.sent_run._name,
            self.sent_run.id,
            {"state": "queued", "force": True, "user_id": self.admin.id},
        ).items():
            with self.subTest(model="run", method=method):
                self.assertAccessError(answer)
        for method, answer in self._write_calls(
            self.line._name, self.line.id, {"state": "to_send"}
        ).items():
            with self.subTest(model="line", method=method):
                self.assertAccessError(answer)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.sent_run,
            [{"state": "done", "force": False, "user_id": self.billing_user.id}],
        )
        self.assertEqual(self.line.state, "sent")
        self.assertFalse(
            self.env["account.debtor.reminder.run.line"].search_count(
                [("state", "=", "to_send")]
            )
        )

    @mute_logger("odoo.http")
    def test_no_delivery_state_written_over_rpc(self):
        """Protects the delivery state of a reminder, even one in the user's
        own name: written 'failed' by hand the reminder would stop counting
        (the one-a-day guard freed, the debtor reminded again)."""
        for method, answer in self._write_calls(
            self.reminder._name, self.reminder.id, {"delivery_state": "failed"}
        ).items():
            with self.subTest(method=method):
                self.assertAccessError(answer, "delivery_state")
        self.env.invalidate_all()
        self.assertEqual(self.reminder.delivery_state, "queued")
        self.assertEqual(
            self._debtor(self.debtor_en).last_reminder_date.isoformat(), TODAY
        )

    @mute_logger("odoo.http")
    def test_no_invoice_mark_written_over_rpc(self):
        """Protects the invoices' marks: 'in dispute' would take an invoice
        out of the reminders, 'compensation charged' would exempt it from
        the fee, without a dispute or a charges invoice."""
        for field in ("debtor_in_dispute", "debtor_fee_charged"):
            for method, answer in self._write_calls(
                self.invoice._name, self.invoice.id, {field: True}
            ).items():
                with self.subTest(field=field, method=method):
                    self.assertAccessError(answer, field)
        self.env.invalidate_all()
        self.assertRecordValues(
            self.invoice, [{"debtor_in_dispute": False, "debtor_fee_charged": False}]
        )
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 700.0)
