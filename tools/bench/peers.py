"""The peers measured beside the addon: what users would pick instead, the
same operations through their own screens and methods: OCA's
account_invoice_overdue_reminder (``peer``) and OCA's account_credit_control
(``credit_control``: its run of credit lines and their e-mails)."""

import logging
import time

from .common import CREDIT_CONTROL, PEER, WEB_COUNT_LIMIT
from .measures import Side, view_spec

_logger = logging.getLogger("benchmark")


class Peer(Side):
    name = "peer"

    def __init__(self, env, param):
        super().__init__(env, param)
        self.specs["overview"] = [
            "amount_residual_signed:sum",
            "amount_total_in_currency_signed:sum",
        ]
        invoice_env = env(context=dict(env.context, default_move_type="out_invoice"))
        self.specs["steps"] = view_spec(
            env, "overdue.reminder.step", "list", f"{PEER}.overdue_reminder_step_tree"
        )
        self.specs["invoices"] = view_spec(
            invoice_env,
            "account.move",
            "list",
            "account.view_invoice_tree",
        )
        self.specs["actions"] = view_spec(env, "overdue.reminder.action", "list")

    def overview(self, env):
        # the peer has no debtor overview: its users open Customer Invoices,
        # filter "Overdue" and group by customer, largest amount due first
        result = (
            env["account.move"]
            .with_context(default_move_type="out_invoice")
            .web_read_group(
                [
                    ("move_type", "=", "out_invoice"),
                    ("invoice_date_due", "<", self.today),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial", "in_payment")),
                ],
                self.specs["overview"],
                ["commercial_partner_id"],
                limit=80,
                orderby="amount_residual_signed desc",
            )
        )
        return {"rows": len(result["groups"]), "count": result["length"]}

    def _start(self, env, partner_ids=()):
        start = env["overdue.reminder.start"].create(
            {"interface": "mass", "partner_ids": [(6, 0, list(partner_ids))]}
        )
        action = start.run()
        env.flush_all()
        from odoo.tools.safe_eval import safe_eval

        domain = safe_eval(action.get("domain") or "[]", {"uid": env.uid})
        # the list of steps opens
        steps = env["overdue.reminder.step"].web_search_read(
            domain, self.specs["steps"], limit=80, count_limit=WEB_COUNT_LIMIT
        )
        return domain, steps

    def select(self, env, partner_ids=()):
        _domain, steps = self._start(env, partner_ids)
        return {"selected": steps["length"], "lines": len(steps["records"])}

    def send(self, env, partner_ids=None):
        partner_ids = partner_ids or self.remind_ids
        mails = self.mail_count(env)
        t0 = time.perf_counter()
        domain, _steps = self._start(env, partner_ids)
        opened = time.perf_counter() - t0
        steps = env["overdue.reminder.step"].search(domain)
        # "Validate" on all the steps of the list (the mass update wizard)
        env["overdue.reminder.mass.update"].with_context(
            active_model="overdue.reminder.step", active_ids=steps.ids
        ).create({"update_action": "validate"}).run()
        env.flush_all()
        return {
            "debtors": len(partner_ids),
            "sent": len(steps.filtered(lambda step: step.state == "done")),
            "mails": self.mail_count(env) - mails,
            "open_s": round(opened, 3),
        }

    def panel(self, env):
        # the customer's unpaid invoices and its reminder history
        invoices = (
            env["account.move"]
            .with_context(default_move_type="out_invoice")
            .web_search_read(
                [
                    ("commercial_partner_id", "=", self.big_partner_id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial", "in_payment")),
                ],
                self.specs["invoices"],
                limit=80,
                count_limit=WEB_COUNT_LIMIT,
            )
        )
        actions = env["overdue.reminder.action"].web_search_read(
            [("commercial_partner_id", "=", self.big_partner_id)],
            self.specs["actions"],
            limit=80,
            count_limit=WEB_COUNT_LIMIT,
        )
        return {
            "invoices": len(invoices["records"]),
            "invoice_count": invoices["length"],
            "entries": len(actions["records"]),
            "entry_count": actions["length"],
        }

    def describe(self):
        return {
            "overview": "Customer Invoices, Overdue filter, grouped by customer "
            "(web_read_group, 80 groups + count): the peer has no overview",
            "select": "overdue.reminder.start create + run (mass) + list of steps",
            "send": "overdue.reminder.start run on the debtors + Validate all steps",
            "panel": "the customer's unpaid invoices + its reminder actions "
            "(two web_search_read, 80 rows each)",
        }


class CreditControl(Side):
    """OCA's account_credit_control: a credit control run for the same
    debtors, its credit lines made ready and sent by e-mail (one
    communication per debtor), as its run form's buttons do."""

    name = "credit_control"

    def _setup(self, env, partner_ids):
        """Its policy of three e-mail levels on the receivable account, for
        the debtors reminded only (the company gets no default policy)."""
        policy = env.ref(f"{CREDIT_CONTROL}.credit_control_3_time")
        company = env.company
        receivable = env["account.account"].search(
            [
                ("account_type", "=", "asset_receivable"),
                ("company_ids", "in", company.ids),
            ]
        )
        policy.account_ids = [(6, 0, receivable.ids)]
        # no PDF attached to its e-mails, as with ours by default and the
        # first peer (its template attaches a summary report)
        env.ref(f"{CREDIT_CONTROL}.email_template_credit_control_base").sudo().write(
            {"report_template_ids": [(5, 0, 0)]}
        )
        company.credit_policy_id = False
        env["res.partner"].browse(partner_ids).credit_policy_id = policy
        env.flush_all()
        return policy

    def send(self, env, partner_ids=None):
        partner_ids = partner_ids or self.remind_ids
        t0 = time.perf_counter()
        policy = self._setup(env, partner_ids)
        untimed = time.perf_counter() - t0
        mails = self.mail_count(env)
        t0 = time.perf_counter()
        run = env["credit.control.run"].create(
            {"date": self.today, "policy_ids": [(6, 0, policy.ids)]}
        )
        run.generate_credit_lines()
        generated = time.perf_counter() - t0
        run.set_to_ready_lines()
        run.run_channel_action()
        env.flush_all()
        lines = run.line_ids
        return {
            "debtors": len(partner_ids),
            # its lines are "queued" until their e-mail has left
            "sent": len(
                lines.filtered(lambda line: line.state in ("queued", "sent")).partner_id
            ),
            "mails": self.mail_count(env) - mails,
            "credit_lines": len(lines),
            "lines_s": round(generated, 3),
            "untimed_s": untimed,
        }

    def describe(self):
        return {
            "send": "credit.control.run create + generate_credit_lines + "
            "set_to_ready_lines + run_channel_action (one communication and "
            "e-mail per debtor, no PDF attached); its policy set on the reminded "
            "debtors, untimed",
        }
