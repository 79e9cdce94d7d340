from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date, html2plaintext, plaintext2html

from .account_debtor_reminder_level import REMINDER_CHANNELS

# How many past promises one call of the daily check settles.
PROMISE_BATCH_SIZE = 1000
# A follow-up activity copies at most this much of its note.
ACTIVITY_NOTE_LENGTH = 2000
# At most this many entries per debtor and hour from its collection page.
PORTAL_ENTRIES_PER_HOUR = 5
# The notifications that tell where a reminder is: its e-mail's, its SMS's
# (sms), its letter by post's (snailmail).
DELIVERY_NOTIFICATION_TYPES = ("email", "sms", "snail")
# The longest message a customer writes on its collection page.
PORTAL_MESSAGE_LENGTH = 2000


def shorten_note(note, length):
    """``note`` cut to ``length`` characters, with an ellipsis if cut."""
    note = note or ""
    return note if len(note) <= length else note[: length - 1].rstrip() + "…"


class AccountDebtorCorrespondence(models.Model):
    """The collection log: reminders sent to a debtor and notes of contacts.

    A note records who was spoken to, what was said or promised, the date the
    debtor promised to pay (``promise_date``) and the date to check again
    (``next_action_date``, which schedules an activity on the debtor).

    A promise is *pending* while its date has not passed and its invoices are
    not all paid, *kept* when they were paid by its date, *broken* otherwise.
    A daily job breaks the pending promises whose date has passed.

    At most one reminder per debtor, company and day: a unique index makes a
    second one fail, also when two users or a scheduled job send at once.

    ``source`` says who wrote an entry: a user, or the debtor itself on its
    collection page (``_create_portal_promise``, ``_create_portal_dispute``:
    the contact is the author, the collector gets an activity).
    """

    _name = "account.debtor.correspondence"
    _description = "Debtor Correspondence"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        ondelete="cascade",
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    kind = fields.Selection(
        selection=[
            ("reminder", "Payment Reminder"),
            ("note", "Note"),
            ("dispute", "Dispute"),
            ("reply", "Reply"),
        ],
        required=True,
        default="note",
        readonly=True,
    )
    source = fields.Selection(
        selection=[
            ("user", "User"),
            ("portal", "Customer Portal"),
            ("email", "Customer's E-mail"),
        ],
        required=True,
        default="user",
        readonly=True,
        help="Who wrote the entry: a user of the company, or the customer "
        "itself on its collection page or by answering a reminder.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        index=True,
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Contact Person",
        tracking=True,
        domain="[('commercial_partner_id', '=', partner_id)]",
    )
    move_ids = fields.Many2many(
        "account.move",
        relation="account_debtor_correspondence_move_rel",
        column1="correspondence_id",
        column2="move_id",
        string="Invoices",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id),"
        " ('move_type', 'in', ('out_invoice', 'out_refund')),"
        " ('state', '=', 'posted')]",
    )
    note = fields.Text(tracking=True)
    promise_date = fields.Date(
        string="Promised Payment Date",
        tracking=True,
        help="The date by which the debtor promised to pay the invoices.",
    )
    promise_state = fields.Selection(
        selection=[("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")],
        compute="_compute_promise_state",
        store=True,
        index=True,
        tracking=True,
    )
    next_action_date = fields.Date(
        tracking=True,
        help="The date to remind again or to check that the debt is paid; "
        "schedules an activity on the debtor.",
    )
    dispute_state = fields.Selection(
        selection=[("open", "Open"), ("resolved", "Resolved")],
        tracking=True,
        index=True,
        help="An open dispute keeps its invoices out of the reminders.",
    )
    dispute_reason_id = fields.Many2one(
        "account.debtor.dispute.reason",
        tracking=True,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)
    delivery_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null"
    )
    mail_message_id = fields.Many2one(
        "mail.message", string="E-mail", readonly=True, ondelete="set null", index=True
    )
    delivery_state = fields.Selection(
        selection=[
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("bounced", "Bounced"),
            ("failed", "Failed"),
        ],
        compute="_compute_delivery_state",
        store=True,
        help="Where the reminder's e-mail, SMS or letter by post is, from "
        "Odoo's notifications of its message: queued, sent, bounced (reported "
        "back by the recipient's server or operator) or failed (it could not "
        "leave).",
    )
    recipient_ids = fields.Many2many(
        "res.partner",
        relation="account_debtor_correspondence_recipient_rel",
        column1="correspondence_id",
        column2="partner_id",
        string="Sent To",
        readonly=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_reminded = fields.Monetary(
        readonly=True,
        help="What the reminder asked the debtor to pay, in company currency: "
        "its overdue amount at the run's date, as the e-mail showed it.",
    )
    template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        readonly=True,
        ondelete="set null",
        help="The template the reminder was written with.",
    )
    level_id = fields.Many2one(
        "account.debtor.reminder.level",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The level the reminder was sent at.",
    )
    channel = fields.Selection(
        selection=REMINDER_CHANNELS,
        readonly=True,
        help="How the reminder went to the debtor.",
    )
    call_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null"
    )
    charge_move_id = fields.Many2one(
        "account.move",
        string="Charges Invoice",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The invoice of the late-payment charges claimed by this reminder.",
    )

    def init(self):
        # The guard against sending a debtor two reminders: a second insert for
        # the same day waits for the first transaction, then fails. A reminder
        # that bounced or failed leaves the index: it may be sent again.
        self.env.cr.execute(
            SQL("DROP INDEX IF EXISTS account_debtor_correspondence_one_reminder_a_day")
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS
                    account_debtor_correspondence_one_delivered_reminder_a_day
                    ON account_debtor_correspondence (partner_id, company_id, date)
                 WHERE kind = 'reminder'
                   AND delivery_state IS DISTINCT FROM 'bounced'
                   AND delivery_state IS DISTINCT FROM 'failed'
                """
            )
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS
                    account_debtor_correspondence_debtor_date_index
                    ON account_debtor_correspondence
                       (partner_id, company_id, date DESC, id DESC)
                """
            )
        )

    @api.depends("promise_date", "move_ids.payment_state", "move_ids.amount_residual")
    def _compute_promise_state(self):
        today = fields.Date.context_today(self)
        for entry in self:
            if not entry.promise_date:
                entry.promise_state = False
            # a promise about no invoice (the debtor had none unpaid) is not
            # kept by that: it is judged by its date alone
            elif entry.move_ids and all(
                move.payment_state in ("paid", "in_payment", "reversed")
                for move in entry.move_ids
            ):
                paid_date = entry._get_moves_paid_date() or today
                entry.promise_state = (
                    "kept" if paid_date <= entry.promise_date else "broken"
                )
            elif entry.promise_date < today:
                entry.promise_state = "broken"
            else:
                entry.promise_state = "pending"

    @api.depends("kind", "mail_message_id.notification_ids.notification_status")
    def _compute_delivery_state(self):
        for entry in self:
            # the e-mail's, the SMS's or the letter by post's notifications
            statuses = set(
                entry.mail_message_id.notification_ids.filtered(
                    lambda n: n.notification_type in DELIVERY_NOTIFICATION_TYPES
                ).mapped("notification_status")
            )
            if not entry.mail_message_id or entry.kind != "reminder":
                entry.delivery_state = False
            elif "bounce" in statuses:
                entry.delivery_state = "bounced"
            elif statuses & {"exception", "canceled"}:
                entry.delivery_state = "failed"
            # "pending": an SMS handed to the operator, its delivery report
            # not back yet
            elif statuses and statuses <= {"sent", "pending"}:
                entry.delivery_state = "sent"
            else:
                entry.delivery_state = "queued"

    def _get_follow_up_user(self):
        """Who follows this entry up: the debtor's collector, else the
        entry's author."""
        self.ensure_one()
        return self.partner_id._get_debtor_collector(self.company_id) or self.user_id

    def _notify_delivery_problem(self):
        """Tell the collector that a reminder did not reach the debtor: an
        activity on the debtor, once per reminder."""
        for entry in self.filtered(
            lambda e: e.kind == "reminder" and not e.delivery_activity_id
        ):
            # sudo: see _sync_next_action_activity; the activity mirrors the
            # entry, whose state Odoo's mail notifications set
            # in the collector's language
            collector_env = self.with_context(lang=entry._get_follow_up_user().lang).env
            states = dict(
                self._fields["delivery_state"]._description_selection(collector_env)
            )
            activity = entry.partner_id.sudo().activity_schedule(
                "account_debtor_collection.mail_activity_type_debtor_delivery_problem",
                user_id=entry._get_follow_up_user().id,
                summary=collector_env._(
                    "The reminder of %(date)s to %(debtor)s did not arrive: %(state)s",
                    date=format_date(collector_env, entry.date),
                    debtor=entry.partner_id.name,
                    state=states[entry.delivery_state],
                ),
                note=plaintext2html(
                    collector_env._(
                        "Check the e-mail address, then send the reminder again: a "
                        "reminder that did not arrive does not hold back the next one."
                    )
                ),
            )
            entry.sudo().delivery_activity_id = activity

    @api.constrains("kind", "move_ids", "dispute_reason_id")
    def _check_dispute(self):
        for entry in self.filtered(lambda e: e.kind == "dispute"):
            if not entry.move_ids:
                raise ValidationError(
                    self.env._("A dispute is about one or more invoices: name them.")
                )
            if not entry.dispute_reason_id:
                raise ValidationError(self.env._("Give the reason of the dispute."))

    def action_resolve_dispute(self):
        """Close these disputes: their invoices are reminded again. Logged in
        the entries' history (the state is tracked)."""
        disputes = self.filtered(
            lambda e: e.kind == "dispute" and e.dispute_state == "open"
        )
        disputes.write({"dispute_state": "resolved"})
        return True

    @api.constrains("partner_id", "contact_id")
    def _check_contact_id(self):
        for entry in self:
            if (
                entry.contact_id
                and entry.contact_id.commercial_partner_id != entry.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(contact)s is not a contact of %(debtor)s: choose one "
                        "of the debtor's own contacts.",
                        contact=entry.contact_id.display_name,
                        debtor=entry.partner_id.display_name,
                    )
                )

    @api.constrains("partner_id", "move_ids")
    def _check_move_ids(self):
        for entry in self:
            # an entry without a customer of its own (a miscellaneous charge)
            # belongs to the partner of its lines
            foreign = entry.move_ids.filtered(
                lambda move, entry=entry: (
                    move.commercial_partner_id != entry.partner_id
                    and entry.partner_id
                    not in move.line_ids.partner_id.commercial_partner_id
                )
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s belongs to another customer than "
                        "%(debtor)s.",
                        invoice=foreign[0].display_name,
                        debtor=entry.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                # The log is kept per debtor: a contact's entry goes to its
                # commercial partner.
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
            self._check_user_values(vals, creating=True)
            if not self.env.is_superuser():
                # not from a default in the context either: only the portal
                # (as superuser) writes the customer's entries
                vals["source"] = "user"
            if vals.get("kind") == "dispute":
                vals.setdefault("dispute_state", "open")
        entries = super().create(vals_list)
        entries._link_promised_moves()
        entries._sync_next_action_activity()
        entries._create_charge_invoices()
        return entries

    def write(self, vals):
        self._check_user_values(vals, creating=False)
        res = super().write(vals)
        if "promise_date" in vals:
            self._link_promised_moves()
        if {"next_action_date", "user_id"} & vals.keys():
            self._sync_next_action_activity()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_reminder(self):
        if not self.env.is_superuser() and any(e.kind == "reminder" for e in self):
            raise UserError(
                self.env._("A reminder stays in the log: only notes can be deleted.")
            )

    def unlink(self):
        # sudo: see _sync_next_action_activity
        self.activity_id.sudo().unlink()
        return super().unlink()

    @api.model
    def _get_user_kinds(self):
        """The kinds of entries users write; the others come from the addon."""
        return ("note", "dispute")

    @api.model
    def _get_system_fields(self):
        """Fields only the addon itself sets: what makes an entry a reminder,
        who wrote it, what was sent."""
        return {
            "kind",
            "source",
            "mail_message_id",
            "recipient_ids",
            "amount_reminded",
            "template_id",
            "activity_id",
            "delivery_activity_id",
            "level_id",
            "channel",
            "call_activity_id",
            "charge_move_id",
        }

    def _check_user_values(self, vals, creating):
        """Users write notes; the addon's own sending (as superuser) writes
        reminders. Refuses what would forge the log."""
        if self.env.is_superuser():
            return
        forged = self._get_system_fields() & vals.keys()
        if creating and vals.get("kind", "note") in self._get_user_kinds():
            forged.discard("kind")
        if forged:
            raise AccessError(
                self.env._(
                    "Only the addon's own sending records reminders: %(fields)s "
                    "cannot be set by hand.",
                    fields=", ".join(sorted(forged)),
                )
            )
        is_accountant = self.env.user.has_group("account.group_account_user")
        if "user_id" in vals and not is_accountant:
            if vals["user_id"] != self.env.user.id:
                raise AccessError(
                    self.env._("You can write notes in your own name only.")
                )
        if not creating and self.filtered(lambda entry: entry.kind == "reminder"):
            locked = {"partner_id", "company_id", "date", "user_id", "move_ids"}
            if locked & vals.keys():
                raise AccessError(
                    self.env._(
                        "The debtor, date, author and invoices of a reminder "
                        "cannot change."
                    )
                )

    def action_open_entry(self):
        """Open this entry in a dialog, to read it or edit it."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correspondence"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    @api.model
    def _action_new_dispute(self, partner, company, moves):
        """Action opening a new dispute of ``partner`` about ``moves``."""
        action = self._action_new_note(partner, company, moves)
        action["name"] = self.env._("New Dispute")
        action["context"]["default_kind"] = "dispute"
        return action

    @api.model
    def _action_new_note(self, partner, company, moves=None):
        """Action opening a new note about ``partner`` (and ``moves``)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Note"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": partner.commercial_partner_id.id,
                "default_company_id": company.id,
                "default_move_ids": (moves or self.env["account.move"]).ids,
                "default_kind": "note",
            },
        }

    def _get_moves_paid_date(self):
        """The date the last of the invoices was paid: the latest date of the
        reconciliations that settled them."""
        self.ensure_one()
        lines = self.move_ids.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        partials = lines.matched_credit_ids | lines.matched_debit_ids
        return max(partials.mapped("max_date"), default=False)

    def _link_promised_moves(self):
        """A promise without invoices is about the debtor's overdue invoices
        (or, having none overdue, its unpaid ones): link them."""
        to_link = self.filtered(lambda e: e.promise_date and not e.move_ids)
        if not to_link:
            return
        today = fields.Date.context_today(self)
        Debtor = self.env["account.debtor"]
        for company in to_link.company_id:
            entries = to_link.filtered(lambda e, c=company: e.company_id == c)
            lines = self.env["account.move.line"].search(
                [
                    *Debtor._get_debtor_item_domain(entries.partner_id, company),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("amount_residual", ">", 0),
                ]
            )
            for entry in entries:
                open_lines = lines.filtered(
                    lambda line, entry=entry: (
                        line.partner_id.commercial_partner_id == entry.partner_id
                    )
                )
                overdue = open_lines.filtered(
                    lambda line: Debtor._get_item_due_date(line) < today
                )
                # sudo: derived from the promise the user was allowed to write
                entry.sudo().move_ids = (overdue or open_lines).move_id

    def _sync_next_action_activity(self):
        """Keep one follow-up activity per entry with a next action date, due
        that day; a newer entry for the same debtor supersedes older ones.

        The activities are on the debtor, which billing users may not write:
        they are created, moved and deleted as superuser. Safe: they only
        mirror entries the user was allowed to write (this runs after the
        entry's own create or write), with values taken from those entries.
        """
        (self.filtered(lambda e: not e.next_action_date).activity_id).sudo().unlink()
        dated = self.filtered("next_action_date")
        for entry in dated.filtered("activity_id"):
            entry.activity_id.sudo().write(
                {
                    "date_deadline": entry.next_action_date,
                    "user_id": entry._get_follow_up_user().id,
                }
            )
        to_schedule = dated - dated.filtered("activity_id")
        if not to_schedule:
            return
        keys = {(e.partner_id, e.company_id) for e in to_schedule}
        superseded = (
            self.sudo()
            .search(
                [
                    ("partner_id", "in", to_schedule.partner_id.ids),
                    ("activity_id", "!=", False),
                    ("id", "not in", to_schedule.ids),
                ]
            )
            .filtered(lambda old: (old.partner_id, old.company_id) in keys)
        )
        superseded.activity_id.unlink()
        for entry in to_schedule:
            activity = entry.partner_id.sudo().activity_schedule(
                "account_debtor_collection.mail_activity_type_debtor_followup",
                date_deadline=entry.next_action_date,
                user_id=entry._get_follow_up_user().id,
                summary=self.env._(
                    "Follow up the debt of %(debtor)s", debtor=entry.partner_id.name
                ),
                note=plaintext2html(shorten_note(entry.note, ACTIVITY_NOTE_LENGTH)),
            )
            entry.sudo().activity_id = activity

    # ------------------------------------------------------------------
    # Escalation: late-payment charges, phone calls
    # ------------------------------------------------------------------

    def _create_charge_invoices(self):
        """When the company invoices late-payment charges, a reminder of a
        level with charges creates and posts its customer invoice (one line
        of interest and one of compensation per late invoice), linked from
        the entry; the late invoices remember what was claimed, so that a
        later reminder does not claim it again. The amounts are those the
        reminder shows, at the context's ``debtor_as_of_date``."""
        to_charge = self.filtered(
            lambda entry: (
                entry.kind == "reminder"
                and entry.level_id
                and entry.level_id._has_charges()
                and entry.company_id.debtor_charge_invoice
            )
        )
        if not to_charge:
            return
        Debtor = self.env["account.debtor"]
        as_of_date = Debtor._get_as_of_date()
        for company in to_charge.company_id:
            entries = to_charge.filtered(lambda e, c=company: e.company_id == c)
            lines = self.env["account.move.line"].search(
                [
                    *Debtor._get_debtor_item_domain(entries.partner_id, company),
                    *Debtor._get_late_item_domain(as_of_date),
                ]
            )
            move_vals = []
            charged = []
            for entry in entries:
                partner_lines = lines.filtered(
                    lambda line, entry=entry: line.move_id in entry.move_ids
                )
                charges = self.env["res.partner"]._get_debtor_charges(
                    partner_lines, as_of_date, company, entry.level_id
                )
                if not charges["lines"]:
                    continue
                move_vals.append(
                    entry._prepare_charge_invoice_vals(charges, as_of_date)
                )
                charged.append((entry, charges))
            if not move_vals:
                continue
            # sudo: the reminder was sent by the addon's own sending; the
            # invoice holds the amounts computed here, on the company's own
            # accounts (billing users may not post journal entries by hand)
            moves = (
                self.env["account.move"].sudo().with_company(company).create(move_vals)
            )
            moves.action_post()
            for move, (entry, charges) in zip(moves, charged, strict=True):
                entry.sudo().charge_move_id = move
                for charge in charges["lines"]:
                    late_move = charge["move"].sudo()
                    if charge["interest"]:
                        late_move.debtor_interest_date = as_of_date
                    if charge["fee"]:
                        late_move.debtor_fee_charged = True

    def _prepare_charge_invoice_vals(self, charges, as_of_date):
        """The customer invoice of a reminder's late-payment charges."""
        self.ensure_one()
        company = self.company_id
        partner_env = self.with_context(lang=self.partner_id.lang).env
        rate = charges["rate"]
        invoice_lines = []
        for charge in charges["lines"]:
            name = charge["move"].name
            if charge["interest"]:
                invoice_lines.append(
                    Command.create(
                        {
                            "name": partner_env._(
                                "Late-payment interest on %(invoice)s: %(days)s "
                                "days at %(rate)s %% a year",
                                invoice=name,
                                days=charge["days"],
                                rate=f"{rate:.2f}",
                            ),
                            "quantity": 1,
                            "price_unit": charge["interest"],
                            "account_id": company.debtor_interest_account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                )
            if charge["fee"]:
                invoice_lines.append(
                    Command.create(
                        {
                            "name": partner_env._(
                                "Compensation for recovery costs of %(invoice)s",
                                invoice=name,
                            ),
                            "quantity": 1,
                            "price_unit": charge["fee"],
                            "account_id": company.debtor_fee_account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": company.id,
            "currency_id": company.currency_id.id,
            "invoice_date": self.date,
            "invoice_date_due": self.date,
            "invoice_payment_term_id": False,
            "invoice_origin": self.level_id.name,
            "debtor_charge_reminder_id": self.id,
            "invoice_line_ids": invoice_lines,
        }

    def _schedule_call_activity(self, collector, run_line):
        """The phone-call activity of a reminder of a call level: for the
        collector, due today, with the debtor's phone, amounts and late
        invoices, in the collector's language."""
        self.ensure_one()
        partner = self.partner_id
        collector_env = self.with_context(lang=collector.lang or self.env.lang).env
        phones = ", ".join(
            phone for phone in (partner.phone, partner.mobile) if phone
        ) or collector_env._("no phone number on the customer")
        amount = format_amount(
            collector_env, run_line.amount_overdue, run_line.currency_id
        )
        rows = [
            collector_env._(
                "%(invoice)s, due %(date)s: %(amount)s",
                invoice=move.name,
                date=format_date(collector_env, move.invoice_date_due),
                amount=format_amount(
                    collector_env, move.amount_residual, move.currency_id
                ),
            )
            for move in self.move_ids.sorted("invoice_date_due")
        ]
        note = Markup("<p>%s</p><p>%s</p><ul>%s</ul>") % (
            collector_env._("Phone: %(phones)s", phones=phones),
            collector_env._(
                "Overdue: %(amount)s (level %(level)s).",
                amount=amount,
                level=self.level_id.name,
            ),
            Markup().join(Markup("<li>%s</li>") % row for row in rows),
        )
        # sudo: see _sync_next_action_activity; the activity mirrors the
        # reminder the addon's sending logged
        return partner.sudo().activity_schedule(
            "mail.mail_activity_data_call",
            user_id=collector.id,
            summary=collector_env._(
                "Payment reminder call: %(debtor)s", debtor=partner.name
            ),
            note=note,
        )

    def _log_call_done(self, feedback):
        """The call of these reminders was made: a note of it in the log,
        in the name of the user who marked it done."""
        if not self:
            return self.browse()
        # sudo: the user marked done an activity of the addon's call, which
        # Odoo allowed; the note mirrors it (its author is that user)
        return (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                [
                    {
                        "partner_id": entry.partner_id.id,
                        "company_id": entry.company_id.id,
                        "kind": "note",
                        "user_id": self.env.user.id,
                        "move_ids": [Command.set(entry.move_ids.ids)],
                        "level_id": entry.level_id.id,
                        "channel": "call",
                        "note": html2plaintext(feedback)
                        if feedback
                        else self.env._("Call made."),
                    }
                    for entry in self
                ]
            )
        )

    @api.model
    def _cron_update_promise_state(self, batch_size=PROMISE_BATCH_SIZE):
        """Break the pending promises whose date has passed: one batch per
        call, committed by the scheduled action, which comes back at once
        while there are more."""
        domain = [
            ("promise_state", "=", "pending"),
            ("promise_date", "<", fields.Date.context_today(self)),
        ]
        entries = self.search(domain, limit=batch_size, order="id")
        # one computation for the batch, stored in one flush: no write per entry
        entries._compute_promise_state()
        entries.flush_recordset(["promise_state"])
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(entries), remaining=remaining)

    # ------------------------------------------------------------------
    # What the debtor writes on its collection page (controllers/portal.py)
    # ------------------------------------------------------------------

    @api.model
    def _get_portal_payable_moves(self, partner, company):
        """The moves the debtor may name on its page: those with an amount
        to pay among its open items in ``company`` (the page's own items)."""
        Debtor = self.env["account.debtor"]
        return (
            self.env["account.move.line"]
            .search(
                [
                    *Debtor._get_debtor_item_domain(partner, company),
                    ("amount_residual", ">", 0),
                ],
                # in the order of the page's items: oldest due first
                order="date_maturity, move_name, id",
            )
            .move_id
        )

    @api.model
    def _check_portal_rate(self, partner):
        """Refuse a new entry from the page when the debtor wrote the most
        allowed within the last hour (counted in the database)."""
        since = fields.Datetime.now() - timedelta(hours=1)
        count = self.search_count(
            [
                ("partner_id", "=", partner.id),
                ("source", "=", "portal"),
                ("create_date", ">=", since),
            ]
        )
        if count >= PORTAL_ENTRIES_PER_HOUR:
            raise UserError(
                self.env._(
                    "You have sent us %(count)s answers within the last hour: "
                    "please wait a little before you send another one, or "
                    "reply to our e-mail.",
                    count=count,
                )
            )

    @api.model
    def _check_portal_message(self, message, required=False):
        message = (message or "").strip()
        if required and not message:
            raise UserError(self.env._("Please tell us in a few words what is wrong."))
        if len(message) > PORTAL_MESSAGE_LENGTH:
            raise UserError(
                self.env._(
                    "Please keep your message under %(length)s characters.",
                    length=PORTAL_MESSAGE_LENGTH,
                )
            )
        return message

    @api.model
    def _create_portal_promise(
        self, partner, company, contact, moves, promise_date, message
    ):
        """The debtor promises on its page to pay ``moves`` (none: its
        overdue invoices) by ``promise_date``: a pending promise, which
        pauses the reminders as a collector's does.

        Called as superuser by the page, after the debtor's link or login
        was checked; every value is checked here again."""
        today = fields.Date.context_today(self)
        latest = today + timedelta(days=max(company.debtor_portal_promise_days, 0))
        if not promise_date:
            raise UserError(self.env._("Please choose the date you will pay by."))
        if promise_date < today:
            raise UserError(
                self.env._("The date you will pay by cannot be in the past.")
            )
        if promise_date > latest:
            raise UserError(
                self.env._(
                    "Please choose a date by %(date)s at the latest, or call us "
                    "to agree on a later one.",
                    date=format_date(self.env, latest),
                )
            )
        self._check_portal_moves(partner, company, moves)
        return self._create_portal_entry(
            partner,
            company,
            contact,
            {
                "kind": "note",
                "promise_date": promise_date,
                "move_ids": [Command.set(moves.ids)],
                "note": self._check_portal_message(message),
            },
        )

    @api.model
    def _create_portal_dispute(self, partner, company, contact, move, reason, message):
        """The debtor disputes ``move`` on its page, for ``reason`` (one of
        the company's): an open dispute, which keeps the invoice out of the
        reminders. Called as ``_create_portal_promise`` is."""
        if not move:
            raise UserError(self.env._("Please choose the invoice you dispute."))
        self._check_portal_moves(partner, company, move)
        if move.debtor_in_dispute:
            raise UserError(
                self.env._(
                    "Invoice %(invoice)s is already in dispute: we are looking "
                    "into it.",
                    invoice=move.name,
                )
            )
        if reason not in self._get_portal_dispute_reasons(company):
            raise UserError(self.env._("Please choose the reason of the dispute."))
        return self._create_portal_entry(
            partner,
            company,
            contact,
            {
                "kind": "dispute",
                "dispute_reason_id": reason.id,
                "move_ids": [Command.set(move.ids)],
                "note": self._check_portal_message(message, required=True),
            },
        )

    @api.model
    def _get_portal_dispute_reasons(self, company):
        """The reasons the debtor chooses from: the company's and the shared ones."""
        return self.env["account.debtor.dispute.reason"].search(
            [("company_id", "in", [False, company.id])]
        )

    @api.model
    def _check_portal_moves(self, partner, company, moves):
        if moves - self._get_portal_payable_moves(partner, company):
            raise UserError(
                self.env._("Please choose among the invoices listed on this page.")
            )

    @api.model
    def _create_portal_entry(self, partner, company, contact, vals):
        """Log what the debtor did on its page, in the name of its contact,
        and tell its collector with an activity."""
        self._check_portal_rate(partner)
        responsible = partner._get_debtor_collector(
            company
        ) or self._get_portal_responsible(partner, company)
        entry = self.with_company(company).create(
            {
                **vals,
                "partner_id": partner.id,
                "company_id": company.id,
                "source": "portal",
                "contact_id": contact.id,
                "user_id": responsible.id,
            }
        )
        entry._notify_portal_entry()
        return entry

    @api.model
    def _get_portal_responsible(self, partner, company):
        """Who answers for a debtor without a collector or salesperson: the
        author of its last reminder in ``company``, else the administrator."""
        last_reminder = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("kind", "=", "reminder"),
            ],
            limit=1,
        )
        return last_reminder.user_id or self.env["res.users"].browse(SUPERUSER_ID)

    def _notify_portal_entry(self):
        """An activity on the debtor for its collector, in the collector's
        language: the customer answered on its page."""
        for entry in self:
            user = entry._get_follow_up_user()
            collector_env = self.with_context(lang=user.lang).env
            if entry.kind == "dispute":
                summary = collector_env._(
                    "%(contact)s disputes %(invoice)s online: %(reason)s",
                    contact=entry.contact_id.name,
                    invoice=", ".join(entry.move_ids.mapped("name")),
                    reason=entry.dispute_reason_id.with_env(collector_env).name,
                )
            else:
                summary = collector_env._(
                    "%(contact)s promised online to pay by %(date)s",
                    contact=entry.contact_id.name,
                    date=format_date(collector_env, entry.promise_date),
                )
            # sudo: see _sync_next_action_activity; the customer may not
            # write partners, the activity mirrors the entry just logged
            entry.partner_id.sudo().activity_schedule(
                "account_debtor_collection.mail_activity_type_debtor_portal",
                user_id=user.id,
                summary=summary,
                note=plaintext2html(shorten_note(entry.note, ACTIVITY_NOTE_LENGTH)),
            )
