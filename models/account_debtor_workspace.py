from odoo import api, fields, models
from odoo.exceptions import UserError

from .account_debtor import DEBTOR_ID_COMPANY_BITS
from .account_debtor_correspondence import shorten_note

# The most rows one call of the workspace panel returns per list.
MAX_PANEL_PAGE = 200
# Notes are shortened to this many characters where they are copied (panel).
NOTE_PREVIEW_LENGTH = 2000


class AccountDebtorWorkspace(models.AbstractModel):
    """What the debtor workspace (the overview list with the panel of one
    debtor, ``static/src/views/debtor_workspace``) asks the server: the panel
    of a debtor (``get_workspace_panel``), the debtors "Select all overdue"
    picks (``get_workspace_remindable``) and the reminder wizard on the
    selected debtors (``action_open_workspace_reminder``).

    The web client passes the ``account.debtor`` ids; they are read in the
    user's environment, with the user's access to ``account.debtor``.

    Context keys honoured:

    ``debtor_as_of_date``
        the as-of date of the overview (see ``account.debtor``).
    """

    _name = "account.debtor.workspace"
    _description = "Debtor Workspace"

    @api.model
    def get_workspace_overdue_ids(self):
        """Ids of the debtors "Select all overdue" picks in the workspace: the
        ones the reminder wizard would remind at the context's
        ``debtor_as_of_date``, in the current company (reminders are sent one
        company at a time)."""
        return self.get_workspace_remindable()["ids"]

    @api.model
    def get_workspace_remindable(self):
        """What "Select all overdue" in the workspace picks: ``ids``, the
        debtors the reminder wizard would send a reminder to at the context's
        ``debtor_as_of_date`` (its very checks), and ``skipped``, the overdue
        ones it would skip (a payment waiting in the bank, no e-mail, ...),
        each with its ``id``, ``name`` and ``reason``: the overview and the
        wizard agree, and the user sees why a debtor is left out."""
        Debtor = self.env["account.debtor"]
        as_of_date = Debtor._get_as_of_date()
        company = self.env.company
        debtors = Debtor.with_context(
            debtor_as_of_date=fields.Date.to_string(as_of_date)
        ).search_fetch(
            Debtor._get_remindable_domain(company, as_of_date), ["partner_id"]
        )
        debtor_by_partner = {debtor.partner_id: debtor.id for debtor in debtors}
        checks = self.env["account.debtor.reminder.check"]._get_reminder_checks(
            debtors.partner_id, company, as_of_date, force=False
        )
        ids, skipped = [], []
        for partner, check in checks.items():
            if check["state"] == "to_send":
                ids.append(debtor_by_partner[partner])
            else:
                skipped.append(
                    {
                        "id": debtor_by_partner[partner],
                        "name": partner.display_name,
                        "reason": check["message"],
                    }
                )
        return {"ids": ids, "skipped": skipped}

    @api.model
    def action_open_workspace_reminder(self, debtor_ids):
        """Open the reminder wizard on the debtors ``debtor_ids`` (on none: an
        empty one) at the context's ``debtor_as_of_date``."""
        debtors = self._browse_debtors(debtor_ids)
        debtors.check_access("read")
        return debtors.action_open_reminder()

    @api.model
    def get_workspace_panel(
        self, debtor_ids, invoice_offset=0, invoice_limit=40, log_offset=0, log_limit=40
    ):
        """What the workspace shows beside the list about the debtor of
        ``debtor_ids`` (a list of one ``account.debtor`` id), in one call of a
        few queries whatever the number of its invoices: a page of its unpaid
        invoices (oldest due first) and a page of its correspondence (newest
        first), with the count of each.

        A limit of 0 leaves that part out. Dates are ISO strings; amounts
        are raw, with the id of their currency; an invoice is late by the days
        from its due date to the context's ``debtor_as_of_date``.

        :return: a dict with the keys ``found`` (False when the debtor owes
            nothing any more or is out of reach), ``as_of_date``,
            ``invoices`` (dicts: ``id``, ``name``, ``move_type``,
            ``invoice_date``, ``date_due``, ``days_late``, ``amount_residual``
            in ``company_currency_id``, ``amount_residual_currency`` in
            ``currency_id``), ``invoice_count``, ``entries`` (dicts: ``id``,
            ``kind``, ``kind_label``, ``source`` (``portal``: the debtor wrote
            it on its page; ``user_name`` is then its contact's), ``date``,
            ``user_id``, ``user_name``,
            ``contact_name``, ``note``, ``move_names``, ``promise_date``,
            ``promise_state``, ``promise_state_label``,
            ``next_action_date``, ``editable``: the user may change it) and
            ``entry_count``
        """
        debtor = self._browse_debtors(debtor_ids)
        debtor.ensure_one()
        invoice_offset, invoice_limit, log_offset, log_limit = (
            self._check_paging_argument(value, maximum=MAX_PANEL_PAGE)
            for value in (invoice_offset, invoice_limit, log_offset, log_limit)
        )
        # The panel is opened often: read the debtor's keys from its id rather
        # than run the overview's aggregate for one row. The user's access:
        # the rights on account.debtor, and the company check is its record
        # rule; a debtor that paid everything since is no error.
        debtor.browse().check_access("read")
        partner, company = self._get_debtor_keys(debtor)
        reachable = company in self.env.companies
        # the debtor's company's day (another company may be on the next)
        as_of_date = debtor._get_as_of_date(company if reachable else None)
        values = {
            "found": False,
            "can_remind": self.env.user.has_group("account.group_account_invoice"),
            "as_of_date": fields.Date.to_string(as_of_date),
            "invoices": [],
            "invoice_count": 0,
            "entries": [],
            "entry_count": 0,
        }
        if not reachable:
            return values
        open_items = debtor._get_debtor_item_domain(partner, company)
        if invoice_limit:
            # the debtor still owes when it has an invoice to show
            invoices = self._get_workspace_invoices(
                open_items, company, as_of_date, invoice_offset, invoice_limit
            )
            if not invoices["invoice_count"]:
                return values
            values.update(invoices)
        elif not self.env["account.move.line"].search(open_items, limit=1):
            return values
        values["found"] = True
        if log_limit:
            values.update(
                self._get_workspace_entries(partner, company, log_offset, log_limit)
            )
        return values

    @api.model
    def _check_paging_argument(self, value, maximum):
        """An offset or a limit from the client: a whole number from 0."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise UserError(
                self.env._(
                    "Offsets and limits are whole numbers from 0, not %(value)s.",
                    value=repr(value)[:40],
                )
            )
        return min(value, maximum) if maximum else value

    @api.model
    def _browse_debtors(self, debtor_ids):
        """The debtors of the ids the web client sends, in the user's
        environment (never sudo: their access is checked by the caller)."""
        if not isinstance(debtor_ids, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in debtor_ids
        ):
            raise UserError(self.env._("The debtors to read must be a list of ids."))
        return self.env["account.debtor"].browse(debtor_ids)

    @api.model
    def _get_debtor_keys(self, debtor):
        """The commercial partner and the company of a debtor row, from its
        id."""
        debtor.ensure_one()
        return (
            self.env["res.partner"].browse(debtor.id >> DEBTOR_ID_COMPANY_BITS),
            self.env["res.company"].browse(
                debtor.id & ((1 << DEBTOR_ID_COMPANY_BITS) - 1)
            ),
        )

    @api.model
    def _get_workspace_invoices(self, domain, company, as_of_date, offset, limit):
        """A page of a debtor's unpaid invoices: the moves of its open items
        (``domain``; credit notes and payments have negative amounts)."""
        MoveLine = self.env["account.move.line"]
        groups = MoveLine._read_group(
            domain,
            groupby=["move_id"],
            aggregates=[
                "amount_residual:sum",
                "amount_residual_currency:sum",
                "date_maturity:min",
            ],
            offset=offset,
            limit=limit,
            order="date_maturity:min ASC, move_id:min ASC",
        )
        if offset or len(groups) == limit:
            [[count]] = MoveLine._read_group(
                domain, aggregates=["move_id:count_distinct"]
            )
        else:
            count = len(groups)
        moves = self.env["account.move"].browse([move.id for move, *_rest in groups])
        moves.fetch(
            [
                "name",
                "move_type",
                "invoice_date",
                "date",
                "currency_id",
                "debtor_in_dispute",
            ]
        )
        invoices = []
        for move, residual, residual_currency, date_due in groups:
            date_due = date_due or move.date
            late = residual > 0 and date_due < as_of_date
            invoices.append(
                {
                    "id": move.id,
                    "name": move.name,
                    "move_type": move.move_type,
                    "invoice_date": fields.Date.to_string(
                        move.invoice_date or move.date
                    ),
                    "date_due": fields.Date.to_string(date_due),
                    "days_late": (as_of_date - date_due).days if late else 0,
                    "amount_residual": residual,
                    "company_currency_id": company.currency_id.id,
                    "amount_residual_currency": residual_currency,
                    "currency_id": move.currency_id.id,
                    "in_dispute": move.debtor_in_dispute,
                }
            )
        return {"invoices": invoices, "invoice_count": count}

    @api.model
    def _get_workspace_entries(self, partner, company, offset, limit):
        """A page of a debtor's correspondence, newest first."""
        Entry = self.env["account.debtor.correspondence"]
        domain = [
            ("partner_id", "=", partner.id),
            ("company_id", "=", company.id),
        ]
        entries = Entry.search_fetch(
            domain,
            [
                "kind",
                "source",
                "date",
                # read by the access rules of ``editable``
                "company_id",
                "user_id",
                "contact_id",
                "note",
                "move_ids",
                "promise_date",
                "promise_state",
                "next_action_date",
                "delivery_state",
                "dispute_state",
                "dispute_reason_id",
                "level_id",
                "channel",
            ],
            offset=offset,
            limit=limit,
        )
        if offset or len(entries) == limit:
            count = Entry.search_count(domain)
        else:
            count = len(entries)
        (entries.user_id.partner_id | entries.contact_id).fetch(["name"])
        entries.move_ids.fetch(["name"])
        editable = entries._filtered_access("write")
        kind_labels = dict(Entry._fields["kind"]._description_selection(self.env))
        state_labels = dict(
            Entry._fields["promise_state"]._description_selection(self.env)
        )
        delivery_labels = dict(
            Entry._fields["delivery_state"]._description_selection(self.env)
        )
        dispute_labels = dict(
            Entry._fields["dispute_state"]._description_selection(self.env)
        )
        entries.dispute_reason_id.fetch(["name"])
        entries.level_id.fetch(["name"])
        channel_labels = dict(Entry._fields["channel"]._description_selection(self.env))
        result = {
            "entries": [
                {
                    "id": entry.id,
                    "kind": entry.kind,
                    "kind_label": kind_labels.get(entry.kind, ""),
                    "date": fields.Date.to_string(entry.date),
                    "user_id": entry.user_id.id,
                    "source": entry.source,
                    "user_name": (
                        entry.contact_id.name
                        if entry.source == "portal"
                        else entry.user_id.partner_id.name
                    )
                    or "",
                    "contact_name": entry.contact_id.name or "",
                    "note": shorten_note(entry.note, NOTE_PREVIEW_LENGTH),
                    "move_names": entry.move_ids.mapped("name"),
                    "promise_date": fields.Date.to_string(entry.promise_date),
                    "promise_state": entry.promise_state or False,
                    "promise_state_label": state_labels.get(entry.promise_state, ""),
                    "next_action_date": fields.Date.to_string(entry.next_action_date),
                    "delivery_state": entry.delivery_state or False,
                    "delivery_state_label": delivery_labels.get(
                        entry.delivery_state, ""
                    ),
                    "dispute_state": entry.dispute_state or False,
                    "dispute_state_label": dispute_labels.get(entry.dispute_state, ""),
                    "dispute_reason": entry.dispute_reason_id.name or "",
                    "level_name": entry.level_id.name or "",
                    "channel": entry.channel or False,
                    "channel_label": channel_labels.get(entry.channel, ""),
                    "editable": entry in editable,
                }
                for entry in entries
            ],
            "entry_count": count,
        }
        self._add_workspace_reply_values(result["entries"], entries)
        return result

    @api.model
    def _add_workspace_reply_values(self, values_list, entries):
        """Complete the panel's values of the customer's replies among
        ``entries``: who wrote it, whether it is answered, what it answers
        and its attachments."""
        replies = entries.filtered(lambda entry: entry.kind == "reply")
        reply_states = dict(
            replies._fields["reply_state"]._description_selection(self.env)
        )
        for values in values_list:
            if values["kind"] != "reply":
                continue
            entry = replies.browse(values["id"])
            # the customer wrote it: its contact, else the address it came from
            values["user_name"] = entry.contact_id.name or entry.reply_from or ""
            values["reply_state"] = entry.reply_state or False
            values["reply_state_label"] = reply_states.get(entry.reply_state, "")
            values["reply_to_date"] = fields.Date.to_string(
                entry.reply_to_entry_id.date
            )
            values["attachments"] = [
                {"id": attachment.id, "name": attachment.name}
                for attachment in entry.reply_attachment_ids
            ]
