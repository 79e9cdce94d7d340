from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


class AccountMove(models.Model):
    _inherit = "account.move"

    debtor_correspondence_ids = fields.Many2many(
        "account.debtor.correspondence",
        relation="account_debtor_correspondence_move_rel",
        column1="move_id",
        column2="correspondence_id",
        string="Collection Correspondence",
        copy=False,
    )
    debtor_last_reminder_date = fields.Date(
        string="Last Reminder",
        compute="_compute_debtor_dates",
        store=True,
        copy=False,
    )
    debtor_promise_date = fields.Date(
        string="Promised Payment",
        compute="_compute_debtor_dates",
        store=True,
        copy=False,
    )

    debtor_in_dispute = fields.Boolean(
        string="In Dispute",
        compute="_compute_debtor_in_dispute",
        store=True,
        copy=False,
        help="An open dispute names this invoice: it is left out of the "
        "payment reminders until the dispute is resolved.",
    )

    debtor_charge_reminder_id = fields.Many2one(
        "account.debtor.correspondence",
        string="Charges of Reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The reminder whose late-payment charges this invoice claims.",
    )
    debtor_interest_date = fields.Date(
        string="Interest Invoiced Until",
        readonly=True,
        copy=False,
        help="Late-payment interest on this invoice was invoiced up to this date.",
    )
    debtor_fee_charged = fields.Boolean(
        string="Compensation Invoiced",
        readonly=True,
        copy=False,
        help="The flat compensation for recovery costs of this invoice was invoiced.",
    )

    @api.depends(
        "debtor_correspondence_ids.kind", "debtor_correspondence_ids.dispute_state"
    )
    def _compute_debtor_in_dispute(self):
        for move in self:
            move.debtor_in_dispute = any(
                entry.kind == "dispute" and entry.dispute_state == "open"
                for entry in move.debtor_correspondence_ids
            )

    @api.model
    def _get_debtor_system_fields(self):
        """Fields only the addon sets (its disputes, its charges invoices):
        written by hand, they would drop an invoice out of the reminders or
        exempt it from charges."""
        return {
            "debtor_in_dispute",
            "debtor_charge_reminder_id",
            "debtor_fee_charged",
            "debtor_interest_date",
        }

    def _check_debtor_system_fields(self, fields_set):
        # the addon writes them as superuser; a user (the web client, RPC)
        # never: readonly in the views is no guard against a direct call
        if self.env.su:
            return
        forged = self._get_debtor_system_fields() & fields_set
        if forged:
            raise AccessError(
                self.env._(
                    "Only the addon's own disputes and charges set %(fields)s "
                    "on an invoice.",
                    fields=", ".join(sorted(forged)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_debtor_system_fields(vals.keys())
        return super().create(vals_list)

    def write(self, vals):
        self._check_debtor_system_fields(vals.keys())
        return super().write(vals)

    def _auto_init(self):
        # No invoice is in dispute when the addon is installed: create the
        # column empty rather than let the ORM compute it for every move.
        if not column_exists(self.env.cr, "account_move", "debtor_in_dispute"):
            create_column(self.env.cr, "account_move", "debtor_in_dispute", "boolean")
        return super()._auto_init()

    def init(self):
        res = super().init()
        # the disputed invoices, which every overview query leaves out: few
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS account_move_debtor_in_dispute_index
                    ON account_move (id) WHERE debtor_in_dispute
                """
            )
        )
        return res

    @api.depends(
        "debtor_correspondence_ids.kind",
        "debtor_correspondence_ids.date",
        "debtor_correspondence_ids.promise_date",
    )
    def _compute_debtor_dates(self):
        # one query for all the moves: a reminder sending recomputes thousands
        moves = self.filtered("id")
        dates = {}
        if moves:
            self.env["account.debtor.correspondence"].flush_model(
                ["kind", "date", "promise_date", "move_ids"]
            )
            self.env.cr.execute(
                SQL(
                    """
                    SELECT rel.move_id,
                           MAX(entry.date) FILTER (WHERE entry.kind = 'reminder'),
                           (ARRAY_AGG(entry.promise_date
                                      ORDER BY entry.date DESC, entry.id DESC)
                               FILTER (WHERE entry.promise_date IS NOT NULL))[1]
                      FROM account_debtor_correspondence_move_rel rel
                      JOIN account_debtor_correspondence entry
                        ON entry.id = rel.correspondence_id
                     WHERE rel.move_id = ANY(%s)
                  GROUP BY rel.move_id
                    """,
                    moves.ids,
                )
            )
            dates = {
                move_id: (reminder, promise)
                for move_id, reminder, promise in self.env.cr.fetchall()
            }
        for move in self:
            move.debtor_last_reminder_date, move.debtor_promise_date = dates.get(
                move.id, (False, False)
            )

    def _debtor_ensure_access_tokens(self):
        """Give every invoice of ``self`` its portal access token, in one query:
        the links in a reminder let the customer open and pay each invoice
        without an account."""
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move
                   SET access_token = gen_random_uuid()::text
                 WHERE id = ANY(%s) AND access_token IS NULL
                """,
                missing.ids,
            )
        )
        missing.invalidate_recordset(["access_token"])

    def action_debtor_open_dispute(self):
        """Open a new dispute about this invoice."""
        self.ensure_one()
        return self.env["account.debtor.correspondence"]._action_new_dispute(
            self.commercial_partner_id, self.company_id, self
        )

    def action_debtor_add_note(self):
        """Open a new collection note about this invoice."""
        self.ensure_one()
        return self.env["account.debtor.correspondence"]._action_new_note(
            self.commercial_partner_id, self.company_id, moves=self
        )
