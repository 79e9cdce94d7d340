from datetime import timedelta

from odoo import SUPERUSER_ID, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import new_billing_user, post_invoices, workspace_panel

WORKSPACE_URL = "/odoo/action-account_debtor_collection.action_account_debtor"
# a page of invoices and a page of correspondence, whatever their number
PANEL_QUERY_COUNT = 10


@tagged("post_install", "-at_install")
class TestDebtorWorkspace(HttpCase):
    """The debtor workspace: the overview list with the panel of one debtor's
    invoices and correspondence, in the browser, as a billing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the statement is a PDF: not what these tests are about
        cls.company.debtor_reminder_attach_statement = False
        # the level a debtor never reminded gets first, named for the tour
        cls.env["account.debtor.reminder.level"].search(
            [("company_id", "=", cls.company.id)], limit=1
        ).name = "First Level"
        cls.today = cls.env.company._get_debtor_today()
        cls.user = new_billing_user(
            cls.env, "ws_collector", name="Workspace Collector", lang="en_US", tz="UTC"
        )
        Partner = cls.env["res.partner"]
        cls.debtor, cls.later_debtor, cls.excluded_debtor = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "lang": "en_US",
                    "email": email,
                }
                for name, email in (
                    ("Workspace Debtor", "ap@workspace-debtor.example"),
                    ("Later Debtor", "ap@later-debtor.example"),
                    ("Excluded Debtor", "ap@excluded-debtor.example"),
                )
            ]
        )
        cls.contact = Partner.create(
            {"name": "Anna Ozola", "parent_id": cls.debtor.id, "type": "contact"}
        )
        cls.excluded_debtor.with_company(cls.company).debtor_no_reminder = True
        cls.invoice_old, cls.invoice_recent = cls._create_invoices(
            cls.debtor, [(1000.0, -30), (250.0, -10)]
        )
        cls._create_invoices(cls.later_debtor, [(400.0, 10)])
        cls._create_invoices(cls.excluded_debtor, [(300.0, -5)])

    @classmethod
    def _create_invoices(cls, partner, amounts_and_days):
        """Post one invoice per (amount, due in days from today)."""
        return post_invoices(cls.env, partner, amounts_and_days, cls.today)

    def _debtor(self, partner):
        return self.env["account.debtor"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _log(self, partner, kind):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", kind)]
        )

    def _process_runs(self):
        """What the scheduled action does in production: send the runs."""
        Run = self.env(user=SUPERUSER_ID)["account.debtor.reminder.run"]
        while self.env["account.debtor.reminder.run.line"].search_count(
            [("state", "=", "to_send")]
        ):
            Run._cron_send_runs()

    def _start_tour(self, tour):
        self.start_tour(WORKSPACE_URL, tour, login=self.user.login)
        # the browser's requests changed the records behind this cache
        self.env.invalidate_all()

    # the screen, in the browser

    def test_select_debtor_shows_invoices(self):
        self._start_tour("account_debtor_workspace_invoices")

    def test_auditor_sees_no_action_buttons(self):
        auditor = new_test_user(
            self.env,
            login="ws_auditor",
            groups="base.group_user,account.group_account_readonly",
            lang="en_US",
            tz="UTC",
        )
        self.start_tour(
            WORKSPACE_URL, "account_debtor_workspace_auditor", login=auditor.login
        )

    def test_add_and_edit_note(self):
        self._start_tour("account_debtor_workspace_add_note")
        note = self._log(self.debtor, "note")
        self.assertEqual(len(note), 1)
        self.assertRecordValues(
            note,
            [
                {
                    "note": "Promised to pay by wire transfer",
                    "contact_id": self.contact.id,
                    "user_id": self.user.id,
                    "promise_date": fields.Date.to_date("2099-12-31"),
                    "promise_state": "pending",
                }
            ],
        )
        self.assertEqual(note.move_ids, self.invoice_old)
        self.assertEqual(str(self._debtor(self.debtor).promise_date), "2099-12-31")

        self._start_tour("account_debtor_workspace_edit_note")
        self.assertEqual(self._log(self.debtor, "note"), note)
        self.assertEqual(note.note, "Pays on Friday, confirmed twice")

    def test_hide_and_show_panel(self):
        self.assertFalse(self.user.debtor_workspace_panel_hidden)
        self._start_tour("account_debtor_workspace_hide_panel")
        self.assertTrue(self.user.debtor_workspace_panel_hidden)
        self._start_tour("account_debtor_workspace_show_panel")
        self.assertFalse(self.user.debtor_workspace_panel_hidden)

    def test_remind_from_panel(self):
        self._start_tour("account_debtor_workspace_remind")
        self.assertFalse(self._log(self.debtor, "reminder"), "queued, not sent yet")
        self._process_runs()
        self._start_tour("account_debtor_workspace_reminder_logged")
        reminder = self._log(self.debtor, "reminder")
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.user_id, self.user)
        self.assertEqual(reminder.move_ids, self.invoice_old | self.invoice_recent)
        self.assertEqual(reminder.recipient_ids, self.debtor)
        self.assertIn(self.invoice_old.name, reminder.mail_message_id.body)
        self.assertEqual(self._debtor(self.debtor).last_reminder_date, self.today)

    def test_select_overdue_at_date_and_remind(self):
        self._start_tour("account_debtor_workspace_select_overdue")
        self._process_runs()
        self.assertFalse(
            self._log(self.later_debtor, "reminder"),
            "overdue only at a date to come, which cannot be sent",
        )
        self.assertEqual(len(self._log(self.debtor, "reminder")), 1)
        self.assertFalse(self._log(self.excluded_debtor, "reminder"))

    def test_show_more_invoices(self):
        many = self.env["res.partner"].create(
            {"name": "Many Invoices Debtor", "is_company": True}
        )
        self._create_invoices(many, [(10.0 + n, n - 50) for n in range(45)])
        self._start_tour("account_debtor_workspace_show_more")

    # the panel's server side

    def test_panel_pages_in_few_queries(self):
        many = self.env["res.partner"].create(
            {"name": "Many Invoices Debtor", "is_company": True}
        )
        # 60 invoices, one due each day from 60 days ago
        self._create_invoices(many, [(10.0 + n, n - 60) for n in range(60)])
        entries = self.env["account.debtor.correspondence"].create(
            [
                {
                    "partner_id": many.id,
                    "date": self.today - timedelta(days=n),
                    "note": f"Call {n}",
                    "user_id": self.user.id,
                }
                for n in range(45)
            ]
        )
        debtor = self._debtor(many).with_user(self.user)
        # once, for the caches that outlive a request (access rules, ...):
        # from an empty record cache, as a request starts
        for _warm_up in range(2):
            self.env.invalidate_all()
            workspace_panel(debtor)
        self.env.invalidate_all()
        with self.assertQueryCount(PANEL_QUERY_COUNT):
            first = workspace_panel(debtor)
        self.assertTrue(first["found"])
        self.assertEqual(first["invoice_count"], 60)
        self.assertEqual(len(first["invoices"]), 40)
        self.assertEqual(first["entry_count"], 45)
        self.assertEqual(len(first["entries"]), 40)
        oldest = first["invoices"][0]
        self.assertEqual(oldest["amount_residual"], 10.0)
        self.assertEqual(oldest["date_due"], str(self.today - timedelta(days=60)))
        self.assertEqual(oldest["days_late"], 60)
        self.assertEqual(first["entries"][0]["note"], "Call 0", "newest first")
        self.assertTrue(all(entry["editable"] for entry in first["entries"]))

        self.env.invalidate_all()
        with self.assertQueryCount(PANEL_QUERY_COUNT):
            second = workspace_panel(debtor, invoice_offset=40, log_offset=40)
        self.assertEqual(len(second["invoices"]), 20)
        self.assertEqual(len(second["entries"]), 5)
        ids = [invoice["id"] for invoice in first["invoices"] + second["invoices"]]
        self.assertEqual(len(set(ids)), 60, "no invoice twice, none left out")
        self.assertEqual(second["invoices"][-1]["days_late"], 1)

        # "show more" of one list leaves the other out
        more = workspace_panel(debtor, invoice_offset=40, log_limit=0)
        self.assertEqual((len(more["invoices"]), more["entries"]), (20, []))

        # at another date, the days late follow
        later = workspace_panel(
            debtor.with_context(debtor_as_of_date=str(self.today + timedelta(days=10))),
            invoice_limit=1,
            log_limit=0,
        )
        self.assertEqual(later["invoices"][0]["days_late"], 70)

        # another user's entry: shown, not editable by a billing user
        entries[0].user_id = self.env.ref("base.user_admin")
        panel = workspace_panel(debtor, log_limit=1, invoice_limit=0)
        self.assertFalse(panel["entries"][0]["editable"])

    def test_overdue_ids_and_reminder_follow_the_date(self):
        Workspace = self.env["account.debtor.workspace"].with_user(self.user)
        debtor, later = self._debtor(self.debtor), self._debtor(self.later_debtor)
        self.assertEqual(Workspace.get_workspace_overdue_ids(), debtor.ids)
        as_of = str(self.today + timedelta(days=20))
        Workspace = Workspace.with_context(debtor_as_of_date=as_of)
        self.assertEqual(
            sorted(Workspace.get_workspace_overdue_ids()), sorted((debtor | later).ids)
        )
        action = Workspace.action_open_workspace_reminder(later.ids)
        wizard = self.env["account.debtor.remind"].browse(action["res_id"])
        self.assertEqual(str(wizard.date), as_of)
        self.assertEqual(wizard.partner_ids, self.later_debtor)
        self.assertEqual(wizard.line_ids.state, "to_send")
