from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountDebtorInterestReferenceRate(models.Model):
    """The reference rate of statutory late-payment interest for a
    half-year: the central bank's rate in force on 1 January for the first
    half-year, on 1 July for the second (Directive 2011/7/EU art. 2(6), the
    Civil Law of Latvia art. 1765; the ECB's main refinancing operations rate
    in the euro area). The interest of a day counts at the rate of its
    half-year plus the company's margin.

    A row without company applies to every company; a company's own row for
    a half-year wins over the shared one. A half-year without a row counts
    at the company's ``debtor_interest_reference_rate``.
    """

    _name = "account.debtor.interest.reference.rate"
    _description = "Interest Reference Rate"
    _order = "date_from desc, company_id"

    date_from = fields.Date(
        string="Half-Year From",
        required=True,
        help="The first day of the half-year: 1 January or 1 July.",
    )
    rate = fields.Float(
        string="Reference Rate (%)",
        digits=(16, 2),
        help="The central bank's reference rate in force on the first day of "
        "the half-year, without the company's margin.",
    )
    company_id = fields.Many2one(
        "res.company",
        index="btree_not_null",
        help="Leave empty to apply the rate in every company. A company's own "
        "rate of a half-year wins over the shared one.",
    )

    @api.depends("date_from", "rate")
    def _compute_display_name(self):
        for row in self:
            row.display_name = (
                f"{fields.Date.to_string(row.date_from)}: {row.rate:.2f} %"
                if row.date_from
                else ""
            )

    @api.constrains("date_from")
    def _check_date_from(self):
        for row in self:
            if (row.date_from.month, row.date_from.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._(
                        "A reference rate is the rate of a half-year: it starts "
                        "on 1 January or 1 July, not on %(date)s.",
                        date=row.date_from,
                    )
                )

    @api.constrains("date_from", "company_id")
    def _check_one_per_half_year(self):
        for row in self:
            duplicate = self.search_count(
                [
                    ("id", "!=", row.id),
                    ("date_from", "=", row.date_from),
                    ("company_id", "=", row.company_id.id),
                ],
                limit=1,
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "The half-year from %(date)s has a reference rate "
                        "already (%(company)s).",
                        date=row.date_from,
                        company=row.company_id.name or self.env._("every company"),
                    )
                )

    @api.model
    def _get_reference_rates(self, company):
        """The reference rates of ``company`` by half-year (its first day ->
        rate): its own rows over the shared ones, in one query. The
        half-years missing count at the company's
        ``debtor_interest_reference_rate``."""
        rows = self.search_fetch(
            [("company_id", "in", [False, company.id])],
            ["date_from", "rate", "company_id"],
        )
        rates = {}
        for row in rows.sorted(lambda row: bool(row.company_id)):
            rates[row.date_from] = row.rate
        return rates

    @api.model
    def _get_half_year_days(self, date_from, date_to):
        """The days of interest from ``date_from`` to ``date_to`` by
        half-year: a list of (first day of the half-year, days in it). A
        day of delay is a day after ``date_from`` (the due date, or the day
        interest was last claimed up to), up to ``date_to`` included: an
        invoice due on 30 June is one day late on 1 July, at the rate of the
        second half-year."""
        periods = []
        day = date_from + timedelta(days=1)
        end = date_to + timedelta(days=1)
        while day < end:
            half_year = self._get_half_year_start(day)
            next_half_year = (
                half_year.replace(month=7)
                if half_year.month == 1
                else half_year.replace(year=half_year.year + 1, month=1)
            )
            stop = min(next_half_year, end)
            periods.append((half_year, (stop - day).days))
            day = stop
        return periods

    @api.model
    def _get_half_year_start(self, day):
        """The first day of the half-year of ``day``."""
        return date(day.year, 1 if day.month < 7 else 7, 1)

    @api.model
    def _group_half_year_rates(self, periods):
        """``periods``, a list of (first day of a half-year, yearly rate,
        days) in the order of the half-years, with the consecutive
        half-years of the same rate merged (the first one's day, the days
        added up): what a reader needs to know of the rates that applied."""
        groups = []
        for half_year, rate, days in periods:
            if groups and round(groups[-1][1], 2) == round(rate, 2):
                groups[-1][2] += days
            else:
                groups.append([half_year, rate, days])
        return [tuple(group) for group in groups]
