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
