from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    debtor_reminder_interval = fields.Integer(
        string="Minimum Days Between Reminders",
        default=7,
        help="A debtor reminded less than this many days ago is skipped, "
        "unless the user forces the reminder.",
    )
    debtor_reminder_attach_statement = fields.Boolean(
        string="Attach Statement to Reminders",
        help="Attach a PDF statement of the debtor's open items to each reminder.",
    )
    debtor_reminder_auto = fields.Boolean(
        string="Scheduled Reminders",
        help="Every day, remind the overdue debtors whose next action date has "
        "come, under the same rules as a manual sending.",
    )
    debtor_reminder_min_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="currency_id",
        help="A debtor whose overdue amount is below this one is not reminded.",
    )
    debtor_bank_stale_days = fields.Integer(
        string="Bank Data Fresh for (Days)",
        default=3,
        help="The reminder wizard warns when a bank journal has no transaction "
        "newer than this many days: payments after that are not in Odoo yet.",
    )
    debtor_portal_promise_days = fields.Integer(
        string="Latest Promise Online (Days)",
        default=30,
        help="On their collection page, customers may promise to pay at most "
        "this many days ahead.",
    )
