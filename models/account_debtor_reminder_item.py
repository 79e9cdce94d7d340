from odoo import fields, models


class AccountDebtorReminderItem(models.Model):
    """One item a payment reminder named, as it named it: the document's
    number and dates, its days late and what was left of it, and the
    charges claimed on it, all at the day the reminder left.

    The lines of a reminder are its document: the e-mail, the letter (and
    every reprint), the call, the charges invoice and the reports read them,
    never the invoices as they are now. Only the addon's sending writes
    them."""

    _name = "account.debtor.reminder.item"
    _description = "Payment Reminder Item"
    _order = "correspondence_id, sequence, id"
    _check_company_auto = True

    correspondence_id = fields.Many2one(
        "account.debtor.correspondence",
        string="Reminder",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="correspondence_id.company_id", store=True, index=True
    )
    sequence = fields.Integer(readonly=True)
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Document",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    name = fields.Char(string="Number", readonly=True)
    invoice_date = fields.Date(readonly=True)
    due_date = fields.Date(readonly=True)
    days_late = fields.Integer(
        readonly=True, help="Days from the due date to the reminder's date."
    )
    is_credit = fields.Boolean(
        string="Credit",
        readonly=True,
        help="A credit note or payment not matched yet, which the reminder deducted.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_residual_currency = fields.Monetary(
        string="Amount Left",
        currency_field="currency_id",
        readonly=True,
        help="What was left of the item, in its own currency.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    amount_residual = fields.Monetary(
        string="Amount Left (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
    )
    interest_days = fields.Integer(
        readonly=True,
        help="The days the interest claimed on this item was counted for: from "
        "its due date, or from the last charge, to the reminder's date.",
    )
    interest = fields.Monetary(
        currency_field="company_currency_id",
        readonly=True,
        help="Late-payment interest claimed on this item.",
    )
    fee = fields.Monetary(
        string="Compensation",
        currency_field="company_currency_id",
        readonly=True,
        help="The fixed compensation for recovery costs claimed on its invoice.",
    )
