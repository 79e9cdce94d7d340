from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestDebtorCorrespondence(DebtorCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._create_invoice(cls.debtor_lv, 500.0, "2026-06-01")
        cls.invoice_2 = cls._create_invoice(cls.debtor_lv, 300.0, "2026-06-10")
        cls.invoice_later = cls._create_invoice(cls.debtor_lv, 200.0, "2026-07-10")
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jānis Bērziņš", "parent_id": cls.debtor_lv.id}
        )
        cls.Log = cls.env["account.debtor.correspondence"]

    def test_note_create_edit_delete_keeps_overview_in_step(self):
        note = self.Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "contact_id": self.contact.id,
                "note": "Promised to pay next week",
                "promise_date": "2026-06-22",
                "next_action_date": "2026-06-23",
                "move_ids": [Command.set(self.invoice.ids)],
            }
        )
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(str(debtor.promise_date), "2026-06-22")
        self.assertEqual(str(debtor.next_action_date), "2026-06-23")
        self.assertEqual(str(self.invoice.debtor_promise_date), "2026-06-22")
        note.write({"promise_date": "2026-06-25", "next_action_date": "2026-06-26"})
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(str(debtor.promise_date), "2026-06-25")
        self.assertEqual(str(debtor.next_action_date), "2026-06-26")
        self.assertEqual(str(self.invoice.debtor_promise_date), "2026-06-25")
        note.unlink()
        debtor = self._debtor(self.debtor_lv)
        self.assertFalse(debtor.promise_date)
        self.assertFalse(debtor.next_action_date)
        self.assertFalse(self.invoice.debtor_promise_date)

    def test_edits_are_tracked(self):
        # the common fixtures disable tracking: turn it back on
        Log = self.Log.with_context(tracking_disable=False, mail_notrack=False)
        note = Log.create({"partner_id": self.debtor_lv.id, "note": "Called"})
        self.env.cr.precommit.run()  # as if created in an earlier transaction
        note.write({"note": "Called twice", "promise_date": "2026-06-30"})
        # tracking values are written when the transaction commits
        self.env.cr.precommit.run()
        tracked = note.message_ids.tracking_value_ids
        self.assertIn("note", tracked.field_id.mapped("name"))
        self.assertIn("promise_date", tracked.field_id.mapped("name"))
        old = tracked.filtered(lambda t: t.field_id.name == "note")
        self.assertEqual(old.old_value_text, "Called")
        self.assertEqual(old.new_value_text, "Called twice")

    def test_contact_of_another_debtor_refused(self):
        stranger = self.env["res.partner"].create(
            {"name": "Anne", "parent_id": self.debtor_en.id}
        )
        with self.assertRaisesRegex(
            ValidationError, "Anne is not a contact of SIA Koks"
        ):
            self.Log.create(
                {"partner_id": self.debtor_lv.id, "contact_id": stranger.id}
            )

    def test_invoice_of_another_debtor_refused(self):
        other = self._create_invoice(self.debtor_en, 10.0, "2026-06-01")
        with self.assertRaisesRegex(ValidationError, "belongs to another customer"):
            self.Log.create(
                {"partner_id": self.debtor_lv.id, "move_ids": [Command.set(other.ids)]}
            )

    def test_entry_of_a_contact_goes_to_its_debtor(self):
        note = self.Log.create({"partner_id": self.contact.id, "note": "x"})
        self.assertEqual(note.partner_id, self.debtor_lv)

    def test_promise_without_invoices_covers_the_overdue_ones(self):
        note = self.Log.create(
            {"partner_id": self.debtor_lv.id, "promise_date": "2026-06-20"}
        )
        self.assertEqual(note.move_ids, self.invoice | self.invoice_2)

    def test_promise_without_invoices_is_not_kept_at_once(self):
        nothing_unpaid = self._create_debtor("Paid Up Ltd", "en_US", "ap@paid.example")
        promise = self.Log.create(
            {"partner_id": nothing_unpaid.id, "promise_date": "2026-06-20"}
        )
        self.assertFalse(promise.move_ids)
        self.assertEqual(promise.promise_state, "pending")

    def test_promise_kept(self):
        note = self.Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "promise_date": "2026-06-20",
                "move_ids": [Command.set(self.invoice.ids)],
            }
        )
        self.assertEqual(note.promise_state, "pending")
        with freeze_time("2026-06-18"):
            self._pay(self.invoice, date="2026-06-18")
        self.assertEqual(note.promise_state, "kept")
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(debtor.promise_kept_count, 1)
        self.assertEqual(debtor.promise_state, "kept")

    def test_promise_broken_on_the_company_day(self):
        """At 22:30 UTC a company in Riga is on the next day: a promise for
        that UTC day is broken there (its reminders are dated the next day),
        whatever the time zone of the user or of the scheduled action."""
        note = self.Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "promise_date": "2026-06-20",
                "move_ids": [Command.set(self.invoice.ids)],
            }
        )
        self.company.partner_id.tz = "Europe/Riga"
        with freeze_time("2026-06-20 20:30:00"):  # 23:30 in Riga
            self.Log.with_context(tz="UTC")._cron_update_promise_state()
            self.assertEqual(note.promise_state, "pending")
        with freeze_time("2026-06-20 22:30:00"):  # 01:30 on the 21st in Riga
            self.Log.with_context(tz="UTC")._cron_update_promise_state()
            self.assertEqual(note.promise_state, "broken")

    def test_portal_promise_dated_by_the_company_day(self):
        """On the customer's page too, "today" is the company's day: at
        22:30 UTC a company in Riga is on the next day, so a promise for the
        UTC day is in the past, whoever opens the page and from where."""
        self.company.partner_id.tz = "Europe/Riga"
        Log = self.Log.sudo().with_context(tz="UTC")
        with freeze_time("2026-06-15 22:30:00"):
            with self.assertRaisesRegex(UserError, "cannot be in the past"):
                Log._create_portal_promise(
                    self.debtor_lv,
                    self.company,
                    self.debtor_lv,
                    self.invoice,
                    fields.Date.to_date("2026-06-15"),
                    "",
                )
            promise = Log._create_portal_promise(
                self.debtor_lv,
                self.company,
                self.debtor_lv,
                self.invoice,
                fields.Date.to_date("2026-06-16"),
                "",
            )
            self.assertEqual(promise.promise_state, "pending")
            self.assertEqual(
                Log._get_portal_pending_promise(self.debtor_lv, self.company), promise
            )

    def test_promise_broken_the_day_after(self):
        note = self.Log.create(
            {
                "partner_id": self.debtor_lv.id,
                "promise_date": "2026-06-20",
                "move_ids": [Command.set(self.invoice.ids)],
            }
        )
        with freeze_time("2026-06-20"):
            self.Log._cron_update_promise_state()
            self.assertEqual(note.promise_state, "pending")
        with freeze_time("2026-06-21"):
            self.Log._cron_update_promise_state()
            self.assertEqual(note.promise_state, "broken")
            debtor = self._debtor(self.debtor_lv)
            self.assertEqual(debtor.promise_state, "broken")
            self.assertEqual(debtor.promise_broken_count, 1)
            broken = self.env["account.debtor"].search(
                [
                    ("promise_state", "=", "broken"),
                    ("partner_id", "=", self.debtor_lv.id),
                ]
            )
            self.assertTrue(broken)
            # the broken promise no longer pauses the debtor
            wizard = self.env["account.debtor.remind"].create({"date": "2026-06-21"})
            wizard.action_select_overdue()
            self.assertIn(self.debtor_lv, wizard.partner_ids)
        # paid late, the promise stays broken
        with freeze_time("2026-06-24"):
            self._pay(self.invoice, date="2026-06-24")
        self.assertEqual(note.promise_state, "broken")

    def test_next_action_schedules_and_moves_an_activity(self):
        note = self.Log.create(
            {"partner_id": self.debtor_lv.id, "next_action_date": "2026-06-20"}
        )
        activity = note.activity_id
        self.assertTrue(activity)
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, self.debtor_lv.id)
        self.assertEqual(str(activity.date_deadline), "2026-06-20")
        self.assertEqual(activity.user_id, self.env.user)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref(
                "account_debtor_collection.mail_activity_type_debtor_followup"
            ),
        )
        note.next_action_date = "2026-06-27"
        self.assertEqual(note.activity_id, activity)
        self.assertEqual(str(activity.date_deadline), "2026-06-27")
        # a newer entry supersedes the older one's activity
        newer = self.Log.create(
            {"partner_id": self.debtor_lv.id, "next_action_date": "2026-07-01"}
        )
        self.assertFalse(activity.exists())
        self.assertEqual(len(self.debtor_lv.activity_ids), 1)
        newer.next_action_date = False
        self.assertFalse(self.debtor_lv.activity_ids)

    def test_action_due_filter(self):
        self.Log.create(
            {"partner_id": self.debtor_lv.id, "next_action_date": "2026-06-15"}
        )
        self.Log.create(
            {"partner_id": self.debtor_en.id, "next_action_date": "2026-06-16"}
        )
        self._create_invoice(self.debtor_en, 10.0, "2026-06-01")
        due = self.env["account.debtor"].search(
            [("next_action_date", "<=", "2026-06-15")]
        )
        self.assertEqual(due.partner_id, self.debtor_lv)

    def test_note_from_the_invoice(self):
        action = self.invoice.action_debtor_add_note()
        form = Form(self.Log.with_context(**action["context"]))
        form.contact_id = self.contact
        form.note = "Will pay on Friday"
        form.promise_date = "2026-06-19"
        form.next_action_date = "2026-06-22"
        note = form.save()
        self.assertEqual(note.kind, "note")
        self.assertEqual(note.partner_id, self.debtor_lv)
        self.assertEqual(note.move_ids, self.invoice)
        self.assertEqual(self.invoice.debtor_correspondence_ids, note)
        self.assertIn(note, self.debtor_lv.debtor_correspondence_ids)
        self.assertEqual(str(self.invoice.debtor_promise_date), "2026-06-19")

    def test_billing_user_writes_own_note_with_activity(self):
        note = self.Log.with_user(self.billing_user).create(
            {
                "partner_id": self.debtor_lv.id,
                "note": "Mine",
                "next_action_date": "2026-06-20",
            }
        )
        self.assertEqual(note.user_id, self.billing_user)
        self.assertEqual(note.activity_id.user_id, self.billing_user)
        note.with_user(self.billing_user).next_action_date = "2026-06-21"
        self.assertEqual(str(note.activity_id.date_deadline), "2026-06-21")

    def test_notes_are_internal(self):
        note = self.Log.create({"partner_id": self.debtor_lv.id, "note": "Internal"})
        portal = new_test_user(
            self.env, login="portal_debtor", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            note.with_user(portal).read(["note"])
        self.assertNotIn("Internal", self.debtor_lv.message_ids.mapped("body"))
