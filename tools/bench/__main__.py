"""The benchmark's command line: python -m bench build|measure|workers|report."""

import argparse
import logging
import os

from . import __doc__ as PACKAGE_DOC
from .common import OPERATIONS, import_odoo
from .data import build
from .measures import measure
from .report import report
from .workers import workers_run

_logger = logging.getLogger("benchmark")


# ------------------------------------------------------------------ main --
def main():
    parser = argparse.ArgumentParser(description=PACKAGE_DOC.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "measure"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--db", required=True)
        cmd.add_argument("--db-host")
        cmd.add_argument("--db-port", type=int)
        cmd.add_argument("--addons-path", required=True)
        cmd.add_argument("--odoo-src")
    build_cmd = sub.choices["build"]
    build_cmd.add_argument("--debtors", type=int, default=5000)
    build_cmd.add_argument("--items", type=int, default=20)
    build_cmd.add_argument("--overdue", type=int, default=10)
    build_cmd.add_argument("--remind", type=int, default=1000)
    build_cmd.add_argument("--big-items", type=int, default=2000)
    build_cmd.add_argument("--notes", type=int, default=100)
    measure_cmd = sub.choices["measure"]
    measure_cmd.add_argument(
        "--side", choices=("ours", "peer", "credit_control"), required=True
    )
    measure_cmd.add_argument("--runs", type=int, default=3)
    measure_cmd.add_argument("--budget", type=float, default=120)
    measure_cmd.add_argument("--only", nargs="*", choices=OPERATIONS)
    measure_cmd.add_argument("--profile-dir")
    measure_cmd.add_argument("--out", required=True)
    workers_cmd = sub.add_parser("workers")
    workers_cmd.add_argument("--url", required=True)
    workers_cmd.add_argument("--db", required=True)
    workers_cmd.add_argument("--login", default="admin")
    workers_cmd.add_argument("--password", default="admin")
    workers_cmd.add_argument("--server-log", required=True)
    workers_cmd.add_argument("--poll", type=float, default=2)
    workers_cmd.add_argument("--max-wait", type=float, default=1800)
    workers_cmd.add_argument("--request-timeout", type=float, default=300)
    workers_cmd.add_argument("--out", required=True)
    workers_cmd.add_argument(
        "--label", default="cron", help="what engine sends the run, for the report"
    )
    workers_cmd.add_argument("--outbox", help="the SMTP sink's directory")
    workers_cmd.add_argument("--server", help="the server's options, for the report")
    report_cmd = sub.add_parser("report")
    report_cmd.add_argument("results", nargs="*")
    report_cmd.add_argument("--markdown")
    report_cmd.add_argument(
        "--repo",
        default=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    report_cmd.add_argument(
        "--commit", help="the commit measured (default: the repository's HEAD now)"
    )
    report_cmd.add_argument("--odoo-version")
    report_cmd.add_argument("--pg-version")
    report_cmd.add_argument("--note")
    report_cmd.add_argument(
        "--workers",
        action="append",
        default=[],
        help="the result of a workers run (once per run: cron, queue_job x1, x2)",
    )
    args = parser.parse_args()
    if args.command == "report":
        report(args)
        return
    if args.command == "workers":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        workers_run(args)
        return
    import_odoo(args.odoo_src)
    {"build": build, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
