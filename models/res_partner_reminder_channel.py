from odoo import models
from odoo.tools import email_normalize


class ResPartner(models.Model):
    """How a debtor is reached besides e-mail: the mobile its SMS reminders go
    to, the addresses whose e-mails bounced (left out of the next reminder)."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "res.partner"

    def write(self, vals):
        # a corrected address has not bounced: forget the bounces of the old
        # one, so that the next reminder goes to it again
        if "email" in vals and "message_bounce" not in vals:
            changed = self.filtered(
                lambda partner: (
                    partner.message_bounce
                    and email_normalize(partner.email or "")
                    != email_normalize(vals["email"] or "")
                )
            )
            if changed:
                super(ResPartner, changed).write({"message_bounce": 0})
        return super().write(vals)

    def _get_debtor_bounced_contacts(self):
        """The contacts of the debtors in ``self`` (and the debtors
        themselves) whose e-mail address bounced: an e-mail to them came back
        (a bounce notification) and nothing since showed the address works
        (Odoo resets ``message_bounce`` when the address writes to us, and
        this addon when it is changed). Two queries for all debtors at most."""
        if not self:
            return self.browse()
        # the few contacts with a bounce counter first (the debtors' contacts
        # are found by an index), then their bounced notifications by theirs
        counted = self.search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("message_bounce", ">", 0),
            ]
        )
        if not counted:
            return self.browse()
        # sudo: which notifications bounced, to leave those addresses out of
        # the reminders; only partner ids are read
        groups = (
            self.env["mail.notification"]
            .sudo()
            ._read_group(
                [
                    ("res_partner_id", "in", counted.ids),
                    ("notification_type", "=", "email"),
                    ("notification_status", "=", "bounce"),
                ],
                ["res_partner_id"],
            )
        )
        return self.browse([partner.id for [partner] in groups])

    def _get_debtor_sms_recipients(self):
        """The number each debtor in ``self`` gets its SMS reminders at: the
        mobile of its first invoice contact that has one, else its own.
        Returns a dict partner -> (contact, mobile), (empty, False) without
        a mobile."""
        contacts = self.search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("type", "=", "invoice"),
                ("mobile", "!=", False),
                ("id", "not in", self.ids),
            ],
            order="id",
        )
        first_contact = {}
        for contact in contacts:
            first_contact.setdefault(contact.commercial_partner_id, contact)
        result = {}
        for debtor in self:
            contact = first_contact.get(debtor) or (
                debtor if debtor.mobile else self.browse()
            )
            result[debtor] = (contact, contact.mobile or False)
        return result

    def _has_debtor_postal_address(self):
        """Whether Odoo's postal service can send this debtor a letter: its
        street, ZIP, city and country are set (snailmail's own rule)."""
        self.ensure_one()
        return self.env["snailmail.letter"]._is_valid_address(self)
