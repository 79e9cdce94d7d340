from odoo import fields, models


class AccountDebtor(models.Model):
    """The customer's answers to reminders in the overview: the debtors with a
    reply still to answer (My Worklist), each reply in the timeline."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor"

    reply_pending = fields.Boolean(
        string="Reply to Answer",
        compute="_compute_reply_pending",
        search="_search_reply_pending",
        help="The customer answered a reminder by e-mail and the collector "
        "has not marked the answer done yet.",
    )

    def _get_reply_pending_keys(self, partner_ids=None):
        """(partner id, company id) of the debtors with an open reply: one
        grouped query."""
        domain = [("kind", "=", "reply"), ("reply_state", "=", "open")]
        if partner_ids is not None:
            domain.append(("partner_id", "in", partner_ids))
        groups = self.env["account.debtor.correspondence"]._read_group(
            domain, ["partner_id", "company_id"]
        )
        return {(partner.id, company.id) for partner, company in groups}

    def _compute_reply_pending(self):
        keys = self._get_reply_pending_keys(self.partner_id.ids)
        for debtor in self:
            debtor.reply_pending = (
                debtor.partner_id.id,
                debtor.company_id.id,
            ) in keys

    def _search_reply_pending(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        keys = self._get_reply_pending_keys()
        ids = [
            debtor.id
            for debtor in self.search_fetch(
                [("partner_id", "in", list({partner for partner, _c in keys}))],
                ["partner_id", "company_id"],
            )
            if (debtor.partner_id.id, debtor.company_id.id) in keys
        ]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    def _get_workspace_entries(self, partner, company, offset, limit):
        result = super()._get_workspace_entries(partner, company, offset, limit)
        entries = self.env["account.debtor.correspondence"].browse(
            [entry["id"] for entry in result["entries"]]
        )
        replies = entries.filtered(lambda entry: entry.kind == "reply")
        reply_states = dict(
            replies._fields["reply_state"]._description_selection(self.env)
        )
        for values in result["entries"]:
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
        return result
