"""The benchmark package (tools/bench): each phase's module loads on its own,
without Odoo, and the report judges the engines in workers mode against the
targets of issue 26."""

import importlib
import sys
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from bench import report  # noqa: E402 - tools/ on the path first


def workers_result(
    label, seconds, sent=4001, complete=True, debtors=5000, mails_s=None
):
    return {
        "label": label,
        "run_s": seconds,
        "mails_s": mails_s,
        "mails_out": sent if mails_s else None,
        "complete": complete,
        "run": {"sent_count": sent, "skipped_count": 0, "failed_count": 0},
        "param": {"scale": {"debtors": debtors, "remind": 1000}},
    }


class TestBenchPackage(unittest.TestCase):
    def test_each_phase_loads_on_its_own(self):
        for name in ("common", "data", "measures", "peers", "workers", "report"):
            with self.subTest(module=name):
                module = importlib.import_module(f"bench.{name}")
                self.assertTrue(module.__doc__, "each module says what it does")

    def test_engines_meeting_their_targets(self):
        misses = []
        lines = report.engines_lines(
            [
                workers_result("cron", 150.0),
                workers_result("queue_job x1", 140.0),
                workers_result("queue_job x2", 80.0),
            ],
            misses,
        )
        text = "\n".join(lines)
        self.assertIn(
            "| cron | 4,001 | 150 s | not measured | 26.7 | - | 1.00x / - |", text
        )
        self.assertIn(
            "| queue_job x2 | 4,001 | 80 s | not measured | 50.0 | - | 1.88x / - |",
            text,
        )
        self.assertIn("<= 180 s: PASS", text)
        self.assertIn("1.88 times", text)
        self.assertEqual(misses, [])

    def test_engines_missing_their_targets(self):
        misses = []
        report.engines_lines(
            [workers_result("cron", 200.0), workers_result("queue_job x2", 150.0)],
            misses,
        )
        self.assertEqual(len(misses), 2)
        self.assertIn("took 200 s", misses[0])
        self.assertIn("two job workers 1.33 times", misses[1])

    def test_engines_compared_until_their_emails_are_out(self):
        """The scheduled action's run ends before its e-mails leave (Odoo's
        mail queue sends them), the jobs' when theirs have: when both were
        timed until the e-mails were out, the target reads those times."""
        misses = []
        lines = report.engines_lines(
            [
                workers_result("cron", 60.0, mails_s=100.0),
                workers_result("queue_job x2", 75.0, mails_s=80.0),
            ],
            misses,
        )
        text = "\n".join(lines)
        self.assertIn(
            "| cron | 4,001 | 60 s | 100 s (4,001 e-mails) | 66.7 | 40.0 "
            "| 1.00x / 1.00x |",
            text,
        )
        self.assertIn("| 0.80x / 1.25x |", text)
        self.assertIn(
            "1.25 times the scheduled action's debtors per second, both", text
        )
        self.assertIn("all out after 100 s", text)
        self.assertEqual(len(misses), 1)
        self.assertIn("two job workers 1.25 times", misses[0])

    def test_twenty_thousand_debtors_with_the_job_queue(self):
        misses = []
        fast = workers_result(
            "queue_job x2", 270.0, 15251, debtors=20000, mails_s=272.0
        )
        lines = report.engines_lines([fast], misses)
        self.assertIn(
            "- queue_job x2, 20,000 debtors: 15,251 reminded and e-mailed in 272 s, "
            "0 worker(s) killed (target <= 600 s, none killed: PASS)",
            lines,
        )
        self.assertEqual(misses, [])
        slow = dict(fast, mails_s=700.0)
        killed = dict(fast, kills=["WorkerHTTP 12 (virtual real time limit)"])
        for run in (slow, killed):
            misses = []
            report.engines_lines([run], misses)
            self.assertEqual(len(misses), 1)

    def test_cron_target_only_at_the_default_scale(self):
        misses = []
        lines = report.engines_lines(
            [workers_result("cron", 400.0, sent=15000, debtors=20000)], misses
        )
        self.assertIn("not the default scale", "\n".join(lines))
        self.assertEqual(misses, [])

    def test_where_the_time_goes(self):
        lines = report.split_lines(
            {
                "total": 10.0,
                "debtors": 1000,
                "parts": {
                    "checks": 1.0,
                    "rendering": 4.0,
                    "SQL (PostgreSQL, in all of the above and the rest)": 3.0,
                },
            }
        )
        text = "\n".join(lines)
        self.assertIn("- rendering: 4.00 s in all, 4.0 ms per reminder (40 %)", text)
        self.assertIn("The floor: 3.0 ms per reminder", text)


if __name__ == "__main__":
    unittest.main()
