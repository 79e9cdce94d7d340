from odoo import api, models


class AccountDebtor(models.Model):
    """Whether a debtor can be reached by each channel (its mobile for an SMS,
    its postal address for the post, its e-mail addresses that bounced), the
    reasons to skip it and the notes of a reminder sent by another channel
    than its level's."""

    # pylint: disable=consider-merging-classes-inherited
    # (a file per channel concern, as asked for the merge with issue 22)
    _inherit = "account.debtor"

    @api.model
    def _get_reminder_reach(self, partners, company):
        """For each debtor: ``mobile`` (its SMS number, see
        ``res.partner._get_debtor_sms_recipients``), ``sms_contact`` (who has
        it), ``postal`` (its address is complete for the post) and
        ``bounced`` (its contacts whose e-mail bounced). A few queries for
        all debtors."""
        sms_recipients = partners._get_debtor_sms_recipients()
        bounced = partners._get_debtor_bounced_contacts()
        return {
            partner: {
                "sms_contact": sms_recipients[partner][0],
                "mobile": sms_recipients[partner][1],
                "postal": partner._has_debtor_postal_address(),
                "address": ", ".join(
                    part
                    for part in (
                        partner.street,
                        partner.street2,
                        " ".join(p for p in (partner.zip, partner.city) if p),
                        partner.country_id.name,
                    )
                    if part
                ),
                "bounced": bounced.filtered(
                    lambda contact, partner=partner: (
                        contact.commercial_partner_id == partner
                    )
                ),
            }
            for partner in partners
        }

    @api.model
    def _get_reminder_recipients_text(self, channel, recipients, reach):
        """Whom the preview and the run say the reminder goes to: the e-mail
        addresses, the SMS's contact and number, or the postal address."""
        if channel == "sms" and reach and reach["mobile"]:
            return f"{reach['sms_contact'].name} <{reach['mobile']}>"
        if channel in ("post", "letter") and reach and reach.get("address"):
            return reach["address"]
        return self._format_recipients(recipients)

    @api.model
    def _can_reach(self, channel, recipients, reach):
        """Whether a debtor with these e-mail ``recipients`` and ``reach`` can
        get a reminder by ``channel``."""
        if channel == "email":
            return bool(recipients)
        if channel == "sms":
            return bool(reach["mobile"])
        if channel == "post":
            return reach["postal"]
        return True

    @api.model
    def _get_skip_reason(self, partner, debtor, recipients, invalid_emails, check):
        reason = super()._get_skip_reason(
            partner, debtor, recipients, invalid_emails, check
        )
        reach = check.get("reach")
        if reason or not reach:
            return reason
        channel = check.get("channel")
        if channel == "sms" and not reach["mobile"]:
            return self.env._(
                "No mobile number: give the customer or one of its invoice "
                "contacts a mobile, or the level a fallback channel."
            )
        if channel == "post" and not reach["postal"]:
            return self.env._(
                "Incomplete postal address: a letter by post needs the "
                "customer's street, ZIP, city and country."
            )
        return False

    @api.model
    def _get_bounced_skip_reason(self, bounced):
        """Why a debtor all of whose e-mail addresses bounced is skipped."""
        return self.env._(
            "Every e-mail address bounced (%(emails)s): correct them, or give "
            "the level a fallback channel.",
            emails=", ".join(bounced.mapped("email")),
        )

    @api.model
    def _get_reminder_channel_note(self, level, channel, reach):
        """What the preview and the log say of a reminder that goes another
        way than its level's: instead of a bounced address, or by the
        fallback channel (False: nothing to say)."""
        if not level or not reach:
            return False
        bounced = ", ".join(reach["bounced"].mapped("email"))
        if channel == level.channel:
            if channel == "email" and bounced:
                return self.env._(
                    "Not to %(emails)s, which bounced: to the next address.",
                    emails=bounced,
                )
            return False
        labels = dict(level._fields["channel"]._description_selection(self.env))
        if level.channel == "email" and bounced:
            return self.env._(
                "Every e-mail address bounced (%(emails)s): %(channel)s instead.",
                emails=bounced,
                channel=labels[channel],
            )
        if level.channel == "sms":
            return self.env._(
                "No mobile number: %(channel)s instead.", channel=labels[channel]
            )
        if level.channel == "post":
            return self.env._(
                "Incomplete postal address: %(channel)s instead.",
                channel=labels[channel],
            )
        if level.channel == "email":
            return self.env._(
                "No e-mail address: %(channel)s instead.", channel=labels[channel]
            )
        return False
