from datetime import timedelta

from babel.dates import format_date as babel_format_date
from babel.lists import format_list
from babel.numbers import format_currency
from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv.expression import OR
from odoo.tools import (
    SQL,
    format_amount,
    format_date,
    html2plaintext,
    is_html_empty,
    plaintext2html,
)

from .account_debtor_reminder_level import REMINDER_CHANNELS

# How many past promises one call of the daily check settles.
PROMISE_BATCH_SIZE = 1000
# A follow-up activity copies at most this much of its note.
ACTIVITY_NOTE_LENGTH = 2000
# At most this many entries per debtor and hour from its collection page.
PORTAL_ENTRIES_PER_HOUR = 5
# The states of a promise to pay, which the overview and the reports show too.
PROMISE_STATES = [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")]
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
        selection=PROMISE_STATES,
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
    # A reminder's document: what it said, as it said it on its date.
    item_ids = fields.One2many(
        "account.debtor.reminder.item",
        "correspondence_id",
        string="Items Reminded",
        readonly=True,
    )
    as_of_date = fields.Date(
        string="Late as of",
        readonly=True,
        help="The reminder named the items due before this date.",
    )
    lang = fields.Selection(
        selection="_get_lang_selection",
        string="Language",
        readonly=True,
        help="The language the reminder was written in.",
    )
    interest_rate = fields.Float(
        string="Interest Rate (%)",
        digits=(16, 2),
        readonly=True,
        help="The yearly rate of the interest of the half-year the reminder "
        "was sent in.",
    )
    interest_half_year_rates = fields.Json(
        readonly=True,
        help="The yearly rate of each half-year the interest the reminder "
        "claimed counts days in: a list of [first day, rate], oldest first.",
    )
    items_rebuilt = fields.Boolean(
        readonly=True,
        help="The items of this reminder were rebuilt by an update of the "
        "addon from what its e-mail and invoices still showed, not stored "
        "when it was sent.",
    )
    letter_name = fields.Char(
        compute="_compute_letter_name",
        help="The name of the reminder's letter, in the debtor's language.",
    )
    charge_total = fields.Monetary(
        string="Charges",
        compute="_compute_charge_total",
        help="The late-payment interest and compensation the reminder claimed.",
    )

    @api.depends("item_ids.interest", "item_ids.fee")
    def _compute_charge_total(self):
        for entry in self:
            entry.charge_total = sum(entry.item_ids.mapped("interest")) + sum(
                entry.item_ids.mapped("fee")
            )

    @api.model
    def _get_lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.depends("kind", "partner_id", "date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for entry in self:
            entry.display_name = self.env._(
                "%(kind)s, %(debtor)s, %(date)s",
                kind=kinds.get(entry.kind, ""),
                debtor=entry.partner_id.name or "",
                date=format_date(self.env, entry.date) if entry.date else "",
            )

    @api.depends("partner_id", "date", "lang")
    def _compute_letter_name(self):
        for entry in self:
            env = entry.with_context(lang=entry.lang or entry.partner_id.lang).env
            entry.letter_name = env._(
                "Payment reminder %(debtor)s %(date)s",
                debtor=entry.partner_id.name or "",
                date=fields.Date.to_string(entry.date) if entry.date else "",
            )

    def _get_letter_values(self):
        """What the letter of this reminder says, in the debtor's language:
        the subject and text of its level, with the items of its document,
        the sender's return line and the reminder's date."""
        self.ensure_one()
        partner = self.partner_id
        template = (
            (self.template_id or self.level_id._get_template())
            .with_context(
                debtor_as_of_date=fields.Date.to_string(self.as_of_date or self.date),
                debtor_reminder_level_id=self.level_id.id,
                debtor_reminder_entry_ids=(self.id,),
                # the collection page's address printed, not a link
                debtor_reminder_letter=True,
            )
            .with_company(self.company_id)
        )
        subject = template._render_field("subject", partner.ids, compute_lang=True)
        body = template._render_field("body_html", partner.ids, compute_lang=True)
        company = self.company_id.partner_id
        return {
            "subject": " ".join(subject[partner.id].split()),
            "body": body[partner.id],
            "return_address": " · ".join(
                part
                for part in (
                    company.name,
                    company.street,
                    " ".join(p for p in (company.zip, company.city) if p),
                )
                if part
            ),
            "date": babel_format_date(
                self.date,
                "long",
                partner._get_debtor_babel_locale(self.lang),
            ),
        }

    def action_print_letter(self):
        """The letters of these reminders in one PDF, each as it was first
        printed (kept on the reminder), else printed now from its
        document."""
        letters = self.filtered(
            lambda entry: entry.kind == "reminder" and entry.channel == "letter"
        )
        if not letters:
            raise UserError(self.env._("There is no letter to print."))
        return self.env.ref(
            "account_debtor_collection.action_report_debtor_reminder_letter"
        ).report_action(letters, config=False)

    def _keep_printed_letters(self, streams):
        """Attach each letter printed for the first time to its reminder:
        what was posted is kept, and every reprint is that PDF.
        ``streams``: the report's streams by entry id, updated."""
        new = [
            entry
            for entry in self
            if streams.get(entry.id, {}).get("stream")
            and not streams[entry.id].get("attachment")
        ]
        if not new:
            return
        # sudo: the PDF was rendered by the letter report from the entry the
        # user may read; billing users may not attach files to reminders
        # they did not write, yet the first print must be kept whoever prints
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": entry.letter_name + ".pdf",
                        "raw": streams[entry.id]["stream"].getvalue(),
                        "mimetype": "application/pdf",
                        "res_model": entry._name,
                        "res_id": entry.id,
                    }
                    for entry in new
                ]
            )
        )
        for entry, attachment in zip(new, attachments, strict=True):
            streams[entry.id]["attachment"] = attachment

    def _get_reminder_document(self):
        """This reminder's document as it was sent (see
        ``res.partner._get_debtor_reminder_documents``)."""
        self.ensure_one()
        return {
            "items": [
                {
                    "sequence": item.sequence,
                    "move_line_id": item.move_line_id.id,
                    "move_id": item.move_id.id,
                    "name": item.name,
                    "invoice_date": item.invoice_date,
                    "due_date": item.due_date,
                    "days_late": item.days_late,
                    "is_credit": item.is_credit,
                    "currency_id": item.currency_id.id,
                    "amount_residual_currency": item.amount_residual_currency,
                    "amount_residual": item.amount_residual,
                    "interest_days": item.interest_days,
                    "interest": item.interest,
                    "fee": item.fee,
                }
                for item in self.item_ids
            ],
            "as_of_date": self.as_of_date or self.date,
            "date": self.date,
            "interest_rate": self.interest_rate,
            "interest_half_year_rates": self.interest_half_year_rates or [],
            "amount": self.amount_reminded,
            "all_open": False,
        }

    @api.model
    def _prepare_reminder_document_vals(self, document):
        """The values of a reminder entry of ``document``: the amount it
        asks, the invoices it asks to pay and the rates it claims (its items
        are created by ``_create_reminders``)."""
        return {
            "move_ids": [
                Command.set(
                    self.env["res.partner"]._get_debtor_document_move_ids(document)
                )
            ],
            "as_of_date": document["as_of_date"],
            "date": document["date"],
            "amount_reminded": document["amount"],
            "interest_rate": document["interest_rate"],
            "interest_half_year_rates": document["interest_half_year_rates"],
        }

    @api.model
    def _create_reminders(self, vals_list, documents):
        """Log reminders (the sending's, as superuser) with their documents:
        the entries in one insert, all their items in another, then the
        charges invoices of those that claim charges."""
        entries = self.create(vals_list)
        entries._insert_reminder_items(documents)
        entries._create_charge_invoices()
        return entries

    def _insert_reminder_items(self, documents):
        """The items of each of these new reminders (``documents`` in their
        order), in one INSERT: a batch's thousands of items, which the ORM
        would create one by one, and which nothing computes from (the
        company is the entry's)."""
        Item = self.env["account.debtor.reminder.item"]
        columns = [
            name
            for name, field in Item._fields.items()
            if field.store
            and field.column_type
            and name not in models.LOG_ACCESS_COLUMNS
            and name not in ("id", "correspondence_id", "company_id")
        ]
        rows = [
            SQL(
                "(%s)",
                SQL(", ").join(
                    [
                        entry.id,
                        entry.company_id.id,
                        *(item.get(name) or None for name in columns),
                        self.env.uid,
                        self.env.cr.now(),
                        self.env.uid,
                        self.env.cr.now(),
                    ]
                ),
            )
            for entry, document in zip(self, documents, strict=True)
            for item in document["items"]
        ]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_debtor_reminder_item
                       (correspondence_id, company_id, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                VALUES %(rows)s
                """,
                columns=SQL(", ").join(map(SQL.identifier, columns)),
                rows=SQL(", ").join(rows),
            )
        )
        self.invalidate_recordset(["item_ids"])

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
        # broken the day after its date: the company's day, the one its
        # reminders are dated and paused by (each company's cached)
        for entry in self:
            today = (entry.company_id or self.env.company)._get_debtor_today()
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
            "item_ids",
            "as_of_date",
            "lang",
            "interest_rate",
            "interest_half_year_rates",
            "items_rebuilt",
            # computed from the e-mail's notifications and the invoices'
            # payments: written by hand, a reminder would not count (the
            # one-a-day guard freed) or a promise would count as kept
            "delivery_state",
            "promise_state",
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
        Debtor = self.env["account.debtor"]
        for company in to_link.company_id:
            today = company._get_debtor_today()
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
                    lambda line, t=today: Debtor._get_item_due_date(line) < t
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
        """When the company invoices late-payment charges, a reminder that
        claims charges creates and posts its customer invoice (one line of
        interest and one of compensation per late invoice), linked from the
        entry: the very charges its document claims. The late invoices
        remember what was claimed, so that a later reminder claims only the
        interest since the reminder's date, and the compensation once."""
        to_charge = self.filtered(
            lambda entry: (
                entry.kind == "reminder"
                and entry.company_id.debtor_charge_invoice
                and any(item.interest or item.fee for item in entry.item_ids)
            )
        )
        for company in to_charge.company_id:
            entries = to_charge.filtered(lambda e, c=company: e.company_id == c)
            # sudo: the reminder was sent by the addon's own sending; the
            # invoice holds the charges its document claims, on the company's
            # own accounts (billing users may not post journal entries)
            moves = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create([entry._prepare_charge_invoice_vals() for entry in entries])
            )
            moves.action_post()
            for move, entry in zip(moves, entries, strict=True):
                entry.sudo().charge_move_id = move
                for item in entry.item_ids:
                    late_move = item.move_id.sudo()
                    if item.interest:
                        late_move.debtor_interest_date = entry.date
                    if item.fee:
                        late_move.debtor_fee_charged = True

    def _prepare_charge_invoice_vals(self):
        """The customer invoice of a reminder's late-payment charges, in the
        debtor's language: a line of interest (with the days it counts, at
        the rate of each half-year) and one of compensation per late
        invoice."""
        self.ensure_one()
        company = self.company_id
        partner_env = self.with_context(lang=self.lang or self.partner_id.lang).env
        invoice_lines = []
        for move, items in self.item_ids.grouped("move_id").items():
            interest = company.currency_id.round(sum(items.mapped("interest")))
            fee = sum(items.mapped("fee"))
            if interest:
                invoice_lines.append(
                    Command.create(
                        {
                            "name": self._get_charge_interest_label(
                                move, max(items.mapped("interest_days")), partner_env
                            ),
                            "quantity": 1,
                            "price_unit": interest,
                            "account_id": company.debtor_interest_account_id.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                )
            if fee:
                invoice_lines.append(
                    Command.create(
                        {
                            "name": partner_env._(
                                "Compensation for recovery costs of %(invoice)s",
                                invoice=move.name,
                            ),
                            "quantity": 1,
                            "price_unit": fee,
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

    def _get_charge_interest_label(self, move, days, env):
        """The label of the charges invoice's interest on ``move``, in the
        language of ``env``: its ``days`` of interest up to the reminder's
        date, at the rate of each half-year they fall in (the rates the
        reminder stored)."""
        self.ensure_one()
        Rate = self.env["account.debtor.interest.reference.rate"]
        stored = {
            fields.Date.to_date(half_year): rate
            for half_year, rate in self.interest_half_year_rates or []
        }
        periods = Rate._group_half_year_rates(
            [
                (half_year, stored.get(half_year, self.interest_rate), half_year_days)
                for half_year, half_year_days in Rate._get_half_year_days(
                    self.date - timedelta(days=days), self.date
                )
            ]
        )
        if len(periods) <= 1:
            return env._(
                "Late-payment interest on %(invoice)s: %(days)s days at %(rate)s %% "
                "a year",
                invoice=move.name,
                days=days,
                rate=f"{periods[0][1] if periods else self.interest_rate:.2f}",
            )
        locale = self.partner_id._get_debtor_babel_locale(env.lang)
        # translated apart: the export misses a translated call nested in one
        parts = [
            env._(
                "%(days)s days at %(rate)s %% a year",
                days=period_days,
                rate=f"{rate:.2f}",
            )
            for _half_year, rate, period_days in periods
        ]
        return env._(
            "Late-payment interest on %(invoice)s: %(periods)s",
            invoice=move.name,
            periods=format_list(parts, locale=locale),
        )

    def _schedule_call_activity(self, collector):
        """The phone-call activity of a reminder of a call level: for the
        collector, due the reminder's day, with the debtor's phone, what the
        reminder asks and its late invoices, in the collector's language."""
        self.ensure_one()
        partner = self.partner_id
        collector_env = self.with_context(lang=collector.lang or self.env.lang).env
        phones = ", ".join(
            phone for phone in (partner.phone, partner.mobile) if phone
        ) or collector_env._("no phone number on the customer")
        amount = format_amount(collector_env, self.amount_reminded, self.currency_id)
        rows = [
            collector_env._(
                "%(invoice)s, due %(date)s: %(amount)s",
                invoice=item.name,
                date=format_date(collector_env, item.due_date),
                amount=format_amount(
                    collector_env, item.amount_residual_currency, item.currency_id
                ),
            )
            for item in self.item_ids
            if not item.is_credit
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
            date_deadline=self.date,
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
        # each company's promises by its own day (see _compute_promise_state)
        domain = [
            ("promise_state", "=", "pending"),
            *OR(
                [
                    [
                        ("company_id", "=", company.id),
                        ("promise_date", "<", company._get_debtor_today()),
                    ]
                    for company in self.env["res.company"].search([])
                ]
            ),
        ]
        entries = self.search(domain, limit=batch_size, order="id")
        # one computation for the batch, stored in one flush: no write per entry
        # (sudo: the state is the addon's to set, see _get_system_fields)
        entries.sudo()._compute_promise_state()
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
    def _lock_portal_debtor(self, partner):
        """Take the debtor's answers on its page one at a time: its row is
        updated (to the same values), so that a parallel answer waits for
        this one and then fails to serialize; Odoo retries that request,
        which then sees this answer (the hourly limit, the pending promise,
        the collector already following the debtor)."""
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                partner.id,
            )
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
        self._check_portal_rate(partner)
        self._lock_portal_debtor(partner)
        today = company._get_debtor_today()
        pending = self._get_portal_pending_promise(partner, company)
        if pending:
            raise UserError(
                self.env._(
                    "You have already promised to pay by %(date)s: we wait for "
                    "your payment. Call us to agree on another date.",
                    date=format_date(self.env, pending.promise_date),
                )
            )
        latest = self._get_portal_latest_promise_date(partner, company)
        if latest < today:
            raise UserError(
                self.env._(
                    "You have promised to pay several times already: please "
                    "pay, or call us to agree on a date."
                )
            )
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
    def _get_portal_pending_promise(self, partner, company):
        """The debtor's pending promise in ``company``, if any: one at a time
        from its page."""
        return self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("promise_state", "=", "pending"),
                ("promise_date", ">=", company._get_debtor_today()),
            ],
            order="promise_date desc",
            limit=1,
        )

    @api.model
    def _get_portal_latest_promise_date(self, partner, company):
        """The latest date the debtor may promise on its page: the company's
        limit of days from the first promise of a chain, so that promises
        renewed one after the other do not pause the reminders for ever. A
        promise renews the one before when it was made within that limit
        after the earlier one's date; a kept promise ends the chain."""
        days = max(company.debtor_portal_promise_days, 0)
        start = company._get_debtor_today()
        promises = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("source", "=", "portal"),
                ("promise_date", "!=", False),
            ],
            order="date desc, id desc",
            limit=100,
        )
        for promise in promises:
            if promise.promise_state == "kept":
                break
            if promise.promise_date + timedelta(days=days) < start:
                break  # made long after: an earlier chain
            start = promise.date
        return start + timedelta(days=days)

    @api.model
    def _create_portal_dispute(self, partner, company, contact, move, reason, message):
        """The debtor disputes ``move`` on its page, for ``reason`` (one of
        the company's): an open dispute, which keeps the invoice out of the
        reminders. Called as ``_create_portal_promise`` is."""
        self._check_portal_rate(partner)
        self._lock_portal_debtor(partner)
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
    def _get_portal_reminders(self, partner, company, limit=10):
        """The last reminders sent to ``partner`` by ``company``, as its
        collection page lists them: what each document said (its date,
        channel, the invoices it named, what it asked and charged), in the
        debtor's language."""
        reminders = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("kind", "=", "reminder"),
                ("delivery_state", "not in", ("bounced", "failed")),
            ],
            limit=limit,
        )
        locale = partner._get_debtor_babel_locale()
        env = self.with_context(lang=partner._get_debtor_lang()).env
        channels = dict(self._fields["channel"]._description_selection(env))
        currency = company.currency_id.name
        return [
            {
                "date": babel_format_date(entry.date, "medium", locale),
                "channel": channels.get(entry.channel, ""),
                # each invoice once, however many of its installments were late
                "invoices": ", ".join(
                    dict.fromkeys(
                        item.name for item in entry.item_ids if not item.is_credit
                    )
                ),
                "amount": format_currency(
                    entry.amount_reminded, currency, locale=locale
                ),
                "charges": format_currency(entry.charge_total, currency, locale=locale)
                if entry.charge_total
                else "",
            }
            for entry in reminders
        ]

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
        self._lock_portal_debtor(partner)
        self._check_portal_rate(partner)
        responsible = partner._get_debtor_collector(
            company
        ) or self._get_portal_responsible(partner, company)
        # nothing in the public user's name (no follower, no "created" log):
        # the entry itself says the customer wrote it (source, contact)
        entry = (
            self.with_company(company)
            .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
            .create(
                {
                    **vals,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "source": "portal",
                    "contact_id": contact.id,
                    "user_id": responsible.id,
                }
            )
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
            # write partners, the activity mirrors the entry just logged.
            # Not notified by Odoo: it would write from the public user,
            # who has no address.
            activity = (
                entry.partner_id.sudo()
                .with_context(mail_activity_quick_update=True)
                .activity_schedule(
                    "account_debtor_collection.mail_activity_type_debtor_portal",
                    user_id=user.id,
                    summary=summary,
                    note=plaintext2html(shorten_note(entry.note, ACTIVITY_NOTE_LENGTH)),
                )
            )
            entry._notify_portal_activity(activity)

    def _notify_portal_activity(self, activity):
        """Tell the collector of the activity of the customer's answer, as
        Odoo's activity notification does, written by the company (its
        e-mail; the customer's contact when the company has none)."""
        self.ensure_one()
        collector = activity.user_id
        if not collector or collector.partner_id == self.env.user.partner_id:
            return
        activity = activity.sudo().with_context(lang=collector.lang or self.env.lang)
        author = self.company_id.partner_id
        if not author.email and self.contact_id.email:
            author = self.contact_id
        model_description = activity.env["ir.model"]._get(activity.res_model)
        body = activity.env["ir.qweb"]._render(
            "mail.message_activity_assigned",
            {
                "activity": activity,
                "model_description": model_description.display_name,
                "is_html_empty": is_html_empty,
            },
            minimal_qcontext=True,
        )
        activity.env[activity.res_model].browse(activity.res_id).message_notify(
            author_id=author.id,
            email_from=author.email_formatted,
            partner_ids=collector.partner_id.ids,
            body=body,
            record_name=activity.res_name,
            model_description=model_description.display_name,
            email_layout_xmlid="mail.mail_notification_layout",
            # in the collector's language, as the activity's summary is
            subject=activity.summary,
        )
