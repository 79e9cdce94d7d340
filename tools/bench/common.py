"""What every phase of the benchmark shares: the names, the scale, the
operations measured and their targets, and how to open Odoo on the
benchmark's database."""

import logging
import sys

_logger = logging.getLogger("benchmark")


ADDON = "account_debtor_collection"
PEER = "account_invoice_overdue_reminder"
# the second peer: OCA's credit control (its run of credit lines and e-mails)
CREDIT_CONTROL = "account_credit_control"
SCALE_PARAM = f"{ADDON}.benchmark_scale"
ADMIN_UID = 2
# the name prefix of the bulk-created invoices; sequence numbers follow it
NAME_PREFIX = "BNCH/"
# the debtor row ids of account.debtor pack the company in their low bits
DEBTOR_ID_COMPANY_BITS = 16
LANGS = ("en_US", "lv_LV", "de_DE")
# a reminder sent in the past to every debtor, by each addon
HISTORY_DAYS = 30
# the web client asks for one more than its count limit
WEB_COUNT_LIMIT = 10001
TARGETS = {
    # operation: (seconds, label): the issues' latest (26 for the overview,
    # the panel and the sending, 24 for the selection)
    "overview": (0.15, "<= 150 ms"),
    "select": (1.0, "<= 1 s"),
    "send": (10.0, "<= 10 s"),
    "panel": (0.03, "<= 30 ms"),
    "partner": (0.02, "< 20 ms"),
    "worklist": (1.0, "< 1 s"),
    "effect": (1.0, "< 1 s"),
    "dso": (1.0, "< 1 s"),
}
OPERATIONS = (
    "overview",
    "select",
    "send",
    "panel",
    "partner",
    "worklist",
    "effect",
    "dso",
)
# sending first: its memory is measured before other operations (the peer's
# selection above all) leave the process bigger than any sending needs
MEASURE_ORDER = (
    "send",
    "overview",
    "select",
    "panel",
    "partner",
    "worklist",
    "effect",
    "dso",
)


# ------------------------------------------------------------------ odoo --
def import_odoo(odoo_src):
    """Import Odoo from its source checkout (or from the Python path)."""
    if odoo_src and odoo_src not in sys.path:
        sys.path.insert(0, odoo_src)
    import odoo  # noqa: F401  (imported for its side effects on sys.modules)


def open_registry(args):
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    options = [
        "--database",
        args.db,
        "--addons-path",
        args.addons_path,
        "--log-level",
        "warn",
        "--without-demo",
        "all",
        "--max-cron-threads",
        "0",
    ]
    if args.db_host:
        options += ["--db_host", args.db_host]
    if args.db_port:
        options += ["--db_port", str(args.db_port)]
    config.parse_config(options, setup_logging=True)
    # our own progress lines, next to Odoo's warnings
    logging.getLogger("benchmark").setLevel(logging.INFO)
    odoo.service.server.load_server_wide_modules()
    return Registry(args.db)


def new_env(cr, uid=ADMIN_UID, company_id=None, **context):
    from odoo import api

    ctx = {"lang": "en_US", "tz": "Europe/Riga", "uid": uid}
    if company_id:
        ctx["allowed_company_ids"] = [company_id]
    ctx.update(context)
    return api.Environment(cr, uid, ctx)


def today_of(env):
    """Today in the benchmark's time zone (the context's, Europe/Riga)."""
    from odoo import fields

    return fields.Date.context_today(env["res.users"])
