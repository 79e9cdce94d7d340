from odoo import fields, models


class AccountDebtorDisputeReason(models.Model):
    """Why a debtor disputes an invoice: the list a dispute picks from, shared
    by all companies or kept to one."""

    _name = "account.debtor.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to offer this reason in every company."
    )
